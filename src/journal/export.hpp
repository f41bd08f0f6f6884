#pragma once
/// A journal export: the observations whose timestamp lies in a time range, as JSON lines,
/// read straight from a journal directory. What `spindle journal export` prints and what the
/// HTTPS side uploads. Like `spindle journal dump` it only reads (never the writer's lock), so
/// it works while spindle runs; the newest segment is then seen as far as it was written.
///
/// The format (docs/journal.md, "spindle.export.v1"): one header line
///   {"schema":"spindle.export.v1","edge":"..","journal":"<16 hex>","from":"..","to":"..",
///    "machines":[..]|null}
/// ("edge" only when known), then one line per observation, exactly as `journal dump` prints
/// it (model::appendJsonLine plus "seq"), in sequence order, and nothing after. With
/// compression the whole of it is one zstd stream.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/time.hpp"
#include "model/item_catalog.hpp"
#include "model/observation.hpp"

namespace spindle::journal {

inline constexpr std::string_view kExportSchema = "spindle.export.v1";

struct ExportRequest {
  std::string dir;                    ///< the journal directory
  TimestampNs from = 0;               ///< observations with timestamp >= from (UTC ns)...
  TimestampNs to = 0;                 ///< ...and < to; from must be before to
  std::vector<std::string> machines;  ///< machine names to keep; empty: every machine
  std::optional<std::string> edge;    ///< written in the header when set
  bool zstd = false;                  ///< compress the whole output as one zstd stream
  int zstdLevel = 3;
  /// When set, checked before each record: true stops the export with kUnavailable ("export
  /// cancelled"), for an edge that shuts down while it writes one.
  const std::atomic<bool>* cancel = nullptr;
};

struct ExportSummary {
  std::uint64_t journalId = 0;     ///< from the first sound segment header (0: none sound)
  std::uint64_t observations = 0;  ///< observation lines written
  std::uint64_t firstSequence = 0, lastSequence = 0;  ///< of those written; 0 when none
  std::uint64_t bytes = 0;               ///< written to the output (compressed when zstd)
  std::uint64_t scanned = 0;             ///< observations read and filtered
  std::uint64_t damagedRecords = 0;      ///< damaged stretches and undecodable records, skipped
  std::uint64_t unreadableSegments = 0;  ///< segment files that could not be opened, skipped
  std::chrono::nanoseconds elapsed{0};
};

/// Parses a time for --from/--to: RFC 3339 with a zone ("2026-12-06T05:00:00Z",
/// "2026-12-06T05:00:00.250Z", "2026-12-06T07:00:00+02:00") or a plain date ("2026-12-06",
/// its midnight UTC). kInvalidArgument naming the accepted forms otherwise.
Result<TimestampNs> parseExportTime(std::string_view text);

/// "2026-12-06T05:00:00.000000Z"; nanoseconds appear only when the time has them.
std::string formatExportTime(TimestampNs ns);

/// Appends one observation line, `{"machine":..,...,"seq":N}` and a newline: the line
/// `journal dump` and the export share.
void appendObservationLine(std::string& out, std::uint64_t sequence, const model::Observation& obs,
                           const model::ItemCatalog& catalog);

/// Writes the export of `request` to `out` (binary when zstd). Streams: memory stays bounded by
/// the largest record plus the item catalog of what it reads, whatever the journal's size.
/// Damaged records are skipped and counted, never an error. Fails with kInvalidArgument when
/// from >= to, kNotFound when `dir` is not a journal (no such directory, no segment file), kIo
/// when writing to `out` fails (what was written is then incomplete). Thread safety: any
/// thread; pure over the directory (no clock but the elapsed time, no logging).
Result<ExportSummary> exportJournal(const ExportRequest& request, std::ostream& out);

/// The same into the file `path`, written atomically: a temporary file beside it
/// (`path`.tmp.<pid>), synced, then renamed over `path`; on any failure the temporary file is
/// removed and `path` is left as it was. The parent directory must exist.
Result<ExportSummary> exportJournalToFile(const ExportRequest& request, const std::string& path);

}  // namespace spindle::journal
