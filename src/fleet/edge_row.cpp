#include "fleet/edge_row.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "fleet/health_fields.hpp"

namespace spindle::fleet {

using nlohmann::json;

const char* toString(EdgeState state) {
  switch (state) {
    case EdgeState::kOk:
      return "ok";
    case EdgeState::kBehind:
      return "behind";
    case EdgeState::kSilent:
      return "silent";
  }
  return "?";
}

std::string shortDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "-";
  char buf[32];
  if (seconds < 10) {
    std::snprintf(buf, sizeof buf, "%.1fs", seconds);
  } else if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%.0fs", std::floor(seconds));
  } else if (seconds < 3600) {
    const auto s = static_cast<long>(seconds);
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  } else if (seconds < 86400) {
    const auto m = static_cast<long>(seconds / 60);
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", m / 60, m % 60);
  } else {
    const auto h = static_cast<long>(seconds / 3600);
    std::snprintf(buf, sizeof buf, "%ldd%02ldh", h / 24, h % 24);
  }
  return buf;
}

double EdgeRow::seenAgo(TimestampNs now) const {
  return static_cast<double>(now - receivedAt) / 1e9;
}

std::optional<double> EdgeRow::sentAgo(TimestampNs now) const {
  if (sentAt == 0) return std::nullopt;
  return static_cast<double>(now - sentAt) / 1e9;
}

std::string edgeOfSubject(std::string_view subject) {
  constexpr std::string_view kPrefix = "spindle.";
  constexpr std::string_view kSuffix = ".health";
  if (subject.size() <= kPrefix.size() + kSuffix.size() || !subject.starts_with(kPrefix) ||
      !subject.ends_with(kSuffix)) {
    return "";
  }
  const auto edge =
      subject.substr(kPrefix.size(), subject.size() - kPrefix.size() - kSuffix.size());
  return edge.find('.') == std::string_view::npos ? std::string(edge) : "";
}

Result<EdgeRow> parseHeartbeat(std::string_view text, const std::string& subjectEdge,
                               TimestampNs receivedAt) {
  const json beat = json::parse(text, nullptr, false);
  if (beat.is_discarded()) {
    return Error(ErrorCode::kInvalidArgument, "not JSON")
        .with("heartbeat of " + (subjectEdge.empty() ? std::string("an edge") : subjectEdge));
  }
  return rowOf(beat, subjectEdge, receivedAt);
}

Result<EdgeRow> rowOf(const json& beat, const std::string& subjectEdge, TimestampNs receivedAt) {
  const std::string what =
      "heartbeat of " + (subjectEdge.empty() ? std::string("an edge") : subjectEdge);
  if (!beat.is_object()) {
    return Error(ErrorCode::kInvalidArgument, "not a JSON object").with(what);
  }
  EdgeRow row;
  row.edge = textAt(beat, "edge");
  if (row.edge.empty()) row.edge = subjectEdge;
  if (row.edge.empty()) return Error(ErrorCode::kInvalidArgument, "names no edge").with(what);
  row.version = textAt(beat, "version");
  row.uptimeSeconds = numberAt(beat, "uptime_s");
  row.receivedAt = receivedAt;
  if (auto t = parseTimestamp(textAt(beat, "time"))) row.sentAt = *t;
  for (const auto& m :
       memberAt(beat, "machines").is_array() ? memberAt(beat, "machines") : json::array()) {
    ++row.machinesTotal;
    if (textAt(m, "state") == "connected") ++row.machinesUp;
  }
  row.journalAgeSeconds = numberAt(memberAt(beat, "journal"), "age_s");
  for (const auto& u :
       memberAt(beat, "uplinks").is_array() ? memberAt(beat, "uplinks") : json::array()) {
    if (auto lag = numberAt(u, "lag")) {
      const auto n = static_cast<std::uint64_t>(std::max(0.0, *lag));
      row.uplinkLag = std::max(row.uplinkLag.value_or(0), n);
    }
    if (auto lagS = numberAt(u, "lag_s")) {
      row.uplinkLagSeconds = std::max(row.uplinkLagSeconds.value_or(0.0), *lagS);
    }
    if (!flagAt(u, "connected", true)) ++row.uplinksDown;
  }
  row.clockOffsetMs = numberAt(beat, "clock_offset_ms");
  const json& config = memberAt(beat, "config");
  row.configVersion = textAt(config, "version");
  row.rejectedVersion = textAt(config, "rejected_version");
  const json& update = memberAt(beat, "update");
  row.updateRunning = textAt(update, "running");
  row.updatePending = textAt(update, "pending");
  return row;
}

void classify(EdgeRow& row, TimestampNs now, const Thresholds& thresholds) {
  const double silentAfter = std::chrono::duration<double>(thresholds.silentAfter).count();
  const double behindAfter = std::chrono::duration<double>(thresholds.behindAfter).count();
  row.why.clear();
  const double seen = row.seenAgo(now);
  if (seen > silentAfter) {
    row.state = EdgeState::kSilent;
    row.why = "no heartbeat for " + shortDuration(seen);
    return;
  }
  if (row.journalAgeSeconds && *row.journalAgeSeconds > behindAfter) {
    row.why = "journal " + shortDuration(*row.journalAgeSeconds);
  }
  if (row.uplinkLagSeconds && *row.uplinkLagSeconds > behindAfter) {
    row.why += (row.why.empty() ? "" : ", ") + std::string("uplink lag ") +
               shortDuration(*row.uplinkLagSeconds);
  }
  row.state = row.why.empty() ? EdgeState::kOk : EdgeState::kBehind;
}

}  // namespace spindle::fleet
