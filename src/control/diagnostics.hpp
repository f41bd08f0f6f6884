#pragma once
/// Remote diagnostics: NATS request/reply services on `spindle.<edge>.diag.<command>`, served
/// over the edge's own connection (nothing listens for inbound connections). A request body
/// is a JSON object of arguments (or empty); every reply is one JSON object:
///   {"ok":true,"edge":..,"command":..,"result":...}  or  {"ok":false,...,"error":"..."}.
/// Commands: status, netcheck, logs, config, restart, journal. Unknown ones get an error.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

#include "base/error.hpp"
#include "control/log_ring.hpp"
#include "uplinks/nats/nats_connection.hpp"

namespace spindle::control {

/// What the gateway answers with. A missing (empty) handler makes its command reply
/// "not available on this edge". Handlers run on the diagnostics thread, one at a time.
struct DiagnosticsHandlers {
  /// `status`: machines, uplinks, journal summary.
  std::function<nlohmann::json()> status;
  /// `netcheck`: runs the firewall checks; args as sent (e.g. {"profile":"commercial"}).
  std::function<Result<nlohmann::json>(const nlohmann::json& args)> netcheck;
  /// `config`: the running configuration's YAML text (redacted before it leaves the edge).
  std::function<std::string()> configText;
  /// `restart`: restarts one machine's collector ({"machine":"mill-1"}).
  std::function<Status(const std::string& machine)> restartMachine;
  /// `journal`: journal figures (depth, segments, cursors).
  std::function<Result<nlohmann::json>()> journal;
  /// `logs`: the last lines ({"lines":N}, default 100, at most the ring's capacity).
  std::shared_ptr<LogRing> logs;
};

class DiagnosticsService {
 public:
  DiagnosticsService(std::string edgeId, uplinks::nats::NatsConnection& connection,
                     DiagnosticsHandlers handlers);
  ~DiagnosticsService();

  /// Subscribes `spindle.<edge>.diag.*`. The connection must be started (it may still be
  /// connecting: the subscription is sent once it is up).
  Status start();
  /// Unsubscribes and waits for a request being answered. Idempotent.
  void stop();

  /// Answers one request (what the subscription does); public for tests.
  nlohmann::json handle(const std::string& command, const std::string& body);
  std::uint64_t requests() const { return m_requests.load(); }

 private:
  struct Shared;
  static void onMessage(natsConnection* nc, natsSubscription* sub, natsMsg* msg, void* closure);

  std::string m_edge;
  uplinks::nats::NatsConnection& m_connection;
  DiagnosticsHandlers m_handlers;
  std::shared_ptr<spdlog::logger> m_log;
  std::shared_ptr<Shared> m_shared;
  natsSubscription* m_sub = nullptr;
  std::atomic<std::uint64_t> m_requests{0};
};

}  // namespace spindle::control
