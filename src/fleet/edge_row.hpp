#pragma once
/// One edge as `spindle fleet ls` shows it: the figures of its last heartbeat that tell
/// whether it is well (version, machines up, journal age, uplink lag, clock), and how long ago
/// the hub heard from it. Built from the heartbeat's JSON, tolerant of missing and unknown
/// fields; the state (ok, behind, silent) is decided against the caller's thresholds.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/time.hpp"
#include "base/units.hpp"

namespace spindle::fleet {

enum class EdgeState { kOk, kBehind, kSilent };
const char* toString(EdgeState state);

/// When an edge counts as silent or behind (`fleet ls --silent-after/--behind-after`).
struct Thresholds {
  /// No heartbeat received for longer than this: silent. 35 s is three heartbeats of the
  /// default control.health_interval (10 s) and a little.
  Duration silentAfter = std::chrono::seconds(35);
  /// The oldest undelivered observation (journal.age_s) or the oldest unacknowledged one of
  /// any uplink (lag_s) older than this: behind.
  Duration behindAfter = std::chrono::seconds(60);
};

struct EdgeRow {
  std::string edge;
  std::string version;  ///< "" unknown
  std::optional<double> uptimeSeconds;
  int machinesUp = 0;  ///< machines whose state is "connected"
  int machinesTotal = 0;
  std::optional<double> journalAgeSeconds;  ///< journal.age_s; unset without a journal
  std::optional<std::uint64_t> uplinkLag;   ///< max over uplinks of lag (observations)
  std::optional<double> uplinkLagSeconds;   ///< max over uplinks of lag_s
  int uplinksDown = 0;                      ///< uplinks reporting connected: false
  std::optional<double> clockOffsetMs;
  TimestampNs sentAt = 0;       ///< the heartbeat's `time` (edge clock); 0 unknown
  TimestampNs receivedAt = 0;   ///< when the hub stored it, or when it arrived here
  std::string configVersion;    ///< config.version
  std::string rejectedVersion;  ///< config.rejected_version, when the last desired one failed
  std::string updateRunning;    ///< update.running
  std::string updatePending;    ///< update.pending
  EdgeState state = EdgeState::kOk;
  std::string why;  ///< what made it behind or silent, in words ("journal 75s")

  /// Seconds since the heartbeat was received (hub clock), at `now`.
  double seenAgo(TimestampNs now) const;
  /// Seconds since the heartbeat was sent by the edge's own clock; unset when unknown.
  std::optional<double> sentAgo(TimestampNs now) const;
};

/// A duration in the fewest characters a table needs: "0.4s", "42s", "4m12s", "2h05m",
/// "3d04h"; "-" for a negative or non-finite value.
std::string shortDuration(double seconds);

/// The edge's id from a heartbeat subject `spindle.<edge>.health`; "" if it is not one.
std::string edgeOfSubject(std::string_view subject);

/// Builds a row from heartbeat JSON. `subjectEdge` (from the subject) is used when the body
/// names no edge. kInvalidArgument when the text is not a JSON object or names no edge.
Result<EdgeRow> parseHeartbeat(std::string_view text, const std::string& subjectEdge,
                               TimestampNs receivedAt);
/// The same from a parsed heartbeat.
Result<EdgeRow> rowOf(const nlohmann::json& beat, const std::string& subjectEdge,
                      TimestampNs receivedAt);

/// Sets row.state and row.why: silent when nothing was received for `silentAfter`; else
/// behind when the journal age or an uplink's lag is over `behindAfter`; else ok.
void classify(EdgeRow& row, TimestampNs now, const Thresholds& thresholds);

}  // namespace spindle::fleet
