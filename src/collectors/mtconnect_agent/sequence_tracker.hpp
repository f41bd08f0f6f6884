#pragma once
/// Where the collector stands in an agent's sequence: which instance it reads, the next
/// sequence it expects, and what was duplicated or lost. Pure.

#include <cstdint>

#include "collectors/mtconnect_agent/mtconnect_codec.hpp"

namespace spindle::collectors::mtconnect_agent {

struct TrackerStats {
  std::uint64_t duplicates = 0;  ///< observations dropped because they were already emitted
  std::uint64_t lost = 0;        ///< sequences that left the agent's buffer before we read them
};

class SequenceTracker {
 public:
  /// Forgets the position and the instance (the next read starts from /current).
  void reset() {
    m_known = false;
    m_outOfRange = false;
    m_instance = 0;
  }
  bool known() const { return m_known; }
  std::uint64_t next() const { return m_next; }
  std::uint64_t instanceId() const { return m_instance; }

  /// True when `header` comes from another agent instance than the one last followed.
  bool isNewInstance(const Header& header) const {
    return m_instance != 0 && header.instanceId != m_instance;
  }

  /// After a /current: everything it holds is taken; sampling continues at its nextSequence.
  void acceptCurrent(const Header& header);

  /// Filters a /sample document (or streamed part) in place: observations before next() are
  /// duplicates and removed; a buffer that moved past next() counts as lost. Then advances.
  /// Call only when isNewInstance() is false.
  void acceptSample(const Header& header, StreamsOutput& out);

  /// The agent answered OUT_OF_RANGE (its buffer moved past next()): the position is
  /// forgotten, and the next acceptCurrent() of the same instance counts the sequences that
  /// left the buffer unread as lost.
  void noteOutOfRange();

  const TrackerStats& stats() const { return m_stats; }

 private:
  bool m_known = false;
  bool m_outOfRange = false;
  std::uint64_t m_instance = 0;
  std::uint64_t m_next = 0;
  TrackerStats m_stats;
};

}  // namespace spindle::collectors::mtconnect_agent
