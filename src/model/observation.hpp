#pragma once
/// Observation: one value of one data item of one machine at one time. Batches move, not
/// single observations.

#include <cstdint>
#include <vector>

#include "base/time.hpp"
#include "model/value.hpp"

namespace spindle::model {

using MachineId = std::uint32_t;
using ItemId = std::uint32_t;  ///< interned (machine, key); see ItemCatalog

/// What an observation is, in MTConnect terms.
enum class Kind : std::uint8_t {
  kSample,      ///< a continuous value (speed, load, position)
  kEvent,       ///< a discrete value (execution, program, part count)
  kCondition,   ///< value holds a Condition
  kMessage,     ///< value holds a Message
  kTimeSeries,  ///< value holds a TimeSeries
  kDataSet,     ///< value holds a DataSet
  kTable,       ///< value holds a DataSet whose entries have cells
  kAsset,       ///< value holds an Asset
};

const char* toString(Kind kind);

enum ObservationFlags : std::uint8_t {
  kFlagNone = 0,
  kFlagUntrustedClock = 1 << 0,  ///< taken while the edge's clock was not trusted
  kFlagResetTriggered = 1 << 1,  ///< the adapter reset the counter (e.g. "0:DAY")
  kFlagArrivalTime = 1 << 2,     ///< the source gave no timestamp; the edge stamped arrival
};

struct Observation {
  MachineId machine = 0;
  ItemId item = 0;
  TimestampNs timestamp = 0;
  Kind kind = Kind::kEvent;
  std::uint8_t flags = kFlagNone;
  Value value;
};

using Batch = std::vector<Observation>;

/// The memory an observation holds: its object and the value's heap (model::heapBytes).
inline std::size_t heldBytes(const Observation& o) {
  return sizeof(Observation) + heapBytes(o.value);
}
/// The memory a batch holds: its storage (capacity) and its values' heap. Queues and rings
/// bound themselves with it, so a source of long texts cannot make them hold more than set.
std::size_t heldBytes(const Batch& batch);

}  // namespace spindle::model
