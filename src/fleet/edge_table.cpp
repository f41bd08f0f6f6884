#include "fleet/edge_table.hpp"

#include <algorithm>
#include <cstdio>

#include <fnmatch.h>
#include <nlohmann/json.hpp>

namespace spindle::fleet {

using nlohmann::json;

Result<SortKey> parseSortKey(const std::string& text) {
  if (text == "edge") return SortKey::kEdge;
  if (text == "version") return SortKey::kVersion;
  if (text == "age") return SortKey::kAge;
  if (text == "lag") return SortKey::kLag;
  if (text == "seen") return SortKey::kSeen;
  return Error(ErrorCode::kInvalidArgument,
               "unknown sort key '" + text + "' (use edge, version, age, lag or seen)");
}

bool edgeMatches(const std::string& pattern, const std::string& edge) {
  if (pattern.empty()) return true;
  if (pattern.find_first_of("*?[") != std::string::npos) {
    return ::fnmatch(pattern.c_str(), edge.c_str(), 0) == 0;
  }
  return edge.find(pattern) != std::string::npos;
}

std::vector<EdgeRow> selectRows(std::vector<EdgeRow> rows, const RowFilter& filter, SortKey key) {
  std::erase_if(rows, [&](const EdgeRow& r) {
    if (!edgeMatches(filter.pattern, r.edge)) return true;
    if (!filter.behindOnly && !filter.silentOnly) return false;
    return !((filter.behindOnly && r.state == EdgeState::kBehind) ||
             (filter.silentOnly && r.state == EdgeState::kSilent));
  });
  // Worst first: the larger figure sorts first, unknown last.
  auto worse = [](const std::optional<double>& a, const std::optional<double>& b) {
    return a.value_or(-1) > b.value_or(-1);
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const EdgeRow& a, const EdgeRow& b) {
    switch (key) {
      case SortKey::kEdge:
        break;
      case SortKey::kVersion:
        if (a.version != b.version) return a.version < b.version;
        break;
      case SortKey::kAge:
        if (a.journalAgeSeconds != b.journalAgeSeconds) {
          return worse(a.journalAgeSeconds, b.journalAgeSeconds);
        }
        break;
      case SortKey::kLag:
        if (a.uplinkLagSeconds != b.uplinkLagSeconds) {
          return worse(a.uplinkLagSeconds, b.uplinkLagSeconds);
        }
        break;
      case SortKey::kSeen:
        if (a.receivedAt != b.receivedAt) return a.receivedAt < b.receivedAt;
        break;
    }
    return a.edge < b.edge;
  });
  return rows;
}

namespace {

std::string orDash(const std::optional<double>& seconds) {
  return seconds ? shortDuration(*seconds) : "-";
}

std::string lagText(const EdgeRow& r) {
  if (!r.uplinkLag && !r.uplinkLagSeconds) return "-";
  std::string out = r.uplinkLag ? std::to_string(*r.uplinkLag) : "?";
  out += " " + orDash(r.uplinkLagSeconds);
  if (r.uplinksDown > 0) out += " (" + std::to_string(r.uplinksDown) + " down)";
  return out;
}

std::string clockText(const std::optional<double>& ms) {
  if (!ms) return "-";
  char buf[32];
  if (std::abs(*ms) < 1000) {
    std::snprintf(buf, sizeof buf, "%+.1fms", *ms);
  } else {
    std::snprintf(buf, sizeof buf, "%+.1fs", *ms / 1000);
  }
  return buf;
}

std::string seenText(const EdgeRow& r, TimestampNs now) {
  std::string out = shortDuration(std::max(0.0, r.seenAgo(now)));
  // A heartbeat whose own time is far from when it arrived: a wrong clock or a delay on the
  // way; say so beside the age the hub measured.
  if (auto sent = r.sentAgo(now); sent && std::abs(*sent - r.seenAgo(now)) > 2.0) {
    out += " (sent " + (*sent < 0 ? "in " + shortDuration(-*sent) : shortDuration(*sent)) + ")";
  }
  return out;
}

}  // namespace

std::string renderTable(const std::vector<EdgeRow>& rows, TimestampNs now) {
  std::vector<std::vector<std::string>> cells{
      {"EDGE", "VERSION", "UPTIME", "MACHINES", "JOURNAL", "LAG", "CLOCK", "SEEN", "STATE"}};
  int counts[3] = {0, 0, 0};
  for (const auto& r : rows) {
    ++counts[static_cast<int>(r.state)];
    std::string state = toString(r.state);
    if (!r.why.empty()) state += ": " + r.why;
    if (!r.rejectedVersion.empty()) state += " (config " + r.rejectedVersion + " rejected)";
    cells.push_back({r.edge, r.version.empty() ? "-" : r.version, orDash(r.uptimeSeconds),
                     std::to_string(r.machinesUp) + "/" + std::to_string(r.machinesTotal),
                     orDash(r.journalAgeSeconds), lagText(r), clockText(r.clockOffsetMs),
                     seenText(r, now), state});
  }
  std::vector<std::size_t> width(cells.front().size(), 0);
  for (const auto& line : cells) {
    for (std::size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], line[c].size());
  }
  std::string out;
  out.reserve(cells.size() * 96);
  for (const auto& line : cells) {
    for (std::size_t c = 0; c < line.size(); ++c) {
      out += line[c];
      if (c + 1 < line.size()) out.append(width[c] - line[c].size() + 2, ' ');
    }
    out += '\n';
  }
  out += std::to_string(rows.size()) + (rows.size() == 1 ? " edge: " : " edges: ") +
         std::to_string(counts[0]) + " ok, " + std::to_string(counts[1]) + " behind, " +
         std::to_string(counts[2]) + " silent\n";
  return out;
}

std::string renderJson(const std::vector<EdgeRow>& rows, TimestampNs now) {
  using ojson = nlohmann::ordered_json;  // the fields in the order docs/fleet.md lists them
  auto opt = [](const auto& v) { return v ? ojson(*v) : ojson(nullptr); };
  ojson out = ojson::array();
  for (const auto& r : rows) {
    ojson j = {{"edge", r.edge},
               {"version", r.version},
               {"uptime_s", opt(r.uptimeSeconds)},
               {"machines_up", r.machinesUp},
               {"machines_total", r.machinesTotal},
               {"journal_age_s", opt(r.journalAgeSeconds)},
               {"uplink_lag", opt(r.uplinkLag)},
               {"uplink_lag_s", opt(r.uplinkLagSeconds)},
               {"uplinks_down", r.uplinksDown},
               {"clock_offset_ms", opt(r.clockOffsetMs)},
               {"time", r.sentAt != 0 ? ojson(formatTimestamp(r.sentAt)) : ojson(nullptr)},
               {"received", formatTimestamp(r.receivedAt)},
               {"seen_s", r.seenAgo(now)},
               {"sent_age_s", opt(r.sentAgo(now))},
               {"state", toString(r.state)},
               {"why", r.why},
               {"config_version", r.configVersion},
               {"update_running", r.updateRunning},
               {"update_pending", r.updatePending}};
    if (!r.rejectedVersion.empty()) j["config_rejected_version"] = r.rejectedVersion;
    out.push_back(std::move(j));
  }
  return out.dump(2) + "\n";
}

}  // namespace spindle::fleet
