#include "fleet/edge_detail.hpp"

#include <algorithm>
#include <cstdio>

#include "fleet/health_fields.hpp"

namespace spindle::fleet {

using nlohmann::json;

namespace {

std::string number(const std::optional<double>& v, const char* format = "%.1f") {
  if (!v) return "-";
  char buf[48];
  std::snprintf(buf, sizeof buf, format, *v);
  return buf;
}

std::string count(const json& object, const char* key) {
  auto v = numberAt(object, key);
  return v ? std::to_string(static_cast<long long>(*v)) : "-";
}

std::string bytes(const std::optional<double>& v) {
  if (!v) return "-";
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double x = *v;
  int u = 0;
  while (x >= 1024 && u < 4) {
    x /= 1024;
    ++u;
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", x, units[u]);
  return buf;
}

std::string joined(const json& list, const std::string& separator) {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& item : list) {
    if (item.is_string()) out += (out.empty() ? "" : separator) + item.get<std::string>();
  }
  return out;
}

void machines(std::string& out, const json& beat) {
  const json& list = memberAt(beat, "machines");
  const std::size_t n = list.is_array() ? list.size() : 0;
  out += "\nmachines (" + std::to_string(n) + ")\n";
  if (n == 0) return;
  std::vector<std::vector<std::string>> cells{{"ID", "STATE", "RATE/S", "LAST DATA", "DETAIL"}};
  for (const auto& m : list) {
    std::string detail = textAt(m, "detail");
    if (const json& refused = memberAt(m, "refused"); refused.is_object()) {
      detail +=
          (detail.empty() ? "" : "; ") + std::string("input limits refused ") + refused.dump();
    }
    const auto age = numberAt(m, "last_data_age_s");
    cells.push_back({textAt(m, "id"), textAt(m, "state"), number(numberAt(m, "rate")),
                     age ? shortDuration(*age) + " ago" : "none yet", detail});
  }
  std::vector<std::size_t> width(5, 0);
  for (const auto& line : cells) {
    for (std::size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], line[c].size());
  }
  for (const auto& line : cells) {
    out += "  ";
    for (std::size_t c = 0; c < line.size(); ++c) {
      out += line[c];
      if (c + 1 < line.size()) out.append(width[c] - line[c].size() + 2, ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
  }
}

void journal(std::string& out, const json& beat) {
  const json& j = memberAt(beat, "journal");
  if (!j.is_object()) {
    out += "\njournal: none\n";
    return;
  }
  out += "\njournal " + textAt(j, "id") + "\n";
  out += "  undelivered " + count(j, "depth") + " observations, oldest " +
         shortDuration(numberAt(j, "age_s").value_or(-1)) + ", on disk " +
         bytes(numberAt(j, "bytes")) + ", evicted " + count(j, "evictions") + "\n";
  if (flagAt(j, "stalled", false)) out += "  STALLED: " + textAt(j, "problem") + "\n";
  if (const auto held = joined(memberAt(j, "held_for"), ", "); !held.empty()) {
    out += "  kept for consumers not running: " + held + "\n";
  }
  if (const auto replaced = textAt(j, "replaced_id"); !replaced.empty()) {
    out += "  replaced journal " + replaced + " (its directory was lost)\n";
  }
}

void uplinks(std::string& out, const json& beat) {
  const json& list = memberAt(beat, "uplinks");
  if (!list.is_array() || list.empty()) return;
  out += "\nuplinks\n";
  for (const auto& u : list) {
    out += "  " + textAt(u, "name") + ": " +
           (flagAt(u, "connected", false) ? "connected" : "NOT connected") + ", lag " +
           count(u, "lag") + " (" + shortDuration(numberAt(u, "lag_s").value_or(-1)) +
           "), delivered " + count(u, "delivered") + ", in flight " + count(u, "in_flight") +
           ", retries " + count(u, "retries") + ", held " + count(u, "held") + ", evicted " +
           count(u, "evicted") + "\n";
    if (const auto e = textAt(u, "last_error"); !e.empty()) out += "    last error: " + e + "\n";
  }
}

void config(std::string& out, const json& beat) {
  const json& c = memberAt(beat, "config");
  out += "\nconfiguration " + textAt(c, "version") + " (" + textAt(c, "source") + ")";
  if (const auto at = textAt(c, "applied_at"); !at.empty()) out += ", applied " + at;
  out += "\n";
  if (const auto p = joined(memberAt(c, "pending_restart"), ", "); !p.empty()) {
    out += "  waits for the next start: " + p + "\n";
  }
  if (const auto r = joined(memberAt(c, "refused"), "\n    "); !r.empty()) {
    out += "  refused:\n    " + r + "\n";
  }
  if (const auto rejected = textAt(c, "rejected_version"); !rejected.empty()) {
    out += "  REJECTED " + rejected + ":\n    " + textAt(c, "error") + "\n";
  }
}

void update(std::string& out, const json& beat) {
  const json& u = memberAt(beat, "update");
  if (!u.is_object()) return;
  out += "\nupdate: runs " + textAt(u, "running");
  if (flagAt(u, "on_trial", false)) out += " (on trial)";
  if (const auto p = textAt(u, "pending"); !p.empty()) out += ", pending " + p;
  out += "\n";
  const json& last = memberAt(u, "last");
  if (const auto result = textAt(last, "result"); !result.empty()) {
    out += "  last: " + result + " " + textAt(last, "version");
    if (const auto reason = textAt(last, "reason"); !reason.empty()) out += " (" + reason + ")";
    if (const auto detail = textAt(last, "detail"); !detail.empty()) out += ": " + detail;
    out += "\n";
  }
}

}  // namespace

std::string renderDetail(const EdgeRow& row, const json& beat, TimestampNs now) {
  std::string out = "edge " + row.edge + "  " + toString(row.state);
  if (!row.why.empty()) out += ": " + row.why;
  out += "\n";
  out += "  version " + (row.version.empty() ? "-" : row.version) + ", up " +
         shortDuration(row.uptimeSeconds.value_or(-1)) + ", heartbeat " +
         shortDuration(std::max(0.0, row.seenAgo(now))) + " ago";
  if (row.sentAt != 0) out += " (sent " + formatTimestamp(row.sentAt) + ")";
  out += "\n  clock offset " +
         (row.clockOffsetMs ? number(row.clockOffsetMs, "%+.1f") + " ms" : "unknown") + ", cpu " +
         number(numberAt(beat, "cpu_percent")) + "%, rss " +
         bytes(numberAt(memberAt(beat, "memory"), "rss_bytes")) + ", disk free " +
         bytes(numberAt(memberAt(beat, "disk"), "free_bytes")) + ", threads " +
         count(beat, "threads") + "\n";
  machines(out, beat);
  journal(out, beat);
  uplinks(out, beat);
  config(out, beat);
  update(out, beat);
  return out;
}

}  // namespace spindle::fleet
