#include "control/health.hpp"

#include <nlohmann/json.hpp>

#include "base/log.hpp"
#include "base/thread_name.hpp"

namespace spindle::control {

using nlohmann::json;

std::string toJson(const HealthReport& r) {
  json j;
  j["schema"] = kHealthSchema;
  j["edge"] = r.edge;
  j["version"] = r.version;
  j["time"] = formatTimestamp(r.time);
  j["uptime_s"] = r.uptimeSeconds;
  json config = {{"version", r.config.version}, {"source", r.config.source}};
  if (r.config.appliedAt) config["applied_at"] = formatTimestamp(r.config.appliedAt);
  config["complete"] = r.config.pendingRestart.empty() && r.config.refused.empty();
  config["pending_restart"] = r.config.pendingRestart;
  config["refused"] = r.config.refused;
  if (!r.config.error.empty()) {
    config["rejected_version"] = r.config.rejectedVersion;
    config["error"] = r.config.error;
  }
  j["config"] = config;
  json machines = json::array();
  for (const auto& m : r.machines) {
    json jm = {{"id", m.id},
               {"state", m.state},
               {"observations", m.observations},
               {"rate", m.observationRate < 0 ? 0.0 : m.observationRate}};
    if (!m.detail.empty()) jm["detail"] = m.detail;
    if (m.lastObservation) jm["last_observation"] = formatTimestamp(m.lastObservation);
    jm["last_data_age_s"] = m.lastDataAgeSeconds < 0 ? json(nullptr) : json(m.lastDataAgeSeconds);
    if (m.refusedItems + m.refusedConditions + m.refusedAssets + m.refusedValues + m.refusedKeys >
        0) {
      jm["refused"] = {{"items", m.refusedItems},
                       {"conditions", m.refusedConditions},
                       {"assets", m.refusedAssets},
                       {"values", m.refusedValues},
                       {"keys", m.refusedKeys}};
    }
    machines.push_back(jm);
  }
  j["machines"] = machines;
  if (r.journal) {
    json jj = {{"depth", r.journal->depth},
               {"age_s", r.journal->ageSeconds},
               {"evictions", r.journal->evictions},
               {"bytes", r.journal->bytes},
               {"stalled", r.journal->stalled}};
    if (!r.journal->problem.empty()) jj["problem"] = r.journal->problem;
    if (!r.journal->id.empty()) jj["id"] = r.journal->id;
    if (!r.journal->replacedId.empty()) jj["replaced_id"] = r.journal->replacedId;
    jj["dropped_consumers"] = r.journal->droppedConsumers;
    if (!r.journal->heldFor.empty()) jj["held_for"] = r.journal->heldFor;
    j["journal"] = jj;
  } else {
    j["journal"] = nullptr;
  }
  json uplinks = json::array();
  for (const auto& u : r.uplinks) {
    json ju = {{"name", u.name},        {"connected", u.connected}, {"lag", u.lag},
               {"lag_s", u.lagSeconds}, {"delivered", u.delivered}, {"held", u.held},
               {"evicted", u.evicted},  {"retries", u.retries},     {"in_flight", u.inFlight}};
    if (!u.lastError.empty()) ju["last_error"] = u.lastError;
    uplinks.push_back(ju);
  }
  j["uplinks"] = uplinks;
  json subscriptions = json::array();
  for (const auto& s : r.subscriptions) {
    subscriptions.push_back({{"name", s.name},
                             {"batches", s.batches},
                             {"dropped", s.dropped},
                             {"dropped_observations", s.droppedObservations},
                             {"queued", s.queued}});
  }
  j["subscriptions"] = subscriptions;
  j["clock_offset_ms"] = r.clockOffsetMs ? json(*r.clockOffsetMs) : json(nullptr);
  const auto& p = r.process;
  j["cpu_percent"] = p.cpuPercent;
  j["memory"] = {{"rss_bytes", p.rssBytes},
                 {"host_total_bytes", p.memTotalBytes},
                 {"host_available_bytes", p.memAvailableBytes}};
  j["disk"] = {{"total_bytes", p.diskTotalBytes}, {"free_bytes", p.diskFreeBytes}};
  j["threads"] = p.threads;
  if (r.update) {
    const auto& u = *r.update;
    j["update"] = {{"running", u.running},
                   {"pending", u.pending},
                   {"on_trial", u.onTrial},
                   {"last",
                    {{"result", u.lastResult},
                     {"version", u.lastVersion},
                     {"reason", u.lastReason},
                     {"detail", u.lastDetail}}}};
  } else {
    j["update"] = nullptr;
  }
  j["load1"] = p.load1;
  j["crash_reports_pending"] = r.crashReportsPending ? json(*r.crashReportsPending) : json(nullptr);
  if (r.uploads) {
    j["uploads"] = {{"pending", r.uploads->pending},
                    {"failed", r.uploads->failed},
                    {"bytes", r.uploads->bytes}};
  } else {
    j["uploads"] = nullptr;
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

HealthPublisher::HealthPublisher(HealthOptions options, std::string edgeId, std::string dataDir,
                                 Channel& channel)
    : m_options(options),
      m_edge(std::move(edgeId)),
      m_channel(channel),
      m_log(makeLogger("control.health")),
      m_process(std::move(dataDir)),
      m_startedAt(std::chrono::steady_clock::now()) {}

HealthPublisher::~HealthPublisher() { stop(); }

void HealthPublisher::addProvider(HealthProvider& provider) { m_providers.push_back(&provider); }

Status HealthPublisher::start() {
  if (m_thread.joinable() || m_options.interval.count() <= 0) return okStatus();
  {
    std::lock_guard lock(m_mutex);
    m_stopping = false;
  }
  m_process.sample();  // the first CPU figure needs a previous reading
  m_thread = std::thread([this] {
    nameThisThread("health");
    run();
  });
  return okStatus();
}

void HealthPublisher::stop() {
  if (!m_thread.joinable()) return;
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_all();
  m_thread.join();
}

HealthReport HealthPublisher::collect() {
  std::lock_guard lock(m_collectMutex);
  HealthReport r;
  r.edge = m_edge;
  r.time = wallClockNs();
  const auto now = std::chrono::steady_clock::now();
  r.uptimeSeconds = std::chrono::duration<double>(now - m_startedAt).count();
  for (auto* p : m_providers) p->fill(r);
  r.process = m_process.sample();
  // Observation rates from the cumulative counts, over the time since the previous report.
  const double seconds = m_lastCollect == std::chrono::steady_clock::time_point{}
                             ? 0
                             : std::chrono::duration<double>(now - m_lastCollect).count();
  std::vector<std::pair<std::string, std::uint64_t>> counts;
  for (auto& m : r.machines) {
    counts.emplace_back(m.id, m.observations);
    if (m.observationRate >= 0) continue;
    m.observationRate = 0;
    for (const auto& [id, before] : m_lastCounts) {
      if (id == m.id && seconds > 0 && m.observations >= before) {
        m.observationRate = static_cast<double>(m.observations - before) / seconds;
      }
    }
  }
  m_lastCounts = std::move(counts);
  m_lastCollect = now;
  return r;
}

Status HealthPublisher::publishNow() {
  const std::string body = toJson(collect());
  return m_channel.publish(kTopic, body);
}

void HealthPublisher::requestPublish() {
  {
    std::lock_guard lock(m_mutex);
    m_requested = true;
  }
  m_wake.notify_all();
}

void HealthPublisher::run() {
  while (true) {
    {
      std::unique_lock lock(m_mutex);
      m_wake.wait_for(lock, m_options.interval, [this] { return m_stopping || m_requested; });
      if (m_stopping) return;
      m_requested = false;
    }
    // A heartbeat missed while disconnected is not queued: the next one carries fresh figures.
    if (!m_channel.connected()) continue;
    if (auto status = publishNow(); !status) {
      m_log->warn("{}", status.error().describe());
    }
  }
}

}  // namespace spindle::control
