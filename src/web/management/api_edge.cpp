// The management API's read side: the dashboard, machines, network, cloud link, journal, logs,
// the diagnostics bundle, and the two slow jobs (network check, journal verification).

#include <ctime>

#include "control/config_text.hpp"
#include "web/management/management_server.hpp"

namespace spindle::web::management {

namespace {

double unixSeconds(TimestampNs t) { return static_cast<double>(t) / 1e9; }

nlohmann::json orNull(double value, bool known) {
  return known ? nlohmann::json(value) : nlohmann::json(nullptr);
}

int levelRank(std::string_view level) {
  if (level == "trace") return 0;
  if (level == "debug") return 1;
  if (level == "info") return 2;
  if (level == "warning" || level == "warn") return 3;
  if (level == "error") return 4;
  if (level == "critical") return 5;
  return 2;
}

}  // namespace

// A line of the log ring ("2026-12-05T21:45:38.123 info  [component] message").
nlohmann::json logLineJson(const std::string& line) {
  nlohmann::json j = {{"time", nullptr}, {"level", "info"}, {"component", ""}, {"message", line}};
  std::tm tm{};
  const char* rest = strptime(line.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) return j;
  tm.tm_isdst = -1;
  double seconds = static_cast<double>(mktime(&tm));
  if (*rest == '.') {
    seconds += std::strtod(rest, nullptr);  // ".123"
    while (*rest == '.' || std::isdigit(static_cast<unsigned char>(*rest))) ++rest;
  }
  std::string_view tail(rest);
  while (!tail.empty() && tail.front() == ' ') tail.remove_prefix(1);
  const auto space = tail.find(' ');
  if (space == std::string_view::npos) return j;
  std::string level(tail.substr(0, space));
  tail.remove_prefix(space);
  while (!tail.empty() && tail.front() == ' ') tail.remove_prefix(1);
  std::string component;
  if (!tail.empty() && tail.front() == '[') {
    const auto close = tail.find("] ");
    if (close != std::string_view::npos) {
      component = std::string(tail.substr(1, close - 1));
      tail.remove_prefix(close + 2);
    }
  }
  if (level == "warn") level = "warning";
  j["time"] = seconds;
  j["level"] = level;
  j["component"] = component;
  j["message"] = std::string(tail);
  return j;
}

void ManagementServer::updateRates() {
  const auto now = m_clock.now();
  const auto machines = m_api.machines();
  std::lock_guard lock(m_mutex);
  std::map<std::string, std::pair<std::uint64_t, TimestampNs>> counts;
  for (const auto& m : machines) {
    counts[m.id] = {m.observations, now};
    const auto last = m_lastCounts.find(m.id);
    if (last == m_lastCounts.end() || now <= last->second.second) continue;
    const double seconds = static_cast<double>(now - last->second.second) / 1e9;
    const auto delta =
        m.observations >= last->second.first ? m.observations - last->second.first : 0;
    m_rates[m.id] = static_cast<double>(delta) / seconds;
  }
  std::erase_if(m_rates, [&](const auto& r) { return !counts.contains(r.first); });
  m_lastCounts = std::move(counts);
}

nlohmann::json ManagementServer::machineRow(const app::MachineSummary& m) const {
  const auto rate = m_rates.find(m.id);  // under m_mutex
  return {{"id", m.id},
          {"type", m.type},
          {"address", m.address},
          {"port", m.port == 0 ? nlohmann::json(nullptr) : nlohmann::json(m.port)},
          {"enabled", m.enabled},
          {"state", m.enabled ? m.state : std::string("disabled")},
          {"since", orNull(unixSeconds(m.since), m.since != 0)},
          {"detail", m.detail},
          {"last_data_age_s", orNull(m.lastDataAgeSeconds, m.lastDataAgeSeconds >= 0)},
          {"rate", orNull(rate == m_rates.end() ? 0 : rate->second, rate != m_rates.end())},
          {"observations", m.observations},
          {"reconnects", m.reconnects},
          {"rejects", m.rejects}};
}

nlohmann::json ManagementServer::machinesJson() {
  const auto machines = m_api.machines();
  nlohmann::json list = nlohmann::json::array();
  std::lock_guard lock(m_mutex);
  for (const auto& m : machines) list.push_back(machineRow(m));
  return list;
}

std::string ManagementServer::machinesText() {
  constexpr TimestampNs kFresh = 500'000'000;
  std::lock_guard build(m_machinesMutex);
  const auto now = m_clock.now();
  if (!m_machinesText || now - m_machinesBuilt >= kFresh || now < m_machinesBuilt) {
    m_machinesText = std::make_shared<const std::string>(
        machinesJson().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    m_machinesBuilt = now;
  }
  return *m_machinesText;
}

nlohmann::json ManagementServer::edgeJson() {
  control::HealthReport report;
  report.time = m_clock.now();
  m_api.fillHealth(report);
  control::ProcessSample process;
  {
    std::lock_guard lock(m_mutex);
    if (!m_process) m_process.emplace(m_identity.dataDir);
    m_lastSample = m_process->sample();
    process = m_lastSample;
  }
  std::size_t connected = 0;
  for (const auto& m : report.machines) connected += m.state == "connected" ? 1 : 0;
  nlohmann::json uplinks = nlohmann::json::array();
  for (const auto& u : report.uplinks) {
    uplinks.push_back({{"name", u.name},
                       {"connected", u.connected},
                       {"lag", u.lag},
                       {"lag_s", u.lagSeconds},
                       {"delivered", u.delivered},
                       {"held", u.held},
                       {"last_error", u.lastError}});
  }
  nlohmann::json journal = nullptr;
  if (report.journal) {
    const auto& j = *report.journal;
    journal = {{"bytes", j.bytes},         {"depth", j.depth},     {"oldest_age_s", j.ageSeconds},
               {"evictions", j.evictions}, {"stalled", j.stalled}, {"problem", j.problem}};
  }
  const auto network = m_api.network();
  const auto& ntp = network["ntp"];
  nlohmann::json problems = nlohmann::json::array();
  if (auto ring = m_api.logs()) {
    const auto lines = ring->lines(ring->capacity());
    for (auto it = lines.rbegin(); it != lines.rend() && problems.size() < 20; ++it) {
      auto line = logLineJson(*it);
      if (levelRank(line["level"].get<std::string>()) >= 3) problems.push_back(std::move(line));
    }
  }
  return {
      {"edge", m_identity.edgeId},
      {"version", SPINDLE_VERSION},
      {"started", unixSeconds(m_started)},
      {"uptime_s", static_cast<double>(m_clock.now() - m_started) / 1e9},
      {"machines",
       {{"total", report.machines.size()},
        {"connected", connected},
        {"down", report.machines.size() - connected}}},
      {"uplinks", std::move(uplinks)},
      {"journal", std::move(journal)},
      {"clock",
       {{"state", ntp["state"]},
        {"offset_ms", ntp["offset_ms"]},
        {"server", ntp["server"]},
        {"reason", ntp["reason"]},
        {"flagged", ntp["state"] == "off"}}},
      {"disk", {{"free_bytes", process.diskFreeBytes}, {"total_bytes", process.diskTotalBytes}}},
      {"process", {{"cpu_percent", process.cpuPercent}, {"rss_bytes", process.rssBytes}}},
      {"problems", std::move(problems)}};
}

void ManagementServer::machine(const Call& call) {
  const auto& p = call.parts;
  auto& out = *call.out;
  if (p.size() < 2) {
    out.send(apiError(404, "not_found", "name a machine"));
    return;
  }
  const std::string& id = p[1];
  if (p.size() == 3 && p[2] == "restart" && call.request.method == "POST") {
    if (auto restarted = m_api.restartMachine(id); !restarted) {
      const auto code = restarted.error().code();
      out.send(apiError(code == ErrorCode::kNotFound ? 404 : 409,
                        code == ErrorCode::kNotFound ? "not_found" : "conflict",
                        restarted.error().message()));
      return;
    }
    m_log->info("management page: {} restarted machine {}", call.session->user, id);
    out.send(HttpResponse{204, "", "", {}});
    return;
  }
  if (p.size() == 3 && p[2] == "history") {
    const auto item = call.request.query.find("item");
    if (item == call.request.query.end()) {
      out.send(apiError(400, "bad_request", "name the item: ?item=KEY"));
      return;
    }
    double seconds = 600;
    if (const auto s = call.request.query.find("seconds"); s != call.request.query.end()) {
      seconds = std::clamp(std::strtod(s->second.c_str(), nullptr), 1.0, 86400.0);
    }
    auto history = m_api.itemHistory(id, item->second, seconds, 2000);
    if (!history) {
      out.send(apiError(404, "not_found", history.error().message()));
      return;
    }
    out.send(apiJson(200, *history));
    return;
  }
  if (p.size() == 3 && p[2] == "raw") {
    auto raw = m_api.rawKeys(id);
    if (!raw) {
      out.send(apiError(404, "not_found", raw.error().message()));
      return;
    }
    out.send(apiJson(200, *raw));
    return;
  }
  if (p.size() != 2) {
    out.send(apiError(404, "not_found", "no endpoint " + call.request.path));
    return;
  }
  auto detail = m_api.machineDetail(id);
  if (!detail) {
    out.send(apiError(404, "not_found", detail.error().message()));
    return;
  }
  for (const auto& m : m_api.machines()) {
    if (m.id != id) continue;
    nlohmann::json row;
    {
      std::lock_guard lock(m_mutex);
      row = machineRow(m);
    }
    for (const auto& [k, v] : row.items()) (*detail)[k] = v;
  }
  out.send(apiJson(200, *detail));
}

void ManagementServer::network(const Call& call) { call.out->send(apiJson(200, m_api.network())); }

void ManagementServer::netcheck(const Call& call) {
  auto& out = *call.out;
  if (call.request.method == "GET" && call.parts.size() == 2 && call.parts[1] == "profiles") {
    nlohmann::json names = nlohmann::json::array();
    for (const auto& n : m_api.netcheckProfiles()) names.push_back(n);
    out.send(apiJson(200, names));
    return;
  }
  if (call.request.method != "POST" || call.parts.size() != 1) {
    out.send(apiError(404, "not_found", "no endpoint " + call.request.path));
    return;
  }
  nlohmann::json args = {{"profile", call.body.value("profile", std::string("commercial"))}};
  auto self = shared_from_this();
  auto responder = call.out;
  const std::string user = call.session->user;
  const bool queued = m_worker.post([self, responder, args, user] {
    self->m_log->info("management page: {} runs the network check ({})", user,
                      args["profile"].get<std::string>());
    auto report = self->m_api.netcheck(args);
    if (!report) {
      responder->send(apiError(400, "bad_request", report.error().describe()));
      return;
    }
    {
      std::lock_guard lock(self->m_mutex);
      self->m_lastNetcheck = *report;
    }
    responder->send(apiJson(200, *report));
  });
  if (!queued) out.send(apiError(503, "unavailable", "a check is running: try again after it"));
}

void ManagementServer::cloud(const Call& call) {
  control::HealthReport report;
  report.time = m_clock.now();
  m_api.fillHealth(report);
  nlohmann::json nats = nullptr;
  for (const auto& u : report.uplinks) {
    if (u.name != "nats") continue;
    nats = {{"state", u.connected ? "connected" : "disconnected"},
            {"connected", u.connected},
            {"lag", u.lag},
            {"lag_s", u.lagSeconds},
            {"in_flight", u.inFlight},
            {"delivered", u.delivered},
            {"retries", u.retries},
            {"last_error", u.lastError}};
  }
  const auto journal = m_api.journal();  // held: the loop reads into it
  for (const auto& u : journal["uplinks"]) {
    if (u.value("name", "") == "nats" && nats.is_object()) {
      for (const auto& [k, v] : u.items()) {
        if (!nats.contains(k)) nats[k] = v;
      }
    }
  }
  if (nats.is_object() && m_cloudDescription) {
    const auto described = m_cloudDescription();
    for (const auto& [k, v] : described.items()) nats[k] = v;
  }
  const auto c = m_api.configState();
  nlohmann::json config = {{"version", c.version},
                           {"source", c.source},
                           {"applied_at", orNull(unixSeconds(c.appliedAt), c.appliedAt != 0)},
                           {"rejected_version", c.rejectedVersion},
                           {"error", c.error},
                           {"pending_restart", c.outcome.pendingRestart},
                           {"refused", c.outcome.refused}};
  call.out->send(apiJson(200, {{"nats", std::move(nats)}, {"config", std::move(config)}}));
}

void ManagementServer::journal(const Call& call) {
  if (call.request.method == "GET" && call.parts.size() == 1) {
    call.out->send(apiJson(200, m_api.journal()));
    return;
  }
  if (call.request.method != "POST" || call.parts.size() != 2 || call.parts[1] != "verify") {
    call.out->send(apiError(404, "not_found", "no endpoint " + call.request.path));
    return;
  }
  auto self = shared_from_this();
  auto out = call.out;
  const bool queued = m_worker.post([self, out] {
    auto verified = self->m_api.verifyJournal();
    out->send(verified ? apiJson(200, *verified)
                       : apiError(500, "internal", verified.error().describe()));
  });
  if (!queued) call.out->send(apiError(503, "unavailable", "the edge is busy: try again"));
}

void ManagementServer::logs(const Call& call) {
  const auto& q = call.request.query;
  const int least = q.contains("level") ? levelRank(q.at("level")) : 0;
  const std::string component = q.contains("component") ? q.at("component") : "";
  std::size_t limit = 200;
  if (q.contains("limit"))
    limit = std::clamp<std::size_t>(std::strtoul(q.at("limit").c_str(), nullptr, 10), 1, 5000);
  nlohmann::json out = nlohmann::json::array();
  if (auto ring = m_api.logs()) {
    const auto lines = ring->lines(ring->capacity());
    std::vector<nlohmann::json> picked;
    for (auto it = lines.rbegin(); it != lines.rend() && picked.size() < limit; ++it) {
      auto line = logLineJson(*it);
      if (levelRank(line["level"].get<std::string>()) < least) continue;
      if (!component.empty() &&
          line["component"].get<std::string>().find(component) == std::string::npos) {
        continue;
      }
      picked.push_back(std::move(line));
    }
    for (auto it = picked.rbegin(); it != picked.rend(); ++it) out.push_back(std::move(*it));
  }
  call.out->send(apiJson(200, out));
}

void ManagementServer::diagnostics(const Call& call) {
  nlohmann::json bundle;
  bundle["schema"] = "spindle.diagnostics.v1";
  bundle["edge"] = edgeJson();
  bundle["machines"] = machinesJson();
  bundle["status"] = m_api.status();
  bundle["journal"] = m_api.journal();
  bundle["network"] = m_api.network();
  bundle["configuration"] = control::redactConfig(m_api.configText());
  {
    std::lock_guard lock(m_mutex);
    bundle["netcheck"] = m_lastNetcheck;
  }
  nlohmann::json lines = nlohmann::json::array();
  if (auto ring = m_api.logs()) {
    for (const auto& l : ring->lines(ring->capacity())) lines.push_back(l);
  }
  bundle["logs"] = std::move(lines);
  auto r = apiJson(200, bundle);
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"spindle-diagnostics-" +
                                                    m_identity.edgeId + ".json\"");
  m_log->info("management page: {} downloaded a diagnostics bundle", call.session->user);
  call.out->send(std::move(r));
}

}  // namespace spindle::web::management
