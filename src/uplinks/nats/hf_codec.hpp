#pragma once
/// The high-frequency payload (`spindle.hf.v1`, docs/cloud-protocol.md): tool-monitoring
/// samples of one machine as compact series (start time, microsecond deltas, values) in one
/// JSON object per message. Pure: no sockets, no clocks, no logging.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/time.hpp"

namespace spindle::uplinks::nats {

struct HfSeries {
  std::string item;
  std::vector<TimestampNs> timestamps;  ///< one per value
  std::vector<double> values;           ///< NaN: the value was unavailable
};

struct HfBatch {
  std::string edge;
  std::string machine;
  std::uint64_t dropped = 0;  ///< samples of this machine dropped since the previous batch
  std::vector<HfSeries> series;
  std::size_t samples() const;
};

/// Appends the JSON body of `batch` to `out`.
void encodeHf(const HfBatch& batch, std::string& out);
/// Parses a body; timestamps are rebuilt to microsecond precision.
Result<HfBatch> decodeHf(std::string_view body);

}  // namespace spindle::uplinks::nats
