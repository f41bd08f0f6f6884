// The management API's live updates: one timer on the io_context every half second builds each
// event once and queues it to every open stream (LiveClient bounds what a stream may hold).

#include <limits>

#include "web/management/live_client.hpp"
#include "web/management/management_server.hpp"

namespace spindle::web::management {

namespace {
constexpr auto kTick = std::chrono::milliseconds(500);
}  // namespace

void ManagementServer::openEvents(const Call& call) {
  const auto machine = call.request.query.find("machine");
  std::shared_ptr<LiveClient> client;
  {
    std::lock_guard lock(m_mutex);
    std::erase_if(m_live, [](const auto& c) { return !c->open(); });
    if (m_live.size() >= m_options.maxEventClients) {
      call.out->send(apiError(503, "unavailable",
                              "too many live-update streams are open (web.management."
                              "max_event_clients)"));
      return;
    }
    client = std::make_shared<LiveClient>(
        call.out, machine == call.request.query.end() ? "" : machine->second,
        static_cast<std::size_t>(m_options.eventQueue.bytes));
    m_live.push_back(client);
  }
  client->start();
  if (auto ring = m_api.logs(); ring && m_logSeen.load() == 0) {
    std::uint64_t total = 0;
    ring->linesAfter(std::numeric_limits<std::uint64_t>::max(), total);
    m_logSeen = total;  // the first stream follows from now; the page reads the past by /logs
  }
  client->push("machines", machinesText());
  client->push("edge", edgeJson().dump());
}

void ManagementServer::scheduleTick() {
  m_timer.expires_after(kTick);
  m_timer.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || self->m_stopped) return;
    self->tick();
    self->scheduleTick();
  });
}

void ManagementServer::tick() {
  std::vector<std::shared_ptr<LiveClient>> live;
  std::uint64_t ticks = 0;
  {
    std::lock_guard lock(m_mutex);
    std::erase_if(m_live, [](const auto& c) { return !c->open(); });
    live = m_live;
    ticks = ++m_ticks;
  }
  if (ticks % 2 == 0) updateRates();  // rates every second, with or without browsers
  if (live.empty()) return;
  if (ticks % 2 == 0) {
    const std::string machines = machinesText();
    for (auto& c : live) c->push("machines", machines);
  }
  if (ticks % 4 == 0) {
    const std::string edge = edgeJson().dump();
    for (auto& c : live) c->push("edge", edge);
  }
  // New log lines, every tick, to every stream (the Logs page follows them).
  if (auto ring = m_api.logs()) {
    std::uint64_t total = 0;
    const auto lines = ring->linesAfter(m_logSeen.load(), total);
    m_logSeen = total;
    if (!lines.empty()) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& line : lines) list.push_back(logLineJson(line));
      const std::string text = list.dump();
      for (auto& c : live) c->push("log", text);
    }
  }
  // Values: each followed machine's items read once, each client sent what is new to it.
  std::map<std::string, nlohmann::json> items;
  for (auto& c : live) {
    if (c->machine().empty()) continue;
    auto it = items.find(c->machine());
    if (it == items.end()) {
      auto detail = m_api.machineDetail(c->machine());
      it = items.emplace(c->machine(), detail ? (*detail)["items"] : nlohmann::json::array()).first;
    }
    const double since = c->valuesSent.load();
    nlohmann::json changed = nlohmann::json::array();
    double newest = since;
    for (const auto& item : it->second) {
      const double t = item["time"].is_number() ? item["time"].get<double>() : 0;
      if (t > since) {
        changed.push_back(item);
        newest = std::max(newest, t);
      }
    }
    if (changed.empty()) continue;
    c->valuesSent = newest;
    c->push("values", changed.dump());
  }
}

}  // namespace spindle::web::management
