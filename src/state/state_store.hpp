#pragma once
/// StateStore: the latest value of every data item and a bounded ring of recent observations
/// with sequence numbers (MTConnect semantics: firstSequence .. nextSequence-1 are held).

#include <cstdint>
#include <limits>
#include <optional>
#include <shared_mutex>
#include <vector>

#include "model/observation.hpp"

namespace spindle::state {

struct SequencedObservation {
  std::uint64_t sequence = 0;
  model::Observation observation;
};

struct MachineStats {
  std::uint64_t observations = 0;
  TimestampNs lastTimestamp = 0;
};

/// Thread safety: apply() from one writer (the pipeline thread); readers from any thread.
class StateStore {
 public:
  /// The ring keeps the `ringSize` most recent observations (at least 1), fewer when they
  /// hold more than `ringMemory` bytes (model::heldBytes: long texts, assets): the oldest go
  /// first, the newest always stays.
  explicit StateStore(std::size_t ringSize,
                      std::size_t ringMemory = std::numeric_limits<std::size_t>::max());

  /// Assigns sequence numbers and updates latest values.
  void apply(const model::Batch& batch);

  std::optional<model::Observation> latest(model::ItemId item) const;
  /// The latest observation of every item of `machine`, in item order.
  std::vector<model::Observation> current(model::MachineId machine) const;
  /// Up to `max` observations with sequence >= `from` (clamped to firstSequence).
  std::vector<SequencedObservation> since(std::uint64_t from, std::size_t max) const;
  MachineStats machineStats(model::MachineId machine) const;

  std::uint64_t firstSequence() const;
  std::uint64_t nextSequence() const;
  std::size_t capacity() const { return m_ring.size(); }
  std::size_t memoryLimit() const { return m_ringMemory; }
  /// Bytes the ring's observations hold now (model::heldBytes).
  std::size_t ringBytes() const;

 private:
  mutable std::shared_mutex m_mutex;
  /// The oldest sequence still held. Under m_mutex.
  std::uint64_t firstHeld() const;

  std::vector<SequencedObservation> m_ring;
  const std::size_t m_ringMemory;
  std::size_t m_ringBytes = 0;  ///< heldBytes of the observations in the ring
  std::uint64_t m_next = 1;     ///< sequence of the next observation applied
  std::uint64_t m_first = 1;    ///< below it, released for memory (or never applied)
  /// An item's latest observation without its item (the slot's index): 56 bytes, not 72.
  struct Latest {
    TimestampNs timestamp = 0;
    model::Value value;
    model::MachineId machine = 0;
    model::Kind kind = model::Kind::kEvent;
    std::uint8_t flags = 0;
    bool has = false;
    model::Observation observation(model::ItemId item) const {
      return model::Observation{machine, item, timestamp, kind, flags, value};
    }
  };
  std::vector<Latest> m_latest;          ///< by ItemId
  std::vector<MachineStats> m_machines;  ///< by MachineId
};

}  // namespace spindle::state
