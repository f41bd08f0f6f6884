#pragma once
/// Observations <-> record payloads (format v1, docs/journal-format.md). Item ids are per
/// process, so every payload carries the machine names and item keys it uses in a small table
/// and the observations refer to that table: a record decodes on its own, in any process,
/// even when the records around it are lost. Pure: no I/O, no clocks, no logging.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/text_hash.hpp"
#include "model/item_catalog.hpp"
#include "model/observation.hpp"

namespace spindle::journal {

/// Thread safety: one encoder per thread (it keeps scratch tables between calls).
class BatchEncoder {
 public:
  /// Appends the payload of `batch` (which must not be empty) to `out`. The catalog must know
  /// every machine and item the batch refers to.
  void encode(const model::Batch& batch, const model::ItemCatalog& catalog, std::string& out);

 private:
  std::uint32_t m_stamp = 0;
  std::vector<std::uint32_t> m_itemStamp, m_itemIndex;  ///< by ItemId
  std::vector<std::uint32_t> m_machineStamp, m_machineIndex;
  std::vector<model::ItemId> m_items;
  std::vector<model::MachineId> m_machines;
  std::vector<model::MachineId> m_itemMachines;
};

/// Decodes payloads into observations whose ids belong to `catalog` (interning names on first
/// sight). Thread safety: one decoder per thread; the catalog itself is thread-safe.
class BatchDecoder {
 public:
  explicit BatchDecoder(model::ItemCatalog& catalog) : m_catalog(catalog) {}

  /// Appends the `count` observations of `payload` to `out`. On error `out` is left as it was
  /// and the message says where the payload breaks.
  Status decode(std::string_view payload, std::uint32_t count, model::Batch& out);

 private:
  /// The keys of one machine this decoder has resolved, in the order first seen, and that
  /// order sorted by key. A machine's records list its keys in much the same order each time,
  /// so the key's position in its record (`hint`) is tried first: no hashing on the hot path.
  struct KnownKeys {
    /// Views of the catalog's own key texts (never moved or changed): a fleet's decoder holds
    /// every key of every machine, and a copy would double what the catalog holds.
    std::vector<std::string_view> keys;
    std::vector<model::ItemId> ids;
    std::vector<std::uint32_t> sorted;  ///< indices into keys, by key
  };

  Result<model::MachineId> machine(std::string_view name);
  /// The key's id, interned as admitted when journaled (an error only when the catalog is full).
  Result<model::ItemId> item(model::MachineId machine, std::string_view key, model::Kind kind,
                             std::uint32_t hint);

  model::ItemCatalog& m_catalog;
  TextMap<model::MachineId> m_machineCache;
  std::vector<KnownKeys> m_known;  ///< by MachineId
  std::vector<model::MachineId> m_tableMachines;
  std::vector<std::uint32_t> m_tableSeen;  ///< per table machine: its keys so far
  std::vector<std::string_view> m_tableKeys;
  std::vector<std::uint32_t> m_tableKeyMachine;
  std::vector<std::uint32_t> m_tableKeyPosition;  ///< the key's place among its machine's
  std::vector<model::ItemId> m_tableIds;
};

}  // namespace spindle::journal
