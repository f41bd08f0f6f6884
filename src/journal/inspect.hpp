#pragma once
/// Offline reading of a journal directory for `spindle journal inspect|verify|dump`: never
/// writes, never takes the writer's lock, so it also works while spindle runs (it then sees
/// the active segment as far as it was written).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/time.hpp"
#include "model/item_catalog.hpp"
#include "model/observation.hpp"

namespace spindle::journal {

struct DamageReport {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::string reason;
};

struct SegmentReport {
  std::string path;
  std::uint64_t firstSequence = 0;  ///< from the file name
  bool headerOk = false;
  std::uint16_t version = 0;
  TimestampNs created = 0;
  std::uint64_t journalId = 0;
  std::uint64_t bytes = 0;
  std::uint64_t records = 0;
  std::uint64_t compressedRecords = 0;
  std::uint64_t observations = 0;
  std::uint64_t firstRecordSequence = 0;  ///< 0 when the segment holds no sound record
  std::uint64_t endSequence = 0;          ///< after the last sound record
  TimestampNs firstAppend = 0, lastAppend = 0;
  std::vector<DamageReport> damage;      ///< damaged records and stretches (not the torn tail)
  std::optional<DamageReport> tornTail;  ///< unfinished write at the end; cut on next open
  std::uint64_t undecodable = 0;         ///< sound checksums but a payload this build cannot decode
  std::uint64_t gaps = 0;                ///< observations missing between sound records
  std::uint64_t superseded = 0;          ///< records at or past the next segment's first sequence
};

struct CursorReport {
  std::string name;
  std::string path;
  std::optional<std::uint64_t> next;
  std::string problem;
};

struct JournalReport {
  std::string dir;
  std::vector<SegmentReport> segments;
  std::vector<CursorReport> cursors;
  std::vector<std::string> strayFiles;

  std::uint64_t observations() const;
  std::uint64_t bytes() const;
  std::uint64_t damagedRecords() const;
  /// No damage, no undecodable payload, every header sound. A torn tail alone is clean: it
  /// is an append the last run did not finish, never reported durable.
  bool clean() const;
};

/// Reads every segment in `dir`. `decode` also decompresses and decodes every payload
/// (verify); without it only checksums are checked (inspect).
Result<JournalReport> inspectJournal(const std::string& dir, bool decode);

/// Calls `visit` for each observation with sequence >= `from`, in order, at most `limit`
/// (0: all). Damaged records are skipped. Returns how many were visited.
Result<std::uint64_t> dumpJournal(
    const std::string& dir, std::uint64_t from, std::uint64_t limit,
    const std::function<void(std::uint64_t sequence, const model::Observation& obs,
                             const model::ItemCatalog& catalog)>& visit);

}  // namespace spindle::journal
