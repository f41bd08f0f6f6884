// The machines and the configuration from the cloud: the last-known-good configuration at
// start, the desired configuration while running (machines at once, other sections at the next
// start, local-only keys refused; app/remote_config.hpp), and restarting one machine.

#include "app/machine_manager.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "app/journal_exports.hpp"
#include "app/remote_config.hpp"
#include "base/log.hpp"
#include "base/log_sinks.hpp"
#include "control/config_text.hpp"
#include "transform/script_runner.hpp"

namespace spindle::app {
namespace {

std::string describeValue(const model::Value& v) {
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return fmt::format("{}", *d);
  if (const auto* s = std::get_if<std::string>(&v)) return "'" + *s + "'";
  return "(a value)";
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

}  // namespace

MachineManager::MachineManager(SpindleConfig& config, std::string text, model::ItemCatalog& catalog,
                               const Clock& clock)
    : m_config(config),
      m_catalog(catalog),
      m_clock(clock),
      m_log(makeLogger("app")),
      m_runningText(std::move(text)),
      m_exports(std::make_unique<JournalExports>(m_log)) {
  prepareRemoteRules();
}

MachineManager::~MachineManager() {
  stopCollectors();
  release();
  std::lock_guard lock(m_logsMutex);
  if (m_logs) removeLogSink(m_logs);
}

void MachineManager::attach(EdgeParts parts) {
  m_parts = std::move(parts);
  // The pipeline's worker must not wait for this lock: the writes travel on via the io threads.
  m_parts.pipeline->setWriteSink(
      [this](model::MachineId machine, std::vector<transform::WriteRequest> writes) {
        boost::asio::post(*m_parts.io, [this, machine, writes = std::move(writes)]() mutable {
          deliverWrites(machine, std::move(writes));
        });
      });
}

void MachineManager::deliverWrites(model::MachineId machine,
                                   std::vector<transform::WriteRequest> writes) {
  std::lock_guard lock(m_mutex);
  const std::string& id = m_catalog.machineName(machine);
  const auto it = m_collectors.find(id);
  if (!m_running || it == m_collectors.end()) {
    // A script starts before its collector (a constant is asked at once), and a restarted
    // machine's collector comes after its new script: the latest value of each target waits.
    auto& pending = m_pendingWrites[id];
    for (auto& w : writes) pending[w.key] = std::move(w.value);
    return;
  }
  for (auto& w : writes) write(*it->second, id, w.key, std::move(w.value));
}

void MachineManager::write(collectors::Collector& collector, const std::string& id,
                           const std::string& key, model::Value value) {
  const std::string what = key + " = " + describeValue(value);
  collector.write(key, std::move(value), [log = m_log, id, what](Status done) {
    if (done) {
      log->debug("machine {} wrote {}", id, what);
    } else {
      log->warn("machine {} could not write {}: {}", id, what, done.error().describe());
    }
  });
}

std::shared_ptr<control::LogRing> MachineManager::logs() {
  std::lock_guard lock(m_logsMutex);
  if (!m_logs) {
    m_logs = std::make_shared<control::LogRing>(
        static_cast<std::size_t>(m_config.cloud.control.logLines));
    addLogSink(m_logs);  // fed until the manager goes
  }
  return m_logs;
}

void MachineManager::prepareScripts() {
  for (auto& machine : m_config.machines) {
    if (machine.enabled) prepareScript(machine);
  }
}

void MachineManager::prepareScript(const MachineEntry& machine) {
  auto admitted = m_catalog.admitMachine(machine.id);
  if (!admitted) {
    m_log->error("machine {} is not collected: {}", machine.id, admitted.error().describe());
    return;
  }
  const model::MachineId id = *admitted;
  if (!machine.script) {
    m_parts.pipeline->setScript(id, nullptr);
    return;
  }
  auto runner = std::make_unique<transform::ScriptRunner>(machine.script, m_catalog, id, m_clock);
  m_log->info("machine {} runs the {} ({} outputs)", machine.id, machine.scriptName,
              runner->outputItems().size());
  m_parts.pipeline->setScript(id, std::move(runner));
}

void MachineManager::startAll() {
  std::lock_guard lock(m_mutex);
  for (auto& machine : m_config.machines) {
    if (!machine.enabled) {
      m_log->info("machine {} is disabled", machine.id);
      continue;
    }
    auto admitted = m_catalog.admitMachine(machine.id);
    if (!admitted) continue;  // logged by prepareScript
    const model::MachineId id = *admitted;
    m_contexts.push_back(std::make_unique<MachineContext>(
        *m_parts.io, m_catalog, id, m_clock, *m_parts.pipeline,
        "collector." + machine.type + "." + machine.id, m_parts.resolver));
    launch(machine, *m_contexts.back());
  }
  m_running = true;
}

void MachineManager::launch(const MachineEntry& machine, MachineContext& context) {
  const auto* info = collectors::builtinCollectors().find(machine.type);
  if (info == nullptr || !machine.options.has_value()) {
    m_log->error("machine {} did not start: no collector '{}' in this build", machine.id,
                 machine.type);
    return;
  }
  auto collector = info->make(machine.options);
  context.setScript(machine.script);
  context.setDataDir(m_config.edge.dataDir);
  if (auto status = collector->start(context); !status) {
    // One machine that cannot start never stops the others.
    m_log->error("machine {} did not start: {}", machine.id, status.error().describe());
  }
  auto& started = m_collectors[machine.id] = std::move(collector);
  if (auto pending = m_pendingWrites.extract(machine.id)) {
    for (auto& [key, value] : pending.mapped()) write(*started, machine.id, key, std::move(value));
  }
}

std::size_t MachineManager::running() const {
  std::lock_guard lock(m_mutex);
  return m_contexts.size();
}

void MachineManager::stopCollectors() {
  m_exports->stop();  // before the upload queue it hands its file to stops
  std::lock_guard lock(m_mutex);
  m_running = false;
  for (auto& [id, collector] : m_collectors) collector->stop();
}

void MachineManager::release() {
  std::lock_guard lock(m_mutex);
  // Collectors go after the io threads so no handler can outlive its context.
  m_collectors.clear();
  m_retired.clear();
}

std::optional<MachineStatus> MachineManager::machineStatus(const std::string& id) const {
  std::lock_guard lock(m_mutex);
  for (const auto& ctx : m_contexts) {
    if (ctx->machineName() == id) return ctx->status();
  }
  return std::nullopt;
}

double MachineManager::dataAge(const MachineContext& ctx) const {
  const TimestampNs last = ctx.lastData();
  if (last == 0) return -1;
  return std::max(0.0, static_cast<double>(m_clock.now() - last) / 1e9);
}

std::string MachineManager::configText() const {
  std::lock_guard lock(m_mutex);
  return m_runningText;
}

Status MachineManager::validateConfig(const std::string& yaml) const {
  auto desired = loadDesired(yaml);
  if (!desired) return std::move(desired).error();
  return okStatus();
}

void MachineManager::prepareRemoteRules() {
  const auto& source = m_config.source;
  if (!source.empty() && source.front() != '<') {
    m_configDir = std::filesystem::path(source).parent_path().string();
  }
  m_localText = m_runningText;
  auto rules = remoteRules(m_config.cloud.control, m_configDir);
  if (rules) {
    m_remoteRules = std::move(*rules);
  } else {
    // Validated when the file loaded; should it still fail, the cloud may name nothing.
    m_log->error("{}; configuration from the cloud is refused", rules.error().describe());
    m_remoteRules = RemoteRules{"", net::HostRules::parse({"0.0.0.0/32"}).value()};
  }
  m_startConfig = {control::ConfigWatcher::fileVersion(m_runningText), "file", 0, "", ""};
}

std::string MachineManager::kvName() const {
  return m_config.cloud.control.configBucket + "/" + m_config.edge.id;
}

Result<RemoteLoad> MachineManager::loadDesired(const std::string& yaml) const {
  auto desired = loadRemoteConfig(m_localText, yaml, kvName(), collectors::builtinCollectors(),
                                  m_remoteRules, m_configDir);
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
void MachineManager::adoptLastKnownGood() {
  m_startedText = m_runningText;
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
  m_runningText = desired->loaded.text;
  m_startConfig = {lkg.version, "last-known-good", lkg.appliedAt, "", ""};
  for (const auto& r : desired->refused) m_startConfig.outcome.refused.push_back(r.describe());
  m_startedText = m_runningText;
  m_log->info("running the last-known-good configuration {} from the cloud{}", lkg.version,
              desired->refused.empty() ? "" : "; refused: " + join(m_startConfig.outcome.refused));
}

void MachineManager::retire(const std::string& id) {
  auto it = m_collectors.find(id);
  if (it == m_collectors.end()) return;
  it->second->stop();
  m_retired.push_back(std::move(it->second));
  m_collectors.erase(it);
}

// Caller holds m_mutex (or runs before the cloud link starts).
void MachineManager::startMachine(const MachineEntry& machine) {
  auto admitted = m_catalog.admitMachine(machine.id);
  if (!admitted) {
    m_log->error("machine {} did not start: {}", machine.id, admitted.error().describe());
    return;
  }
  const model::MachineId id = *admitted;
  MachineContext* context = nullptr;
  for (auto& c : m_contexts) {
    if (c->machine() == id) context = c.get();
  }
  if (context == nullptr) {
    m_contexts.push_back(std::make_unique<MachineContext>(
        *m_parts.io, m_catalog, id, m_clock, *m_parts.pipeline,
        "collector." + machine.type + "." + machine.id, m_parts.resolver));
    context = m_contexts.back().get();
  }
  prepareScript(machine);
  launch(machine, *context);
}

// A stopped collector is not started again: a fresh one is made from the machine's options.
Status MachineManager::restartMachine(const std::string& id) {
  std::lock_guard lock(m_mutex);
  if (!m_running) return Error(ErrorCode::kUnavailable, "the edge is stopping");
  auto it = std::find_if(m_config.machines.begin(), m_config.machines.end(),
                         [&](const MachineEntry& m) { return m.id == id; });
  if (it == m_config.machines.end()) {
    return Error(ErrorCode::kNotFound, "no machine '" + id + "' in the running configuration");
  }
  if (!it->enabled) return Error(ErrorCode::kInvalidArgument, "machine '" + id + "' is disabled");
  retire(id);
  startMachine(*it);
  m_log->info("machine {} restarted on request", id);
  return okStatus();
}

Result<control::ApplyOutcome> MachineManager::applyConfig(const std::string& yaml,
                                                          const std::string& version) {
  auto loaded = loadDesired(yaml);
  auto outcome = loaded ? applyLoaded(std::move(*loaded), version)
                        : Result<control::ApplyOutcome>(std::move(loaded).error());
  noteConfig(version, "cloud", outcome);
  return outcome;
}

void MachineManager::noteConfig(const std::string& version, const std::string& source,
                                const Result<control::ApplyOutcome>& outcome) {
  std::lock_guard lock(m_mutex);
  if (!m_configState) m_configState = m_startConfig;
  if (outcome) {
    m_configState->version = version;
    m_configState->source = source;
    m_configState->appliedAt = m_clock.now();
    m_configState->outcome = outcome.value();
  } else {
    m_configState->rejectedVersion = version;
    m_configState->error = outcome.error().describe();
  }
}

control::ConfigState MachineManager::configState() const {
  std::lock_guard lock(m_mutex);
  return m_configState ? *m_configState : m_startConfig;
}

Result<control::ApplyOutcome> MachineManager::applyLoaded(RemoteLoad loaded,
                                                          const std::string& version) {
  SpindleConfig& desired = *loaded.loaded.config;
  std::lock_guard lock(m_mutex);
  if (!m_running) return Error(ErrorCode::kUnavailable, "the edge is stopping");
  auto find = [](std::vector<MachineEntry>& list, const std::string& id) {
    return std::find_if(list.begin(), list.end(),
                        [&](const MachineEntry& m) { return m.id == id; });
  };
  std::size_t changed = 0;
  for (auto& running : m_config.machines) {
    if (!running.settings.empty() && find(desired.machines, running.id) == desired.machines.end()) {
      retire(running.id);
      running.enabled = false;
      running.settings.clear();  // gone: if it comes back, it starts
      ++changed;
      m_log->info("machine {} removed by the new configuration", running.id);
    }
  }
  for (auto& next : desired.machines) {
    auto it = find(m_config.machines, next.id);
    // Same parsed settings (key order, quoting and comments do not count): left running.
    const bool same =
        it != m_config.machines.end() && !it->settings.empty() && it->settings == next.settings;
    if (same) continue;
    ++changed;
    if (it == m_config.machines.end()) {
      m_config.machines.push_back(std::move(next));
      it = std::prev(m_config.machines.end());
    } else {
      retire(it->id);
      *it = std::move(next);
    }
    if (it->enabled) startMachine(*it);
    m_log->info("machine {} {} with its new settings", it->id,
                it->enabled ? "started" : "disabled");
  }
  // Everything but the machines runs as it started until the next start, which takes it from
  // the last-known-good configuration.
  control::ApplyOutcome outcome;
  auto live = [this](const std::string& section) {
    return appliesLive(section) || (section == "net" && m_parts.applyNet);
  };
  if (auto diff = control::diffConfigs(m_startedText, loaded.loaded.text)) {
    for (const auto& section : diff->sections) {
      if (!live(section)) outcome.pendingRestart.push_back(section);
    }
  }
  if (auto diff = control::diffConfigs(m_runningText, loaded.loaded.text);
      diff && m_parts.applyNet) {
    const auto& sections = diff->sections;
    if (std::find(sections.begin(), sections.end(), "net") != sections.end()) {
      m_config.net = desired.net;
      m_parts.applyNet(m_config.net);
      m_log->info("net: DNS and clock settings applied");
    }
  }
  for (const auto& r : loaded.refused) outcome.refused.push_back(r.describe());
  m_runningText = loaded.loaded.text;
  m_log->info("configuration {}: {} machines changed{}{}", version, changed,
              outcome.pendingRestart.empty()
                  ? ""
                  : "; " + join(outcome.pendingRestart) + " take effect at the next start",
              outcome.refused.empty() ? "" : "; refused: " + join(outcome.refused));
  return outcome;
}

}  // namespace spindle::app
