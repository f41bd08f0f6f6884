// The Gateway's part of the cloud link: starting it, the figures it reports, and the changes
// the cloud may ask for at run time (restart a machine, apply a configuration per machine).

#include <algorithm>
#include <future>
#include <map>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "app/cloud_servers.hpp"
#include "app/gateway.hpp"
#include "base/log.hpp"
#include "base/redact.hpp"
#include "journal/journal_reader.hpp"
#include "netcheck/machine_targets.hpp"
#include "netcheck/netcheck.hpp"

namespace spindle::app {

void Gateway::makeCloud() {
  CloudHooks hooks;
  hooks.fillHealth = [this](control::HealthReport& r) { fillHealth(r); };
  hooks.status = [this] { return statusJson(); };
  hooks.restartMachine = [this](const std::string& id) { return restartMachine(id); };
  hooks.validateConfig = [this](const std::string& yaml) -> Status {
    auto desired = loadDesired(yaml);
    if (!desired) return std::move(desired).error();
    return okStatus();
  };
  hooks.applyConfig = [this](const std::string& yaml, const std::string& version) {
    return applyConfig(yaml, version);
  };
  hooks.configText = [this] {
    std::lock_guard lock(m_machinesMutex);
    return m_config.cloud.text;
  };
  hooks.netcheck = [this](const nlohmann::json& args) { return runNetcheck(args); };
  hooks.runningConfig = m_startConfig;
  hooks.journal = [this] { return journalJson(); };
  m_cloud = std::make_unique<CloudLink>(m_config, m_catalog, std::move(hooks));
}

Status Gateway::startCloud() {
  if (!m_cloud) return okStatus();
  resolveCloudServers();
  if (auto s = m_cloud->start(); !s) return s;
  // The high-frequency channel follows the applied batches. Its offer only copies samples into
  // its own bounded, lossy buffer, so it takes them on the worker as they come: the queue
  // never holds more than one batch. Closed before the cloud link stops (stopJournal).
  auto hf = &m_cloud->link().hf();
  m_hfSubscription = m_pipeline->subscribe("uplink.nats.hf", kHfSubscriptionCapacity,
                                           [hf](state::BatchSubscription& sub) {
                                             std::vector<state::AppliedBatch> taken;
                                             sub.take(taken);
                                             for (const auto& a : taken) hf->offer(*a.batch);
                                           });
  m_log->info("cloud link: NATS uplink to {} as edge {}",
              redactUrl(fmt::format("{}", fmt::join(m_config.cloud.nats->servers, ", "))),
              m_config.edge.id);
  return okStatus();
}

// The hub's names through the DNS chain (app/cloud_servers.hpp), with a bounded wait: the
// chain answers or gives up within its per-server timeouts.
void Gateway::resolveCloudServers() {
  auto& nats = *m_config.cloud.nats;
  if (!m_resolver) return;
  const Duration limit =
      m_config.net.dnsTimeout * static_cast<int>(m_resolver->servers().size() + 1);
  auto resolve = [&](const std::string& host, std::uint16_t port) -> Result<std::string> {
    auto done = std::make_shared<std::promise<Result<net::ResolverChain::Endpoints>>>();
    auto future = done->get_future();
    m_resolver->resolve(host, port, [done](Result<net::ResolverChain::Endpoints> r) {
      done->set_value(std::move(r));
    });
    if (future.wait_for(limit) != std::future_status::ready) {
      return Error(ErrorCode::kTimeout, "no answer within " + formatDuration(limit));
    }
    auto endpoints = future.get();
    if (!endpoints) return std::move(endpoints).error();
    if (endpoints->empty()) return Error(ErrorCode::kNotFound, "no address");
    return endpoints->front().address().to_string();
  };
  const bool tls = !nats.tlsCa.empty() || !nats.tlsCert.empty();
  auto resolved = resolveServers(nats.servers, tls, resolve);
  for (const auto& note : resolved.notes) m_log->info("cloud link: {}", note);
  nats.servers = std::move(resolved.servers);
  nats.expectedHostname = std::move(resolved.expectedHostname);
  m_cloud->link().useServers(nats.servers, nats.expectedHostname);
}

// Built-in profiles only: a remote request never names a file on the edge.
Result<nlohmann::json> Gateway::runNetcheck(const nlohmann::json& args) {
  std::string name = "commercial";
  if (args.is_object() && args.contains("profile") && args["profile"].is_string()) {
    name = args["profile"].get<std::string>();
  }
  auto profile = netcheck::builtinProfile(name);
  if (!profile) return std::move(profile).error().with("netcheck");
  netcheck::NetcheckRequest request;
  request.profile = std::move(*profile);
  std::string text;
  {
    std::lock_guard lock(m_machinesMutex);
    text = m_config.cloud.text;
  }
  collectors::Registry registry;
  collectors::registerBuiltinCollectors(registry);
  try {
    auto machines = netcheck::machineTargets(YAML::Load(text), [&](const std::string& type) {
      const auto* info = registry.find(type);
      return info == nullptr ? std::uint16_t{0} : info->defaultPort;
    });
    if (machines) request.machines = std::move(*machines);
  } catch (const YAML::Exception&) {
  }
  auto report = netcheck::runNetcheck(std::move(request));
  if (!report) return std::move(report).error().with("netcheck");
  return netcheck::toJson(*report);
}

std::string Gateway::kvName() const {
  return m_config.cloud.control.configBucket + "/" + m_config.edge.id;
}

void Gateway::fillHealth(control::HealthReport& report) {
  {
    std::lock_guard lock(m_machinesMutex);
    for (const auto& ctx : m_contexts) {
      const auto status = ctx->status();
      const auto stats = m_state->machineStats(ctx->machine());
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
      report.machines.push_back(std::move(m));
    }
  }
  const auto js = m_journal->stats();
  control::JournalHealth j;
  std::uint64_t slowest = js.durableSequence;
  const auto uplinks = uplinkStats();
  for (const auto& u : uplinks) slowest = std::min(slowest, u.position);
  for (const auto& c : m_journal->consumers()) {
    // Consumers that are not running (an uplink removed, within its grace) hold data too.
    if (c.attached) continue;
    slowest = std::min(slowest, c.next);
    j.heldFor.push_back(c.name);
  }
  j.depth = js.durableSequence > slowest ? js.durableSequence - slowest : 0;
  if (j.depth > 0) {
    // The oldest undelivered observation: one record read at the slowest uplink's position.
    journal::JournalReader reader(*m_journal, m_catalog, slowest, m_log);
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
  if (const auto clock = clockReport(); clock.sample) {
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
}

nlohmann::json Gateway::journalJson() const {
  const auto js = m_journal->stats();
  nlohmann::json uplinks = nlohmann::json::array();
  for (const auto& u : uplinkStats()) {
    nlohmann::json ju = {
        {"name", u.name},           {"position", u.position},  {"lag", u.lag},
        {"delivered", u.delivered}, {"in_flight", u.inFlight}, {"in_flight_bytes", u.inFlightBytes},
        {"backlog", u.backlog},     {"retries", u.retries},    {"held", u.held},
        {"lost", u.lost},           {"evicted", u.evicted},    {"damaged", u.damaged}};
    for (const auto& [name, value] : u.counters) ju[name] = value;
    uplinks.push_back(std::move(ju));
  }
  return {{"first_sequence", js.firstSequence},
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

nlohmann::json Gateway::statusJson() {
  control::HealthReport r;
  if (m_cloud) {
    m_cloud->fill(r);
  } else {
    fillHealth(r);
  }
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
    uplinks.push_back({{"name", u.name}, {"lag", u.lag}, {"delivered", u.delivered}});
  }
  return {{"edge", m_config.edge.id},
          {"machines", machines},
          {"uplinks", uplinks},
          {"journal", {{"depth", r.journal->depth}, {"bytes", r.journal->bytes}}}};
}

}  // namespace spindle::app
