#include "fleet/heartbeat_watch.hpp"

#include "fleet/health_fields.hpp"

namespace spindle::fleet {

using nlohmann::json;

Result<std::unique_ptr<HeartbeatWatch>> HeartbeatWatch::open(HubConnection& hub,
                                                             const std::string& edge) {
  const std::string subject = "spindle." + edge + ".health";
  natsSubscription* sub = nullptr;
  if (natsStatus s = natsConnection_SubscribeSync(&sub, hub.nc(), subject.c_str()); s != NATS_OK) {
    return hubError(s, "subscribing to " + subject);
  }
  // The subscription must be known to the server before the change is written, or the
  // heartbeat that answers it could pass unseen.
  if (natsStatus s = natsConnection_FlushTimeout(hub.nc(), 5000); s != NATS_OK) {
    natsSubscription_Destroy(sub);
    return hubError(s, "subscribing to " + subject);
  }
  return std::unique_ptr<HeartbeatWatch>(new HeartbeatWatch(sub));
}

HeartbeatWatch::~HeartbeatWatch() { natsSubscription_Destroy(m_sub); }

std::optional<json> HeartbeatWatch::next(std::chrono::steady_clock::time_point deadline) {
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    natsMsg* msg = nullptr;
    if (natsSubscription_NextMsg(&msg, m_sub, left.count()) != NATS_OK) return std::nullopt;
    json beat = json::parse(natsMsg_GetData(msg), natsMsg_GetData(msg) + natsMsg_GetDataLength(msg),
                            nullptr, false);
    natsMsg_Destroy(msg);
    if (beat.is_object()) return beat;
  }
}

std::vector<Heartbeat> HeartbeatWatch::drain() {
  std::vector<Heartbeat> out;
  int pending = 0;
  natsSubscription_GetPending(m_sub, &pending, nullptr);
  for (int i = 0; i < pending; ++i) {
    natsMsg* msg = nullptr;
    if (natsSubscription_NextMsg(&msg, m_sub, 1) != NATS_OK) break;
    out.push_back(
        {natsMsg_GetSubject(msg),
         std::string(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg))),
         wallClockNs()});
    natsMsg_Destroy(msg);
  }
  return out;
}

Outcome configOutcome(const json& beat, const std::string& version) {
  const json& config = memberAt(beat, "config");
  if (textAt(config, "version") == version) return Outcome::kDone;
  if (textAt(config, "rejected_version") == version) return Outcome::kFailed;
  return Outcome::kWaiting;
}

Outcome updateOutcome(const json& beat, const std::string& version) {
  const json& update = memberAt(beat, "update");
  if (textAt(update, "running") == version) return Outcome::kDone;
  const json& last = memberAt(update, "last");
  const std::string result = textAt(last, "result");
  if (textAt(last, "version") == version && (result == "refused" || result == "rolled_back")) {
    return Outcome::kFailed;
  }
  return Outcome::kWaiting;
}

}  // namespace spindle::fleet
