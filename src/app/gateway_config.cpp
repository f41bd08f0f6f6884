// The Gateway's configuration from the cloud: the last-known-good configuration at start, the
// desired configuration while running (machines at once, other sections at the next start,
// local-only keys refused; app/remote_config.hpp), and restarting one machine.

#include <algorithm>
#include <filesystem>
#include <map>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "app/gateway.hpp"
#include "app/remote_config.hpp"
#include "base/log.hpp"
#include "control/config_text.hpp"

namespace spindle::app {
namespace {

/// Each machine's YAML block by id, as text: equal text = unchanged settings.
std::map<std::string, std::string> machineBlocks(const std::string& yaml) {
  std::map<std::string, std::string> out;
  try {
    const YAML::Node machines = YAML::Load(yaml)["machines"];
    if (!machines || !machines.IsSequence()) return out;
    for (const auto& m : machines) {
      if (m.IsMap() && m["id"]) out[m["id"].as<std::string>()] = YAML::Dump(m);
    }
  } catch (const YAML::Exception&) {
  }
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

}  // namespace

void Gateway::prepareRemoteRules() {
  const auto& source = m_config.source;
  if (!source.empty() && source.front() != '<') {
    m_configDir = std::filesystem::path(source).parent_path().string();
  }
  m_localText = m_config.cloud.text;
  auto rules = remoteRules(m_config.cloud.control, m_configDir);
  if (rules) {
    m_remoteRules = std::move(*rules);
  } else {
    // Validated when the file loaded; should it still fail, the cloud may name nothing.
    m_log->error("{}; configuration from the cloud is refused", rules.error().describe());
    m_remoteRules = RemoteRules{"", net::HostRules::parse({"0.0.0.0/32"}).value()};
  }
  m_startConfig = {control::ConfigWatcher::fileVersion(m_config.cloud.text), "file", 0, "", ""};
}

Result<RemoteLoad> Gateway::loadDesired(const std::string& yaml) const {
  collectors::Registry registry;
  collectors::registerBuiltinCollectors(registry);
  auto desired =
      loadRemoteConfig(m_localText, yaml, kvName(), registry, m_remoteRules, m_configDir);
  if (!desired.loaded.config) {
    return Error(ErrorCode::kInvalidArgument, desired.loaded.diagnostics.describe());
  }
  if (desired.loaded.config->edge.id != m_config.edge.id) {
    return Error(ErrorCode::kInvalidArgument, "edge.id '" + desired.loaded.config->edge.id +
                                                  "' is not this edge ('" + m_config.edge.id +
                                                  "')");
  }
  return desired;
}

// The cloud's last accepted configuration wins over the local file (but for the local-only
// keys): all of it, journal and uplink settings included, before anything starts.
void Gateway::adoptLastKnownGood() {
  if (!m_config.cloud.nats || !m_config.cloud.control.configWatch) return;
  auto stored = control::ConfigWatcher::loadLastKnownGood(m_config.edge.dataDir);
  if (!stored) {
    m_log->warn("ignoring the last-known-good configuration: {}", stored.error().describe());
    return;
  }
  if (!stored->has_value()) return;
  const auto& lkg = **stored;
  auto desired = loadDesired(lkg.yaml);
  if (!desired) {
    m_log->warn("the last-known-good configuration {} does not load, keeping {}: {}", lkg.version,
                m_config.source, desired.error().describe());
    return;
  }
  const std::string source = m_config.source;
  m_config = std::move(*desired->loaded.config);
  m_config.source = source;
  m_fromCloud = true;
  m_startConfig = {lkg.version, "last-known-good", lkg.appliedAt, "", ""};
  for (const auto& r : desired->refused) m_startConfig.outcome.refused.push_back(r.describe());
  m_log->info("running the last-known-good configuration {} from the cloud{}", lkg.version,
              desired->refused.empty() ? "" : "; refused: " + join(m_startConfig.outcome.refused));
}

// Caller holds m_machinesMutex (or runs before the cloud link starts).
void Gateway::startMachine(MachineEntry& machine) {
  const model::MachineId id = m_catalog.addMachine(machine.id);
  MachineContext* context = nullptr;
  for (auto& c : m_contexts) {
    if (c->machine() == id) context = c.get();
  }
  if (context == nullptr) {
    m_contexts.push_back(std::make_unique<MachineContext>(
        m_io, m_catalog, id, m_clock, *m_pipeline, "collector." + machine.type + "." + machine.id,
        m_resolver));
    context = m_contexts.back().get();
  }
  prepareScript(machine);
  if (auto status = machine.collector->start(*context); !status) {
    m_log->error("machine {} did not start: {}", machine.id, status.error().describe());
  }
}

Status Gateway::restartMachine(const std::string& id) {
  std::lock_guard lock(m_machinesMutex);
  if (!m_started) return Error(ErrorCode::kUnavailable, "the edge is stopping");
  auto it = std::find_if(m_config.machines.begin(), m_config.machines.end(),
                         [&](const MachineEntry& m) { return m.id == id; });
  if (it == m_config.machines.end()) {
    return Error(ErrorCode::kNotFound, "no machine '" + id + "' in the running configuration");
  }
  if (!it->enabled) return Error(ErrorCode::kInvalidArgument, "machine '" + id + "' is disabled");
  // A stopped collector is not started again: a fresh one is made from the running text,
  // under the rules of where that text came from.
  std::optional<SpindleConfig> fresh;
  if (m_fromCloud) {
    auto desired = loadDesired(m_config.cloud.text);
    if (!desired) return std::move(desired).error().with("restarting machine " + id);
    fresh = std::move(desired->loaded.config);
  } else {
    collectors::Registry registry;
    collectors::registerBuiltinCollectors(registry);
    auto loaded = loadConfigText(m_config.cloud.text, m_config.source, registry, m_configDir);
    if (!loaded.config) {
      return Error(ErrorCode::kInvalidArgument, loaded.diagnostics.describe())
          .with("restarting machine " + id);
    }
    fresh = std::move(loaded.config);
  }
  for (auto& machine : fresh->machines) {
    if (machine.id != id) continue;
    it->collector->stop();
    m_retired.push_back(std::move(it->collector));
    it->collector = std::move(machine.collector);
    startMachine(*it);
    m_log->info("machine {} restarted on request", id);
    return okStatus();
  }
  return Error(ErrorCode::kInternal, "machine '" + id + "' vanished from the configuration");
}

Result<control::ApplyOutcome> Gateway::applyConfig(const std::string& yaml,
                                                   const std::string& version) {
  auto loaded = loadDesired(yaml);
  if (!loaded) return std::move(loaded).error();
  SpindleConfig& desired = *loaded->loaded.config;
  std::lock_guard lock(m_machinesMutex);
  if (!m_started) return Error(ErrorCode::kUnavailable, "the edge is stopping");
  const auto before = machineBlocks(m_config.cloud.text);
  const auto after = machineBlocks(desired.cloud.text);
  std::size_t changed = 0;
  auto retire = [this](MachineEntry& m) {
    if (m.collector && m.enabled) m.collector->stop();
    if (m.collector) m_retired.push_back(std::move(m.collector));
  };
  for (auto& running : m_config.machines) {
    if (after.count(running.id) == 0 && running.collector) {
      retire(running);
      running.enabled = false;
      ++changed;
      m_log->info("machine {} removed by the new configuration", running.id);
    }
  }
  for (auto& next : desired.machines) {
    auto it = std::find_if(m_config.machines.begin(), m_config.machines.end(),
                           [&](const MachineEntry& m) { return m.id == next.id; });
    const bool same = it != m_config.machines.end() && it->collector && before.count(next.id) &&
                      before.at(next.id) == after.at(next.id);
    if (same) continue;
    ++changed;
    if (it == m_config.machines.end()) {
      m_config.machines.push_back(std::move(next));
      it = std::prev(m_config.machines.end());
    } else {
      retire(*it);
      it->type = next.type;
      it->enabled = next.enabled;
      it->collector = std::move(next.collector);
      it->script = std::move(next.script);
      it->scriptName = std::move(next.scriptName);
    }
    if (it->enabled) startMachine(*it);
    m_log->info("machine {} {} with its new settings", it->id,
                it->enabled ? "started" : "disabled");
  }
  // Everything but the machines runs as it started until the next start, which takes it from
  // the last-known-good configuration.
  control::ApplyOutcome outcome;
  if (auto diff = control::diffConfigs(m_startedText, desired.cloud.text)) {
    for (const auto& section : diff->sections) {
      if (!appliesLive(section)) outcome.pendingRestart.push_back(section);
    }
  }
  for (const auto& r : loaded->refused) outcome.refused.push_back(r.describe());
  m_config.cloud.text = desired.cloud.text;
  m_fromCloud = true;
  m_log->info("configuration {}: {} machines changed{}{}", version, changed,
              outcome.pendingRestart.empty()
                  ? ""
                  : "; " + join(outcome.pendingRestart) + " take effect at the next start",
              outcome.refused.empty() ? "" : "; refused: " + join(outcome.refused));
  return outcome;
}

}  // namespace spindle::app
