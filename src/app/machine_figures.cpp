// The figures the EdgeApi answers with (machines, health, status, journal, netcheck) and the
// machines' lines of the periodic status log.

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "app/machine_manager.hpp"
#include "app/netcheck_targets.hpp"
#include "base/log.hpp"
#include "journal/journal_reader.hpp"
#include "net/clock_monitor.hpp"
#include "net/proxy.hpp"
#include "net/resolver_chain.hpp"
#include "netcheck/machine_targets.hpp"
#include "netcheck/netcheck.hpp"

namespace spindle::app {

namespace {
/// The profile of no cloud checks: only the configured machines' ports.
constexpr const char* kMachinesProfile = "machines";
}  // namespace

std::vector<MachineSummary> MachineManager::machines() const {
  std::lock_guard lock(m_mutex);
  // By name once, so the list costs O(machines), not O(machines^2) (the page asks every second).
  std::unordered_map<std::string_view, const MachineContext*> byName;
  for (const auto& ctx : m_contexts) byName[ctx->machineName()] = ctx.get();
  std::vector<MachineSummary> out;
  out.reserve(m_config.machines.size());
  for (const auto& entry : m_config.machines) {
    MachineSummary m;
    m.id = entry.id;
    m.type = entry.type;
    m.enabled = entry.enabled;
    m.state = collectors::toString(collectors::ConnectionState::kStopped);
    std::tie(m.address, m.port) = machineAddress(entry);
    if (const auto found = byName.find(entry.id); found != byName.end()) {
      const auto* ctx = found->second;
      const auto status = ctx->status();
      m.state = collectors::toString(status.state);
      m.detail = status.detail;
      m.since = status.since;
      m.reconnects = status.connects > 1 ? status.connects - 1 : 0;
      m.rejects = status.refused.total();
      m.lastDataAgeSeconds = dataAge(*ctx);
      m.observations = m_parts.state->machineStats(ctx->machine()).observations;
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<std::string> MachineManager::netcheckProfiles() const {
  auto names = netcheck::builtinProfileNames();
  names.push_back(kMachinesProfile);
  return names;
}

// Built-in profiles only: a remote request never names a file on the edge.
Result<nlohmann::json> MachineManager::netcheck(const nlohmann::json& args) {
  std::string name = "commercial";
  if (args.is_object() && args.contains("profile") && args["profile"].is_string()) {
    name = args["profile"].get<std::string>();
  }
  netcheck::NetcheckRequest request;
  if (name != kMachinesProfile) {
    auto profile = netcheck::builtinProfile(name);
    if (!profile) return std::move(profile).error().with("netcheck");
    request.profile = std::move(*profile);
  } else {
    request.profile.name = kMachinesProfile;
    request.profile.description = "the configured machines' ports only";
    request.profile.source = "built-in";
    request.resolvConf = "";  // no DNS checks: nothing leaves for the cloud
  }
  std::string text;
  net::NetOptions net;
  {
    std::lock_guard lock(m_mutex);
    text = m_runningText;
    net = m_config.net;
    // The endpoints the running configuration names, through the edge's client options; none
    // for the machines-only profile (nothing leaves for the cloud).
    if (name != kMachinesProfile) addConfiguredEndpoints(m_config, request);
  }
  // The edge's own DNS and NTP servers, so the check proves what the edge uses.
  if (!net.dnsPreferred.empty()) request.dnsPreferred = net.dnsPreferred;
  request.dnsServers = net.dnsServers;
  if (name != kMachinesProfile) request.resolvConf = net.resolvConf;
  if (!net.ntpServers.empty()) request.ntpServers = net.ntpServers;
  auto proxy = net::proxySettings(net);
  if (!proxy) return std::move(proxy).error().with("netcheck: the HTTP proxy (net.proxy)");
  request.proxy = std::move(*proxy);
  const auto& registry = collectors::builtinCollectors();
  try {
    auto machines = netcheck::machineTargets(YAML::Load(text),
                                             [&](const std::string& type, const YAML::Node& block) {
                                               return registry.resolvedPort(type, block);
                                             });
    if (machines) request.machines = std::move(*machines);
  } catch (const YAML::Exception&) {
  }
  auto report = netcheck::runNetcheck(std::move(request));
  if (!report) return std::move(report).error().with("netcheck");
  return netcheck::toJson(*report);
}

void MachineManager::fillHealth(control::HealthReport& report) {
  if (m_parts.crashReportsPending) report.crashReportsPending = m_parts.crashReportsPending();
  if (m_parts.uploads) {
    control::UploadsHealth uploads;
    for (const auto& u : m_parts.uploads()) {
      ++(u.state == "failed" ? uploads.failed : uploads.pending);
      uploads.bytes += u.size;
    }
    report.uploads = uploads;
  }
  {
    std::lock_guard lock(m_mutex);
    for (const auto& ctx : m_contexts) {
      const auto status = ctx->status();
      const auto stats = m_parts.state->machineStats(ctx->machine());
      control::MachineHealth m;
      m.id = ctx->machineName();
      m.state = collectors::toString(status.state);
      m.detail = status.detail;
      m.observations = stats.observations;
      m.lastObservation = stats.lastTimestamp;
      m.lastDataAgeSeconds = dataAge(*ctx);
      m.refusedItems = status.refused.items;
      m.refusedConditions = status.refused.conditions;
      m.refusedAssets = status.refused.assets;
      m.refusedValues = status.refused.values;
      m.refusedKeys = status.refused.keys;
      report.machines.push_back(std::move(m));
    }
  }
  const auto js = m_parts.journal->stats();
  control::JournalHealth j;
  std::uint64_t slowest = js.durableSequence;
  const auto uplinks = m_parts.uplinks();
  for (const auto& u : uplinks) slowest = std::min(slowest, u.position);
  for (const auto& c : m_parts.journal->consumers()) {
    // Consumers that are not running (an uplink removed, within its grace) hold data too.
    if (c.attached) continue;
    slowest = std::min(slowest, c.next);
    j.heldFor.push_back(c.name);
  }
  j.depth = js.durableSequence > slowest ? js.durableSequence - slowest : 0;
  if (j.depth > 0) {
    // The oldest undelivered observation: one record read at the slowest uplink's position.
    journal::JournalReader reader(*m_parts.journal, m_catalog, slowest, m_log);
    const auto chunk = reader.read(1);
    if (!chunk.observations.empty()) {
      const auto age =
          std::chrono::nanoseconds(m_clock.now() - chunk.observations.front().timestamp);
      j.ageSeconds = std::max(0.0, std::chrono::duration<double>(age).count());
    }
  }
  j.evictions = js.evictedObservations;
  j.id = fmt::format("{:016x}", js.journalId);
  if (js.replacedJournalId != 0) j.replacedId = fmt::format("{:016x}", js.replacedJournalId);
  j.droppedConsumers = js.droppedConsumers;
  j.bytes = js.bytes;
  j.stalled = js.stalled;
  j.problem = js.problem;
  report.journal = j;
  if (const auto clock = m_parts.clock(); clock.sample) {
    // The sample's offset is NTP time minus ours; health reports ours minus NTP.
    report.clockOffsetMs = -std::chrono::duration<double, std::milli>(clock.sample->offset).count();
  }
  for (const auto& s : uplinks) {
    control::UplinkHealth u;
    u.name = s.name;
    u.connected = s.ready && !s.failing;
    u.lag = s.lag;
    if (s.oldestInFlight > 0 && report.time > s.oldestInFlight) {
      u.lagSeconds = static_cast<double>(report.time - s.oldestInFlight) / 1e9;
    }
    u.delivered = s.delivered;
    u.held = s.held + s.lost;
    u.evicted = s.evicted;
    u.retries = s.retries;
    u.inFlight = s.inFlight;
    u.lastError = s.lastError;
    report.uplinks.push_back(std::move(u));
  }
  for (const auto& [name, s] : m_parts.pipeline->subscriptions()) {
    report.subscriptions.push_back(
        {name, s.batches, s.dropped, s.droppedObservations, static_cast<std::uint64_t>(s.queued)});
  }
}

nlohmann::json MachineManager::journal() const {
  const auto js = m_parts.journal->stats();
  nlohmann::json uplinks = nlohmann::json::array();
  for (const auto& u : m_parts.uplinks()) {
    nlohmann::json ju = {
        {"name", u.name},           {"position", u.position},  {"lag", u.lag},
        {"delivered", u.delivered}, {"in_flight", u.inFlight}, {"in_flight_bytes", u.inFlightBytes},
        {"backlog", u.backlog},     {"retries", u.retries},    {"held", u.held},
        {"lost", u.lost},           {"evicted", u.evicted},    {"damaged", u.damaged}};
    for (const auto& [name, value] : u.counters) ju[name] = value;
    uplinks.push_back(std::move(ju));
  }
  // The sync latency as a cumulative histogram (as /metrics shows it).
  nlohmann::json buckets = nlohmann::json::array();
  std::uint64_t atOrBelow = 0;
  for (std::size_t i = 0; i < std::size(journal::kSyncLatencyBounds); ++i) {
    atOrBelow += js.syncLatency[i];
    buckets.push_back({{"le", journal::kSyncLatencyBounds[i]}, {"count", atOrBelow}});
  }
  return {{"first_sequence", js.firstSequence},
          {"syncs", js.syncs},
          {"io_errors", js.ioErrors},
          {"sync_seconds", {{"count", js.syncs}, {"sum", js.syncSeconds}, {"buckets", buckets}}},
          {"next_sequence", js.nextSequence},
          {"durable_sequence", js.durableSequence},
          {"segments", js.segments},
          {"bytes", js.bytes},
          {"evicted_observations", js.evictedObservations},
          {"corrupt_records", js.corruptRecords},
          {"stalled", js.stalled},
          {"full", js.full},
          {"problem", js.problem},
          {"uplinks", std::move(uplinks)}};
}

nlohmann::json MachineManager::status() {
  control::HealthReport r;
  fillHealth(r);
  nlohmann::json machines = nlohmann::json::array();
  for (const auto& m : r.machines) {
    machines.push_back(
        {{"id", m.id},
         {"state", m.state},
         {"detail", m.detail},
         {"observations", m.observations},
         {"last_data_age_s", m.lastDataAgeSeconds < 0 ? nlohmann::json(nullptr)
                                                      : nlohmann::json(m.lastDataAgeSeconds)}});
  }
  nlohmann::json uplinks = nlohmann::json::array();
  for (const auto& u : r.uplinks) {
    uplinks.push_back({{"name", u.name},
                       {"lag", u.lag},
                       {"delivered", u.delivered},
                       {"connected", u.connected},
                       {"last_error", u.lastError}});
  }
  nlohmann::json status = {{"edge", m_config.edge.id},
                           {"version", SPINDLE_VERSION},
                           {"machines", machines},
                           {"uplinks", uplinks},
                           {"journal",
                            {{"depth", r.journal->depth},
                             {"bytes", r.journal->bytes},
                             {"age_s", r.journal->ageSeconds},
                             {"problem", r.journal->problem}}}};
  const auto clock = m_parts.clock();
  status["clock"] = {
      {"state", net::toString(clock.state)},
      {"reason", clock.reason},
      {"server", clock.server},
      {"offset_ms", r.clockOffsetMs ? nlohmann::json(*r.clockOffsetMs) : nlohmann::json(nullptr)}};
  const auto dns = m_parts.resolver ? m_parts.resolver->status() : net::ResolverStatus{};
  if (dns.current < dns.servers.size()) {
    const auto& current = dns.servers[dns.current];
    status["dns"] = {{"server", current.server.name()},
                     {"source", net::toString(current.server.source)},
                     {"last", current.last ? net::toString(*current.last) : "not asked yet"}};
  } else {
    status["dns"] = nullptr;
  }
  nlohmann::json uploads = nlohmann::json::array();
  if (m_parts.uploads) {
    for (const auto& u : m_parts.uploads()) {
      uploads.push_back({{"id", u.id},
                         {"path", u.path},
                         {"key", u.presigned ? nlohmann::json(nullptr) : nlohmann::json(u.key)},
                         {"state", u.state},
                         {"bytes", u.size},
                         {"parts_done", u.partsDone},
                         {"parts_total", u.partsTotal},
                         {"attempts", u.attempts},
                         {"error", u.error}});
    }
  }
  status["uploads"] = std::move(uploads);
  return status;
}

void MachineManager::logMachines() const {
  auto valueText = [this](model::MachineId machine, const char* key) -> std::string {
    const auto item = m_catalog.intern(machine, key);
    if (!item.ok()) return "-";
    const auto obs = m_parts.state->latest(item.value());
    if (!obs) return "-";
    return std::visit(
        [](const auto& v) -> std::string {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, std::string>)
            return v;
          else if constexpr (std::is_same_v<V, std::int64_t>)
            return std::to_string(v);
          else if constexpr (std::is_same_v<V, double>)
            return fmt::format("{:.0f}", v);
          else if constexpr (std::is_same_v<V, model::Unavailable>)
            return "UNAVAILABLE";
          else
            return "?";
        },
        obs->value);
  };
  std::lock_guard lock(m_mutex);  // the cloud may add machines
  for (const auto& ctx : m_contexts) {
    const auto status = ctx->status();
    const auto stats = m_parts.state->machineStats(ctx->machine());
    const double age = dataAge(*ctx);
    const std::string lastData =
        age < 0 ? std::string("no data yet") : fmt::format("last data {:.0f}s ago", age);
    m_log->info(
        "{:<10} {:<10} {:>7} obs, {} | execution={} program={} part_count={} spindle={} rpm",
        ctx->machineName(), collectors::toString(status.state), stats.observations, lastData,
        valueText(ctx->machine(), "execution"), valueText(ctx->machine(), "program"),
        valueText(ctx->machine(), "part_count"), valueText(ctx->machine(), "spindle_speed"));
  }
}

}  // namespace spindle::app
