#include "collectors/mtconnect_agent/sequence_tracker.hpp"

#include <algorithm>

namespace spindle::collectors::mtconnect_agent {

void SequenceTracker::acceptCurrent(const Header& header) {
  if (m_outOfRange && header.instanceId == m_instance && header.firstSequence > m_next)
    m_stats.lost += header.firstSequence - m_next;
  m_outOfRange = false;
  m_known = true;
  m_instance = header.instanceId;
  m_next = header.nextSequence;
}

void SequenceTracker::acceptSample(const Header& header, StreamsOutput& out) {
  if (!m_known) {
    acceptCurrent(header);
    return;
  }
  if (header.firstSequence > m_next) {
    m_stats.lost += header.firstSequence - m_next;
    m_next = header.firstSequence;
  }
  size_t keep = 0;
  for (size_t i = 0; i < out.sequences.size(); ++i) {
    if (out.sequences[i] < m_next) {
      ++m_stats.duplicates;
      continue;
    }
    if (keep != i) {
      out.observations[keep] = std::move(out.observations[i]);
      out.sequences[keep] = out.sequences[i];
    }
    ++keep;
  }
  out.observations.resize(keep);
  out.sequences.resize(keep);
  std::uint64_t next = header.nextSequence;
  if (!out.sequences.empty()) next = std::max(next, out.sequences.back() + 1);
  m_next = std::max(m_next, next);
}

void SequenceTracker::noteOutOfRange() {
  m_outOfRange = m_known;
  m_known = false;
}

}  // namespace spindle::collectors::mtconnect_agent
