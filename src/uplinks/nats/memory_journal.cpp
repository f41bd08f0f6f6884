#include "uplinks/nats/memory_journal.hpp"

#include <algorithm>

namespace spindle::uplinks::nats {

MemoryJournal::MemoryJournal(std::size_t capacity, std::uint64_t firstSequence)
    : m_capacity(capacity), m_begin(firstSequence), m_end(firstSequence) {}

std::optional<std::uint64_t> MemoryJournal::append(model::Batch batch) {
  if (batch.empty()) return std::nullopt;
  std::lock_guard lock(m_mutex);
  if (m_size > 0 && m_size + batch.size() > m_capacity) return std::nullopt;
  const std::uint64_t first = m_end;
  m_end += batch.size();
  m_size += batch.size();
  m_records.push_back(JournalRecord{first, std::move(batch)});
  return first;
}

void MemoryJournal::release(std::uint64_t sequence) {
  std::lock_guard lock(m_mutex);
  while (!m_records.empty() && m_records.front().endSequence() <= sequence) {
    m_size -= m_records.front().observations.size();
    m_begin = m_records.front().endSequence();
    m_records.pop_front();
  }
}

std::size_t MemoryJournal::size() const {
  std::lock_guard lock(m_mutex);
  return m_size;
}

std::uint64_t MemoryJournal::beginSequence() const {
  std::lock_guard lock(m_mutex);
  return m_begin;
}

std::uint64_t MemoryJournal::endSequence() const {
  std::lock_guard lock(m_mutex);
  return m_end;
}

Status MemoryJournal::read(std::uint64_t from, std::uint64_t to, std::size_t maxObservations,
                           std::vector<JournalRecord>& out) {
  std::lock_guard lock(m_mutex);
  auto it = std::upper_bound(
      m_records.begin(), m_records.end(), from,
      [](std::uint64_t seq, const JournalRecord& r) { return seq < r.endSequence(); });
  std::size_t taken = 0;
  for (; it != m_records.end() && it->firstSequence < to; ++it) {
    if (taken > 0 && taken + it->observations.size() > maxObservations) break;
    out.push_back(*it);
    taken += it->observations.size();
  }
  return okStatus();
}

}  // namespace spindle::uplinks::nats
