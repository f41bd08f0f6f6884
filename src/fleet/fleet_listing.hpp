#pragma once
/// The `fleet ls` path from the hub to rows: the last heartbeat of every edge (from the
/// SPINDLE_HEALTH stream, or heard live when the hub has none), each made a classified row.
/// The benchmark (bench/fleet_ls_bench.cpp) measures exactly this plus the rendering.

#include <functional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "fleet/edge_row.hpp"
#include "fleet/health_stream.hpp"

namespace spindle::fleet {

struct Listing {
  std::vector<EdgeRow> rows;
  std::vector<std::string> problems;  ///< heartbeats that could not be read, one line each
  bool fromStream = true;             ///< false: heard live (the hub has no SPINDLE_HEALTH)
};

/// Rows of `beats`, classified at `now`; a heartbeat that does not parse becomes a problem.
Listing buildListing(const std::vector<Heartbeat>& beats, TimestampNs now,
                     const Thresholds& thresholds);

/// Reads the stream; without it, and only then, listens live for `listen` (0: do not).
/// `onFallback` is called with the reason before listening (for a line on stderr).
Result<Listing> listFleet(HubConnection& hub, const Thresholds& thresholds, Duration listen,
                          const std::function<void(const std::string&)>& onFallback);

}  // namespace spindle::fleet
