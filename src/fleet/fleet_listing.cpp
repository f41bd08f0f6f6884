#include "fleet/fleet_listing.hpp"

namespace spindle::fleet {

Listing buildListing(const std::vector<Heartbeat>& beats, TimestampNs now,
                     const Thresholds& thresholds) {
  Listing out;
  out.rows.reserve(beats.size());
  for (const auto& beat : beats) {
    auto row = parseHeartbeat(beat.body, edgeOfSubject(beat.subject), beat.received);
    if (!row) {
      out.problems.push_back(beat.subject + ": " + row.error().describe());
      continue;
    }
    classify(*row, now, thresholds);
    out.rows.push_back(std::move(*row));
  }
  return out;
}

Result<Listing> listFleet(HubConnection& hub, const Thresholds& thresholds, Duration listen,
                          const std::function<void(const std::string&)>& onFallback) {
  auto beats = readLatest(hub);
  bool fromStream = true;
  if (!beats && beats.error().code() == ErrorCode::kNotFound && listen.count() > 0) {
    if (onFallback) onFallback(beats.error().message());
    beats = listenLive(hub, kHealthSubjects, listen);
    fromStream = false;
  }
  if (!beats) return std::move(beats).error();
  Listing out = buildListing(*beats, wallClockNs(), thresholds);
  out.fromStream = fromStream;
  return out;
}

}  // namespace spindle::fleet
