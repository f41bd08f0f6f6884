#pragma once
/// MemoryJournal: a bounded in-memory JournalView. It stands in for the durable journal where
/// there is none: the synchronous Uplink adapter of NatsUplink, tests, and the benchmark.
/// Nothing survives the process.

#include <deque>
#include <mutex>
#include <optional>

#include "uplinks/nats/journal_view.hpp"

namespace spindle::uplinks::nats {

/// Thread safety: every method may be called from any thread.
class MemoryJournal final : public JournalView {
 public:
  /// Holds at most `capacity` observations; `firstSequence` is the first one assigned.
  explicit MemoryJournal(std::size_t capacity, std::uint64_t firstSequence = 1);

  /// Stores `batch` as one record and returns its first sequence, or nullopt when it does
  /// not fit (an empty journal takes any batch).
  std::optional<std::uint64_t> append(model::Batch batch);
  /// Drops the records that end at or below `sequence` (the uplink acknowledged them).
  void release(std::uint64_t sequence);
  std::size_t size() const;

  std::uint64_t beginSequence() const override;
  std::uint64_t endSequence() const override;
  Status read(std::uint64_t from, std::uint64_t to, std::size_t maxObservations,
              std::vector<JournalRecord>& out) override;

 private:
  std::size_t m_capacity;
  mutable std::mutex m_mutex;
  std::deque<JournalRecord> m_records;
  std::size_t m_size = 0;
  std::uint64_t m_begin;
  std::uint64_t m_end;
};

}  // namespace spindle::uplinks::nats
