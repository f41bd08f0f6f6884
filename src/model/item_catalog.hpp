#pragma once
/// ItemCatalog: interns machines and their data item keys into small integer ids, and holds
/// what is known of each item. Shared by every part of the process.

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/error.hpp"
#include "base/flat_text_index.hpp"
#include "base/text_hash.hpp"
#include "model/observation.hpp"

namespace spindle::model {

/// What Spindle knows of a data item. Category, type and units come from configuration or
/// transform scripts; a collector that knows nothing more leaves them empty. The texts are
/// views of the catalog's own copies, each distinct text held once (a fleet of like machines
/// shares its keys and types); they live as long as the catalog.
struct DataItem {
  MachineId machine = 0;
  Kind kind = Kind::kEvent;
  /// Index of the item in its machine's device file (ItemCatalog::deviceFile), -1 when none.
  std::int32_t fileItem = -1;
  std::string_view key;   ///< the name the source uses ("execution", "S1load")
  std::string_view type;  ///< MTConnect type, e.g. EXECUTION, SPINDLE_SPEED; empty when unknown
  std::string_view subtype;
  std::string_view units;
};

struct DeviceFile;  // model/device_file.hpp

/// What the catalog holds of one machine, for health and logs.
struct MachineKeys {
  std::size_t items = 0;      ///< keys interned so far
  std::size_t limit = 0;      ///< most keys it may have (setMachineLimit; 0: no own bound)
  std::uint64_t refused = 0;  ///< intern() calls refused for a new key beyond the limit
  std::string lastRefused;    ///< the last key refused (as the source sent it)
};

/// Thread safety: intern() and addMachine() take a lock; item() and machineName() are
/// lock-free and may run concurrently with them (items never move once created).
///
/// Bounded: each machine may hold at most its limit of keys (max_keys, set by its collector
/// from the machine's options) and the process at most kChunkSize * kMaxChunks. A new key
/// beyond either is refused with an error (kInvalidArgument, naming the limit) and counted; keys
/// already interned are always found. Nothing here throws in the data path.
class ItemCatalog {
 public:
  static constexpr size_t kChunkSize = 1024;
  static constexpr size_t kMaxChunks = 4096;  ///< 4M items per process

  ItemCatalog();
  ~ItemCatalog();
  ItemCatalog(const ItemCatalog&) = delete;
  ItemCatalog& operator=(const ItemCatalog&) = delete;

  /// The most machines one catalog holds (a configuration may name no more).
  static constexpr std::size_t kMaxMachines = 16384;
  /// Returns the id of a machine, creating it on first use; an error value beyond kMaxMachines
  /// (a journal or a configuration from the cloud naming more machines than an edge holds).
  Result<MachineId> admitMachine(std::string_view name);
  /// admitMachine() where the limit cannot be reached (tests, benchmarks); throws
  /// std::length_error beyond it.
  MachineId addMachine(std::string_view name);
  const std::string& machineName(MachineId id) const;
  size_t machineCount() const;

  /// Returns the id of (machine, key), creating the item with `kind` on first use. A new key
  /// beyond the machine's limit or the process's is refused (kInvalidArgument, naming the limit),
  /// counted in machineKeys().refused (the caller drops what it would have carried, and logs it).
  Result<ItemId> intern(MachineId machine, std::string_view key, Kind kind = Kind::kEvent);
  /// The same, and a new item also gets `type`, `subtype` and `units` (what an MTConnect probe
  /// or a script's output says of it) before any reader can see it. An existing item keeps
  /// what it has: the first description wins.
  Result<ItemId> intern(MachineId machine, std::string_view key, Kind kind, std::string_view type,
                        std::string_view subtype, std::string_view units);
  /// For keys read back from the journal: admitted when they were first written, so the
  /// machine's limit does not apply (a lowered max_keys never loses journaled data); the
  /// process's bound does.
  Result<ItemId> internAdmitted(MachineId machine, std::string_view key, Kind kind);

  /// Sets the most keys `machine` may hold (0: no bound of its own). Keys it already holds
  /// stay; only new ones are refused. Called by the machine's collector when it starts.
  void setMachineLimit(MachineId machine, std::size_t maxKeys);
  /// The machine's key count, limit and refusals (a copy, taken under the lock).
  MachineKeys machineKeys(MachineId machine) const;

  const DataItem& item(ItemId id) const;
  size_t itemCount() const { return m_count.load(std::memory_order_acquire); }

  /// The item's kind: the one it was interned with, or the one settleKind() gave it since.
  /// Lock-free.
  Kind kind(ItemId id) const;
  /// Gives an item interned without a known kind (a source that learns it from the first
  /// values, such as SHDR) its kind, once: the first call wins, later ones are ignored, so an
  /// item never changes category after the fact. Lock-free; bumps generation() when it sets.
  void settleKind(ItemId id, Kind kind);

  /// Which of a machine's keys reach the state store. A script consumes the keys it reads
  /// (they become its outputs) and may filter the rest; such keys stay interned (the script
  /// needs their ids) but are not published: the MTConnect interface does not serve them.
  /// Without a predicate every key is published. Bumps generation().
  using KeyPredicate = std::function<bool(std::string_view key)>;
  void setPublished(MachineId machine, KeyPredicate published);
  /// True when the item's key is published (see setPublished). Takes the lock.
  bool published(ItemId id) const;

  /// The machine's device file (an MTConnect Devices.xml it is described by), or null.
  /// Set before the machine's collector starts; bumps generation().
  void setDeviceFile(MachineId machine, std::shared_ptr<const DeviceFile> file);
  std::shared_ptr<const DeviceFile> deviceFile(MachineId machine) const;
  /// Interns item `index` of the machine's device file under its id (the key), with the kind,
  /// type, subtype and units the file gives it. An existing key keeps its description.
  Result<ItemId> internFileItem(MachineId machine, std::size_t index);

  /// Grows whenever something a reader derives a model from changes without new items (a kind
  /// settled, a published predicate or a device file set). Lock-free.
  std::uint64_t generation() const { return m_generation.load(std::memory_order_acquire); }

 private:
  struct Chunk {
    std::array<DataItem, kChunkSize> items;
    /// Kinds settled after interning, as 1 + Kind (0: none yet).
    std::array<std::atomic<std::uint8_t>, kChunkSize> settled{};
  };
  Result<ItemId> internLocked(MachineId machine, std::string_view key, Kind kind,
                              std::string_view type, std::string_view subtype,
                              std::string_view units, bool bounded, std::int32_t fileItem = -1);

  /// One copy of each distinct text (key, type, subtype, units), under m_mutex. A set's
  /// elements never move, so the items' views stay valid.
  std::string_view internText(std::string_view text);

  static std::size_t indexHash(MachineId machine, std::string_view key) {
    return std::hash<std::string_view>{}(key) ^ (std::size_t{machine} * 0x9e3779b97f4a7c15u);
  }

  mutable std::mutex m_mutex;
  std::array<std::atomic<Chunk*>, kMaxChunks> m_chunks{};
  std::atomic<size_t> m_count{0};
  TextSet m_texts;
  FlatTextIndex m_index;  ///< (machine, key) -> id, under m_mutex
  std::vector<std::unique_ptr<std::string>> m_machines;
  std::vector<MachineKeys> m_keys;                         ///< by MachineId, under m_mutex
  std::vector<KeyPredicate> m_published;                   ///< by MachineId, under m_mutex
  std::vector<std::shared_ptr<const DeviceFile>> m_files;  ///< by MachineId, under m_mutex
  std::atomic<std::uint64_t> m_generation{0};
  std::atomic<size_t> m_machineCount{0};
  std::array<std::atomic<const std::string*>, kMaxMachines> m_machineNames{};
};

}  // namespace spindle::model
