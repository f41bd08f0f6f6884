#pragma once
/// Waiting for an edge to say what became of a change: the fleet tool subscribes to the edge's
/// heartbeats before it writes the change, then reads each heartbeat until one reports the
/// outcome (docs/cloud-protocol.md: config.version / config.rejected_version, update.running /
/// update.last). The decisions are pure functions of one heartbeat.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "fleet/health_stream.hpp"
#include "fleet/hub_connection.hpp"

namespace spindle::fleet {

/// A subscription to `spindle.<edge>.health`, or to every edge's with edge "*".
class HeartbeatWatch {
 public:
  static Result<std::unique_ptr<HeartbeatWatch>> open(HubConnection& hub, const std::string& edge);
  ~HeartbeatWatch();
  HeartbeatWatch(const HeartbeatWatch&) = delete;
  HeartbeatWatch& operator=(const HeartbeatWatch&) = delete;

  /// The next heartbeat, parsed (a heartbeat that is not JSON is skipped), or nullopt when
  /// none arrives before `deadline`.
  std::optional<nlohmann::json> next(std::chrono::steady_clock::time_point deadline);
  /// Every heartbeat that arrived and was not read yet, without waiting (`fleet watch`).
  std::vector<Heartbeat> drain();

 private:
  explicit HeartbeatWatch(natsSubscription* sub) : m_sub(sub) {}
  natsSubscription* m_sub = nullptr;
};

enum class Outcome { kWaiting, kDone, kFailed };

/// For a desired configuration written as `version` ("kv:<revision>"): kDone when the edge
/// runs it (config.version), kFailed when it rejected it (config.rejected_version).
Outcome configOutcome(const nlohmann::json& beat, const std::string& version);

/// For an update to `version`: kDone when the edge runs it (update.running), kFailed when its
/// last result for that version is refused or rolled_back.
Outcome updateOutcome(const nlohmann::json& beat, const std::string& version);

}  // namespace spindle::fleet
