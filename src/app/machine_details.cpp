// The EdgeApi's answers for the management page: one machine's items, an item's history, the
// collector types, the network settings, and local configuration changes.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <yaml-cpp/yaml.h>

#include "app/machine_manager.hpp"
#include "control/config_text.hpp"
#include "control/config_watcher.hpp"
#include "journal/inspect.hpp"
#include "net/clock_monitor.hpp"
#include "net/proxy.hpp"
#include "net/resolver_chain.hpp"
#include "transform/script_loader.hpp"

namespace spindle::app {

namespace {

constexpr std::uintmax_t kMaxScriptText = 1 << 20;

double unixSeconds(TimestampNs t) { return static_cast<double>(t) / 1e9; }

/// A value as the page shows it: numbers as numbers, UNAVAILABLE as null, the rest as text.
nlohmann::json valueJson(const model::Value& value) {
  return std::visit(
      [](const auto& v) -> nlohmann::json {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, model::Unavailable>) {
          return nullptr;
        } else if constexpr (std::is_same_v<V, bool> || std::is_same_v<V, std::int64_t> ||
                             std::is_same_v<V, double> || std::is_same_v<V, std::string> ||
                             std::is_same_v<V, std::vector<double>>) {
          if constexpr (std::is_same_v<V, double>) {
            if (!std::isfinite(v)) return nullptr;
          }
          return v;
        } else if constexpr (std::is_same_v<V, std::shared_ptr<const model::Condition>>) {
          return v ? model::toString(v->level) : "unavailable";
        } else if constexpr (std::is_same_v<V, std::shared_ptr<const model::Message>>) {
          return v ? v->text : "";
        } else if constexpr (std::is_same_v<V, std::shared_ptr<const model::Asset>>) {
          return v ? v->type + " " + v->id : "";
        } else {
          return "(structured value)";
        }
      },
      value);
}

std::optional<double> numeric(const model::Value& value) {
  if (const auto* d = std::get_if<double>(&value)) {
    if (std::isfinite(*d)) return *d;
    return std::nullopt;
  }
  if (const auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
  return std::nullopt;
}

const char* categoryOf(model::Kind kind) {
  switch (kind) {
    case model::Kind::kSample:
    case model::Kind::kTimeSeries:
      return "sample";
    case model::Kind::kCondition:
      return "condition";
    default:
      return "event";
  }
}

/// The script file's text (a machine's own script); "" for a built-in one or none.
std::string scriptText(const std::string& name) {
  std::error_code ec;
  if (name.empty() || !std::filesystem::is_regular_file(name, ec)) return "";
  if (std::filesystem::file_size(name, ec) > kMaxScriptText || ec) return "";
  std::ifstream in(name, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

std::pair<std::string, std::uint16_t> MachineManager::machineAddress(
    const MachineEntry& entry) const {
  if (entry.blockText.empty()) return {"", 0};
  if (const auto it = m_addresses.find(entry.settings); it != m_addresses.end()) return it->second;
  std::pair<std::string, std::uint16_t> out{"", 0};
  try {
    const YAML::Node block = YAML::Load(entry.blockText);
    for (const char* key : {"host", "address", "device", "url", "endpoint"}) {
      if (block[key] && block[key].IsScalar()) {
        out.first = block[key].Scalar();
        break;
      }
    }
    out.second = collectors::builtinCollectors().resolvedPort(entry.type, block);
  } catch (const YAML::Exception&) {
  }
  if (m_addresses.size() > 4096) m_addresses.clear();  // machines come and go: stay bounded
  m_addresses.emplace(entry.settings, out);
  return out;
}

Result<nlohmann::json> MachineManager::machineDetail(const std::string& id) const {
  std::lock_guard lock(m_mutex);
  const auto entry = std::find_if(m_config.machines.begin(), m_config.machines.end(),
                                  [&](const MachineEntry& m) { return m.id == id; });
  if (entry == m_config.machines.end()) {
    return Error(ErrorCode::kNotFound, "no machine '" + id + "'");
  }
  nlohmann::json items = nlohmann::json::array();
  nlohmann::json script = {
      {"name", entry->scriptName}, {"text", ""}, {"runs", 0}, {"errors", 0}, {"last_error", ""}};
  script["text"] = entry->scriptText ? *entry->scriptText : scriptText(entry->scriptName);
  if (script["text"] == "" && entry->script) {
    // The type's built-in default script: its text is compiled in.
    if (const auto* text = transform::defaultScriptText(entry->type)) script["text"] = *text;
  }
  for (const auto& ctx : m_contexts) {
    if (ctx->machineName() != id) continue;
    for (const auto& obs : m_parts.state->current(ctx->machine())) {
      const auto& item = m_catalog.item(obs.item);
      nlohmann::json row = {{"key", item.key},
                            {"category", categoryOf(obs.kind)},
                            {"value", valueJson(obs.value)},
                            {"time", unixSeconds(obs.timestamp)},
                            {"numeric", numeric(obs.value).has_value()}};
      if (const auto* c = std::get_if<std::shared_ptr<const model::Condition>>(&obs.value);
          c && *c) {
        row["conditions"] = nlohmann::json::array({{{"level", model::toString((*c)->level)},
                                                    {"native_code", (*c)->nativeCode},
                                                    {"text", (*c)->text}}});
      }
      items.push_back(std::move(row));
    }
    if (const auto stats = m_parts.pipeline->scriptStats(ctx->machine())) {
      script["runs"] = stats->observations;
      script["errors"] = stats->errors;
      script["last_error"] = stats->lastError;
    }
  }
  std::sort(items.begin(), items.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return a["key"].get_ref<const std::string&>() < b["key"].get_ref<const std::string&>();
  });
  return nlohmann::json{{"items", std::move(items)},
                        {"script", std::move(script)},
                        {"config", control::redactConfig(entry->blockText)}};
}

Result<nlohmann::json> MachineManager::itemHistory(const std::string& id, const std::string& key,
                                                   double seconds, std::size_t maxPoints) const {
  model::MachineId machine = 0;
  {
    std::lock_guard lock(m_mutex);
    const auto ctx = std::find_if(m_contexts.begin(), m_contexts.end(),
                                  [&](const auto& c) { return c->machineName() == id; });
    if (ctx == m_contexts.end()) return Error(ErrorCode::kNotFound, "no machine '" + id + "'");
    machine = (*ctx)->machine();
  }
  // Looked up among the machine's items, never interned: a request must not add keys.
  std::optional<model::ItemId> item;
  for (const auto& obs : m_parts.state->current(machine)) {
    if (m_catalog.item(obs.item).key == key) item = obs.item;
  }
  if (!item) return Error(ErrorCode::kNotFound, "machine '" + id + "' has no item '" + key + "'");
  const TimestampNs from = m_clock.now() - static_cast<TimestampNs>(seconds * 1e9);
  std::vector<std::pair<double, double>> points;
  const auto& store = *m_parts.state;
  // The ring is read in slices so the store's lock is never held long.
  std::uint64_t next = store.firstSequence();
  constexpr std::size_t kSlice = 65536;
  for (;;) {
    const auto slice = store.since(next, kSlice);
    for (const auto& s : slice) {
      if (s.observation.item != *item || s.observation.timestamp < from) continue;
      if (const auto v = numeric(s.observation.value)) {
        points.emplace_back(unixSeconds(s.observation.timestamp), *v);
      }
    }
    if (slice.size() < kSlice) break;
    next = slice.back().sequence + 1;
  }
  nlohmann::json out = nlohmann::json::array();
  const std::size_t step =
      points.size() > maxPoints && maxPoints > 0 ? (points.size() + maxPoints - 1) / maxPoints : 1;
  for (std::size_t i = 0; i < points.size(); i += step) {
    out.push_back({points[i].first, points[i].second});
  }
  if (!points.empty() && (points.size() - 1) % step != 0) {
    out.push_back({points.back().first, points.back().second});  // always the newest
  }
  return nlohmann::json{{"item", key}, {"points", std::move(out)}};
}

Result<nlohmann::json> MachineManager::rawKeys(const std::string& id) {
  constexpr auto kWatch = std::chrono::seconds(60);
  model::MachineId machine = 0;
  {
    std::lock_guard lock(m_mutex);
    const auto ctx = std::find_if(m_contexts.begin(), m_contexts.end(),
                                  [&](const auto& c) { return c->machineName() == id; });
    if (ctx == m_contexts.end())
      return Error(ErrorCode::kNotFound, "no running machine '" + id + "'");
    machine = (*ctx)->machine();
  }
  m_parts.pipeline->watchRaw(machine, kWatch);
  nlohmann::json keys = nlohmann::json::array();
  for (const auto& obs : m_parts.pipeline->rawValues(machine)) {
    const auto& item = m_catalog.item(obs.item);
    keys.push_back({{"key", item.key},
                    {"category", categoryOf(obs.kind)},
                    {"value", valueJson(obs.value)},
                    {"time", unixSeconds(obs.timestamp)},
                    {"published", m_catalog.published(obs.item)}});
  }
  std::sort(keys.begin(), keys.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return a["key"].get_ref<const std::string&>() < b["key"].get_ref<const std::string&>();
  });
  return nlohmann::json{{"keys", std::move(keys)}, {"watch_seconds", kWatch.count()}};
}

std::vector<ProtocolInfo> MachineManager::protocols() const {
  const auto& registry = collectors::builtinCollectors();
  std::vector<ProtocolInfo> out;
  for (const auto& name : registry.names()) {
    const auto* info = registry.find(name);
    out.push_back({name, info->description, info->defaultPort});
  }
  return out;
}

nlohmann::json MachineManager::network() const {
  net::NetOptions net;
  {
    std::lock_guard lock(m_mutex);  // applyLoaded may change it
    net = m_config.net;
  }
  nlohmann::json dns = {{"preferred", net.dnsPreferred},
                        {"servers", net.dnsServers},
                        {"resolv_conf", net.resolvConf},
                        {"in_use", nullptr}};
  const auto status = m_parts.resolver ? m_parts.resolver->status() : net::ResolverStatus{};
  if (status.current < status.servers.size()) {
    const auto& current = status.servers[status.current];
    dns["in_use"] = {{"server", current.server.name()},
                     {"source", net::toString(current.server.source)},
                     {"last", current.last ? net::toString(*current.last) : "not asked yet"}};
  }
  nlohmann::json ntp = {{"servers", net.ntpServers},
                        {"offset_ms", nullptr},
                        {"state", "unknown"},
                        {"server", ""},
                        {"reason", ""}};
  if (m_parts.clock) {
    const auto clock = m_parts.clock();
    ntp["state"] = net::toString(clock.state);
    ntp["server"] = clock.server;
    ntp["reason"] = clock.reason;
    if (clock.sample) {
      ntp["offset_ms"] = -std::chrono::duration<double, std::milli>(clock.sample->offset).count();
    }
  }
  // The setting as configured, and what the edge makes of it (the environment's proxy for
  // "env"); never the password.
  nlohmann::json proxy = {{"setting", net.proxy},
                          {"no_proxy", net.noProxy},
                          {"credentials", !net.proxyCredentials.empty()},
                          {"in_use", nullptr},
                          {"problem", ""}};
  if (auto settings = net::proxySettings(net); !settings) {
    proxy["problem"] = settings.error().describe();
  } else if (*settings) {
    const auto& p = **settings;
    proxy["in_use"] = {{"address", p.address()},
                       {"description", net::describe(p)},
                       {"source", p.source},
                       {"no_proxy", p.noProxy}};
  }
  return {{"dns", std::move(dns)}, {"ntp", std::move(ntp)}, {"proxy", std::move(proxy)}};
}

std::string MachineManager::configFile() const {
  const auto& source = m_config.source;
  if (source.empty() || source.front() == '<') return "";
  return source;
}

ConfigProblems MachineManager::checkLocalConfig(const std::string& yaml) const {
  ConfigProblems out;
  if (const auto state = configState(); state.source != "file") {
    // The cloud's configuration runs: a local change would be replaced by its next one.
    out.problems.push_back("this edge runs the configuration " + state.version +
                           " from the cloud: change it there");
    return out;
  }
  const auto file = configFile();
  auto loaded = loadConfigText(yaml, file.empty() ? "configuration" : file,
                               collectors::builtinCollectors(), m_configDir);
  for (const auto& d : loaded.diagnostics.items()) out.problems.push_back(d.describe());
  if (loaded.config && loaded.config->edge.id != m_config.edge.id) {
    out.problems.push_back("edge.id '" + loaded.config->edge.id + "' is not this edge ('" +
                           m_config.edge.id + "'): the id names the edge's data in the cloud");
  }
  return out;
}

Result<control::ApplyOutcome> MachineManager::applyLocalConfig(const std::string& yaml) {
  const auto problems = checkLocalConfig(yaml);
  if (!problems.problems.empty()) {
    std::string text;
    for (const auto& p : problems.problems) text += (text.empty() ? "" : "\n") + p;
    return Error(ErrorCode::kInvalidArgument, text);
  }
  const auto file = configFile();
  RemoteLoad loaded{loadConfigText(yaml, file.empty() ? "configuration" : file,
                                   collectors::builtinCollectors(), m_configDir),
                    {}};
  const auto version = control::ConfigWatcher::fileVersion(yaml);
  auto outcome = applyLoaded(std::move(loaded), version);
  noteConfig(version, "file", outcome);
  if (outcome) {
    std::lock_guard lock(m_mutex);
    m_localText = yaml;  // the new local baseline the cloud's configuration lays over
  }
  return outcome;
}

nlohmann::json MachineManager::pipeline() const {
  const auto p = m_parts.pipeline->stats();
  return {{"accepted", p.accepted}, {"journaled", p.journaled}, {"refused", p.refused},
          {"queued", p.queued},     {"lost", p.lost},           {"duplicates", p.duplicates},
          {"holding", p.holding}};
}

Result<nlohmann::json> MachineManager::verifyJournal() {
  auto settings = journal::resolveSettings(m_config.journal, m_config.edge.dataDir);
  if (!settings) return std::move(settings).error();
  auto report = journal::inspectJournal(settings->dir, true);
  if (!report) return std::move(report).error().with("verifying the journal");
  std::uint64_t records = 0;
  std::uint64_t undecodable = 0;
  nlohmann::json problems = nlohmann::json::array();
  for (const auto& s : report->segments) {
    records += s.records;
    undecodable += s.undecodable;
    if (!s.headerOk) problems.push_back(s.path + ": unreadable header");
    if (!s.damage.empty()) {
      problems.push_back(s.path + ": " + std::to_string(s.damage.size()) + " damaged stretches");
    }
    if (s.undecodable > 0) {
      problems.push_back(s.path + ": " + std::to_string(s.undecodable) + " undecodable records");
    }
  }
  return nlohmann::json{{"clean", report->clean()},
                        {"segments", report->segments.size()},
                        {"records", records},
                        {"observations", report->observations()},
                        {"bytes", report->bytes()},
                        {"corrupt", report->damagedRecords() + undecodable},
                        {"problems", std::move(problems)}};
}

}  // namespace spindle::app
