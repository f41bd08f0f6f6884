#pragma once
/// Remote diagnostics: requests on the channel's topics `diag.<command>` (over NATS: request/reply
/// on `spindle.<edge>.diag.<command>`, on the edge's own connection). A request body
/// is a JSON object of arguments (or empty); every reply is one JSON object:
///   {"ok":true,"edge":..,"command":..,"result":...}  or  {"ok":false,...,"error":"..."}.
/// Commands: status, netcheck, logs, config, restart, journal, upload. Unknown ones get an error.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

#include "base/error.hpp"
#include "control/channel.hpp"
#include "control/log_ring.hpp"

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
  /// `upload`: writes a diagnostics bundle and queues it for the uploads bucket (or the
  /// presigned URL in {"url": ...}); answers the upload's id and key.
  std::function<Result<nlohmann::json>(const nlohmann::json& args)> upload;
  /// `logs`: the last lines ({"lines":N}, default 100, at most the ring's capacity).
  std::shared_ptr<LogRing> logs;
};

class DiagnosticsService {
 public:
  /// The channel outlives the service.
  DiagnosticsService(std::string edgeId, Channel& channel, DiagnosticsHandlers handlers);
  ~DiagnosticsService();

  /// Serves `diag.*` on the channel. The channel's transport must be started (it may still be
  /// connecting: requests are answered once it is up).
  Status start();
  /// Unsubscribes and waits for a request being answered. Idempotent.
  void stop();

  /// Answers one request (what the subscription does); public for tests.
  nlohmann::json handle(const std::string& command, std::string_view body);
  std::uint64_t requests() const { return m_requests.load(); }

 private:
  std::string m_edge;
  Channel& m_channel;
  DiagnosticsHandlers m_handlers;
  std::shared_ptr<spdlog::logger> m_log;
  std::unique_ptr<ChannelHandle> m_service;
  std::atomic<std::uint64_t> m_requests{0};
};

}  // namespace spindle::control
