#pragma once
/// ItemCatalog: interns machines and their data item keys into small integer ids, and holds
/// what is known of each item. Shared by every part of the process.

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/observation.hpp"

namespace spindle::model {

/// What Spindle knows of a data item. Category, type and units come from configuration or
/// transform scripts; a collector that knows nothing more leaves them empty.
struct DataItem {
  MachineId machine = 0;
  std::string key;  ///< the name the source uses ("execution", "S1load")
  Kind kind = Kind::kEvent;
  std::string type;  ///< MTConnect type, e.g. EXECUTION, SPINDLE_SPEED; empty when unknown
  std::string subtype;
  std::string units;
};

/// Thread safety: intern() and addMachine() take a lock; item() and machineName() are
/// lock-free and may run concurrently with them (items never move once created).
class ItemCatalog {
 public:
  static constexpr size_t kChunkSize = 1024;
  static constexpr size_t kMaxChunks = 4096;  ///< 4M items per process

  ItemCatalog();
  ~ItemCatalog();
  ItemCatalog(const ItemCatalog&) = delete;
  ItemCatalog& operator=(const ItemCatalog&) = delete;

  /// Returns the id of a machine, creating it on first use.
  MachineId addMachine(std::string_view name);
  const std::string& machineName(MachineId id) const;
  size_t machineCount() const;

  /// Returns the id of (machine, key), creating the item with `kind` on first use.
  ItemId intern(MachineId machine, std::string_view key, Kind kind = Kind::kEvent);
  /// The same, and a new item also gets `type`, `subtype` and `units` (what an MTConnect probe
  /// or a script's output says of it) before any reader can see it. An existing item keeps
  /// what it has: the first description wins.
  ItemId intern(MachineId machine, std::string_view key, Kind kind, std::string_view type,
                std::string_view subtype, std::string_view units);
  const DataItem& item(ItemId id) const;
  size_t itemCount() const { return m_count.load(std::memory_order_acquire); }

 private:
  struct Chunk {
    std::array<DataItem, kChunkSize> items;
  };

  mutable std::mutex m_mutex;
  std::array<std::atomic<Chunk*>, kMaxChunks> m_chunks{};
  std::atomic<size_t> m_count{0};
  std::unordered_map<std::string, ItemId> m_index;  ///< "machine\x1fkey" -> id
  std::vector<std::unique_ptr<std::string>> m_machines;
  std::atomic<size_t> m_machineCount{0};
  std::array<std::atomic<const std::string*>, 16384> m_machineNames{};
};

}  // namespace spindle::model
