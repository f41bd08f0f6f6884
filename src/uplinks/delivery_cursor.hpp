#pragma once
/// An uplink's position in the journal: a watermark (everything below is delivered) and the
/// ranges above it delivered out of order (live and backlog lanes interleave, completions come
/// late). One cursor file (journal/cursor_file.hpp, two CRC-checked slots), so a restart sends
/// again exactly what was not delivered. Engine thread only.

#include <cstdint>
#include <optional>
#include <string>

#include <spdlog/logger.h>

#include "base/error.hpp"
#include "journal/cursor_file.hpp"
#include "journal/journal.hpp"
#include "uplinks/ack_tracker.hpp"

namespace spindle::uplinks {

/// Opens `<journal>/cursors/<name>.cursor` into `file` and returns what it holds. A missing or
/// damaged cursor starts at the oldest observation held (which may send some again, never
/// skips any). A `<name>.cursor.acked` side file left by an earlier version is merged.
Result<AckTracker> loadCursor(journal::Journal& journal, const std::string& name,
                              spdlog::logger& log, std::optional<journal::CursorFile>& file);

/// Stores the tracker (`sync`: durably) and removes a merged side file once stored.
Status storeCursor(journal::Journal& journal, const std::string& name, journal::CursorFile& file,
                   const AckTracker& tracker, bool sync);

}  // namespace spindle::uplinks
