#pragma once
/// `spindle fleet watch`'s alerts: a line when an edge turns silent or behind, and one when it
/// is well again. Pure: each refresh's rows in, the lines of what changed out.

#include <map>
#include <string>
#include <vector>

#include "fleet/edge_row.hpp"

namespace spindle::fleet {

class AlertTracker {
 public:
  /// Compares `rows` (classified) with the previous refresh. The first call reports every edge
  /// that is not ok; an edge that was seen before and is gone now (past the stream's max age)
  /// is forgotten without a line.
  std::vector<std::string> update(const std::vector<EdgeRow>& rows, TimestampNs now);

 private:
  std::map<std::string, EdgeState> m_last;
};

}  // namespace spindle::fleet
