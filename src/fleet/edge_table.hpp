#pragma once
/// The table of `spindle fleet ls` and `fleet watch`: which rows (filter), in which order
/// (sort), and how they print (aligned text or JSON). Pure: rows in, text out.

#include <string>
#include <vector>

#include "base/error.hpp"
#include "fleet/edge_row.hpp"

namespace spindle::fleet {

/// `--sort`: edge and version ascending; age (journal), lag (uplink, seconds) and seen (time
/// since the last heartbeat) worst first. Ties are broken by edge id.
enum class SortKey { kEdge, kVersion, kAge, kLag, kSeen };
Result<SortKey> parseSortKey(const std::string& text);

struct RowFilter {
  /// Edge ids: a glob (`plant-*`, `?`, `[ab]`) when it holds one of `*?[`, else a substring.
  std::string pattern;
  bool behindOnly = false;  ///< --behind
  bool silentOnly = false;  ///< --silent (with --behind: either)
};

/// True when `edge` matches `pattern` (see RowFilter::pattern); "" matches every edge.
bool edgeMatches(const std::string& pattern, const std::string& edge);

/// The rows that pass `filter`, sorted by `key`.
std::vector<EdgeRow> selectRows(std::vector<EdgeRow> rows, const RowFilter& filter, SortKey key);

/// Aligned columns EDGE VERSION UPTIME MACHINES JOURNAL LAG CLOCK SEEN STATE, one line per
/// row, and a last line counting edges by state. `now` is the wall clock the ages are from.
std::string renderTable(const std::vector<EdgeRow>& rows, TimestampNs now);

/// A JSON array of objects, one per row (docs/fleet.md lists the fields); unknown figures are
/// null.
std::string renderJson(const std::vector<EdgeRow>& rows, TimestampNs now);

}  // namespace spindle::fleet
