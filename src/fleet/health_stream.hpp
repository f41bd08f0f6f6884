#pragma once
/// SPINDLE_HEALTH: the hub's memory of the last heartbeat of every edge.
///
/// Heartbeats are core NATS messages: nothing keeps them, so a tool that starts would have to
/// listen for a whole heartbeat interval to see the fleet. The stream captures
/// `spindle.*.health` and keeps one message per subject (max_msgs_per_subject 1), so the last
/// heartbeat of each edge can be read at once, in one pass of an ordered consumer that starts
/// at the last message of every subject (docs/fleet.md, docs/architecture.md).

#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/time.hpp"
#include "base/units.hpp"
#include "fleet/hub_connection.hpp"

namespace spindle::fleet {

inline constexpr const char* kHealthStream = "SPINDLE_HEALTH";
inline constexpr const char* kHealthSubjects = "spindle.*.health";
inline constexpr const char* kConfigBucket = "spindle_config";
inline constexpr const char* kUpdateBucket = "spindle_updates";

/// One heartbeat as the hub had it.
struct Heartbeat {
  std::string subject;       ///< spindle.<edge>.health
  std::string body;          ///< the JSON text
  TimestampNs received = 0;  ///< stored by the stream, or arrived here (live)
};

struct StreamSettings {
  int replicas = 1;                          ///< 3 on a 3-node JetStream cluster
  Duration maxAge = std::chrono::hours(24);  ///< an edge silent longer drops out of `fleet ls`
};

/// Creates the stream, or updates it when its settings differ from `settings`. Returns what it
/// did, in words, for `fleet init` to print.
Result<std::string> ensureHealthStream(HubConnection& hub, const StreamSettings& settings);
/// Creates the KV bucket when it does not exist (keeping `history` revisions per key).
Result<std::string> ensureBucket(HubConnection& hub, const std::string& bucket, int history,
                                 int replicas);

/// The last heartbeat of every edge in the stream, in subject order. kNotFound when the hub
/// has no SPINDLE_HEALTH stream (run `spindle fleet init`).
Result<std::vector<Heartbeat>> readLatest(HubConnection& hub);
/// The last heartbeat of one edge from the stream; nullopt when it has none. kNotFound when
/// there is no stream.
Result<std::optional<Heartbeat>> readLatestOf(HubConnection& hub, const std::string& edge);

/// Listens on `subject` (a wildcard for all edges, or one edge's) for `duration` and returns
/// the last heartbeat of each subject heard; stops early after the first one when
/// `untilFirst`. For hubs without the stream.
Result<std::vector<Heartbeat>> listenLive(HubConnection& hub, const std::string& subject,
                                          Duration duration, bool untilFirst = false);

}  // namespace spindle::fleet
