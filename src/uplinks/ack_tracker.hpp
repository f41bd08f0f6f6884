#pragma once
/// AckTracker: which journal sequences the hub has acknowledged. Acks arrive out of order (live
/// and backlog lanes interleave, resends complete late), so it keeps a watermark (every
/// sequence below it is acked) and the acked ranges above it. Its compact text form is what
/// the journal persists as this uplink's cursor: after a crash, exactly the unacked
/// sequences are sent again. Pure: not thread-safe, no I/O.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace spindle::uplinks {

class AckTracker {
 public:
  /// Everything below `watermark` counts as acknowledged.
  explicit AckTracker(std::uint64_t watermark = 0) : m_watermark(watermark) {}

  /// Records [begin, end) as acknowledged; merges with neighbours.
  void markAcked(std::uint64_t begin, std::uint64_t end);
  /// Moves the watermark up to `sequence` (the journal evicted everything below it).
  void skipTo(std::uint64_t sequence);

  bool isAcked(std::uint64_t sequence) const;
  /// The first unacknowledged sequence >= `from`.
  std::uint64_t nextUnacked(std::uint64_t from) const;
  /// Where the acked range containing or following `from` begins (the end of the unacked
  /// run that starts at nextUnacked(from)); nullopt when nothing above `from` is acked.
  std::optional<std::uint64_t> nextAcked(std::uint64_t from) const;

  /// Every sequence below this is acknowledged: the journal may release it.
  std::uint64_t watermark() const { return m_watermark; }
  /// Acked ranges above the watermark (begin -> end).
  const std::map<std::uint64_t, std::uint64_t>& ranges() const { return m_ranges; }

  /// "v1 <watermark> <begin>-<end> ...": at most `maxRanges` ranges, the lowest first (a
  /// range left out is only sent again, and the hub drops it as a duplicate).
  std::string serialize(std::size_t maxRanges = 256) const;
  /// The inverse; nullopt for text it does not recognize.
  static std::optional<AckTracker> parse(std::string_view text);

 private:
  std::uint64_t m_watermark;
  std::map<std::uint64_t, std::uint64_t> m_ranges;
};

}  // namespace spindle::uplinks
