#include "fleet/alert_tracker.hpp"

namespace spindle::fleet {

std::vector<std::string> AlertTracker::update(const std::vector<EdgeRow>& rows, TimestampNs now) {
  const std::string clock = formatTimestamp(now).substr(11, 8);
  std::vector<std::string> lines;
  std::map<std::string, EdgeState> next;
  for (const auto& r : rows) {
    next[r.edge] = r.state;
    const auto it = m_last.find(r.edge);
    const EdgeState before = it == m_last.end() ? EdgeState::kOk : it->second;
    if (r.state == before) continue;
    if (r.state == EdgeState::kSilent) {
      lines.push_back(clock + " ALERT " + r.edge + " silent: " + r.why);
    } else if (r.state == EdgeState::kBehind) {
      lines.push_back(clock + " ALERT " + r.edge + " behind: " + r.why);
    } else if (before == EdgeState::kSilent) {
      lines.push_back(clock + " " + r.edge + " is back: heartbeat " +
                      shortDuration(std::max(0.0, r.seenAgo(now))) + " ago");
    } else {
      lines.push_back(clock + " " + r.edge + " caught up");
    }
  }
  m_last = std::move(next);
  return lines;
}

}  // namespace spindle::fleet
