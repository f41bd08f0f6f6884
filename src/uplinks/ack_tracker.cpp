#include "uplinks/ack_tracker.hpp"

#include <charconv>
#include <iterator>

namespace spindle::uplinks {

void AckTracker::markAcked(std::uint64_t begin, std::uint64_t end) {
  if (begin < m_watermark) begin = m_watermark;
  if (end <= begin) return;
  // Merge with a range that starts before `begin` and reaches it.
  auto it = m_ranges.upper_bound(begin);
  if (it != m_ranges.begin()) {
    auto prev = std::prev(it);
    if (prev->second >= begin) {
      begin = prev->first;
      end = std::max(end, prev->second);
      it = m_ranges.erase(prev);
    }
  }
  // Swallow the ranges that start inside [begin, end].
  while (it != m_ranges.end() && it->first <= end) {
    end = std::max(end, it->second);
    it = m_ranges.erase(it);
  }
  if (begin == m_watermark) {
    m_watermark = end;
  } else {
    m_ranges.emplace(begin, end);
  }
}

void AckTracker::skipTo(std::uint64_t sequence) {
  if (sequence <= m_watermark) return;
  m_watermark = sequence;
  // Ranges now below or touching the watermark fold into it.
  while (!m_ranges.empty() && m_ranges.begin()->first <= m_watermark) {
    m_watermark = std::max(m_watermark, m_ranges.begin()->second);
    m_ranges.erase(m_ranges.begin());
  }
}

bool AckTracker::isAcked(std::uint64_t sequence) const {
  if (sequence < m_watermark) return true;
  auto it = m_ranges.upper_bound(sequence);
  if (it == m_ranges.begin()) return false;
  --it;
  return sequence < it->second;
}

std::uint64_t AckTracker::nextUnacked(std::uint64_t from) const {
  if (from < m_watermark) from = m_watermark;
  auto it = m_ranges.upper_bound(from);
  if (it != m_ranges.begin()) {
    auto prev = std::prev(it);
    if (from < prev->second) from = prev->second;
  }
  return from;
}

std::optional<std::uint64_t> AckTracker::nextAcked(std::uint64_t from) const {
  const std::uint64_t start = nextUnacked(from);
  auto it = m_ranges.upper_bound(start);
  if (it == m_ranges.end()) return std::nullopt;
  return it->first;
}

std::string AckTracker::serialize(std::size_t maxRanges) const {
  std::string out = "v1 " + std::to_string(m_watermark);
  std::size_t n = 0;
  for (const auto& [b, e] : m_ranges) {
    if (n++ == maxRanges) break;
    out += ' ' + std::to_string(b) + '-' + std::to_string(e);
  }
  return out;
}

std::optional<AckTracker> AckTracker::parse(std::string_view text) {
  auto number = [&](std::uint64_t& v) {
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr == text.data()) return false;
    text.remove_prefix(static_cast<std::size_t>(ptr - text.data()));
    return true;
  };
  if (text.substr(0, 3) != "v1 ") return std::nullopt;
  text.remove_prefix(3);
  std::uint64_t watermark = 0;
  if (!number(watermark)) return std::nullopt;
  AckTracker tracker(watermark);
  while (!text.empty()) {
    if (text.front() == '\n') break;
    if (text.front() != ' ') return std::nullopt;
    text.remove_prefix(1);
    std::uint64_t b = 0, e = 0;
    if (!number(b) || text.empty() || text.front() != '-') return std::nullopt;
    text.remove_prefix(1);
    if (!number(e) || e <= b) return std::nullopt;
    tracker.markAcked(b, e);
  }
  return tracker;
}

}  // namespace spindle::uplinks
