#pragma once
/// What the NATS uplink needs from the journal. The uplink reads records by sequence (the
/// live lane near the head, the backlog lane from its cursor), publishes them asynchronously
/// and hands back a cursor to persist once the hub has acknowledged them. The journal (or an
/// adapter of a few lines) implements JournalView and CursorStore; MemoryJournal and
/// FileCursorStore are the implementations the tests and the pre-journal adapter use.

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "model/observation.hpp"

namespace spindle::uplinks::nats {

/// One journal record: observation k has sequence firstSequence + k.
struct JournalRecord {
  std::uint64_t firstSequence = 0;
  model::Batch observations;
  std::uint64_t endSequence() const { return firstSequence + observations.size(); }
};

/// Read access to the journal by sequence. Called from the uplink's sender thread only.
class JournalView {
 public:
  virtual ~JournalView() = default;
  /// The oldest sequence still held (eviction moves it up).
  virtual std::uint64_t beginSequence() const = 0;
  /// The sequence the next appended observation will get.
  virtual std::uint64_t endSequence() const = 0;
  /// The journal's identity (0: none, as for an in-memory journal). Sequences are unique
  /// within one journal only; message ids carry it so that a journal that starts again at
  /// sequence 1 never collides with what the hub already has.
  virtual std::uint64_t journalId() const { return 0; }
  /// Appends to `out` the records that hold sequences in [from, to), starting with the record
  /// that contains `from`, until about `maxObservations` are read (at least one record when
  /// there is one). A record is never split. Fails only on I/O or corruption; a record lost
  /// to corruption is skipped (the next read starts after it).
  virtual Status read(std::uint64_t from, std::uint64_t to, std::size_t maxObservations,
                      std::vector<JournalRecord>& out) = 0;
};

/// Sequences the uplink reads are whole records; sequences missing between two records (the
/// journal evicted or lost them) are treated as gone and never block the cursor.

/// Where the uplink's cursor lives between runs. The cursor is opaque text of < 8 KiB.
class CursorStore {
 public:
  virtual ~CursorStore() = default;
  /// The last saved cursor, or "" when there is none.
  virtual Result<std::string> load() = 0;
  /// Replaces the cursor atomically and durably (a crash leaves the old or the new one).
  virtual Status save(const std::string& cursor) = 0;
};

/// A cursor kept in memory only (nothing to resume after a restart).
class MemoryCursorStore final : public CursorStore {
 public:
  Result<std::string> load() override { return m_cursor; }
  Status save(const std::string& cursor) override {
    m_cursor = cursor;
    return okStatus();
  }

 private:
  std::string m_cursor;
};

/// A cursor file written with write-to-temp, fsync, rename, fsync of the directory.
class FileCursorStore final : public CursorStore {
 public:
  explicit FileCursorStore(std::string path) : m_path(std::move(path)) {}
  Result<std::string> load() override;
  Status save(const std::string& cursor) override;
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

}  // namespace spindle::uplinks::nats
