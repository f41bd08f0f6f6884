#pragma once
/// What the MTConnect interface needs beyond the state store: the sequence number of every
/// item's latest value, the active conditions of each condition item, the values as of an
/// earlier sequence (/current?at=), and the assets. Built from the applied batches of a
/// subscription (follow()) and, for what the subscription dropped or has not offered yet, the
/// store's ring (refresh()); it keeps a window of recent entries and a checkpoint of the values
/// before it.
///
/// Sequence numbers are the interface's own: the store's observations in the store's order,
/// plus the Agent device's events the interface makes itself when the device model grows
/// (DEVICE_ADDED for a new machine, DEVICE_CHANGED for new items of a known one), each placed
/// before the first observation of what was added. An observation the index missed still
/// takes its number, so a gap shows where it was.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "model/item_catalog.hpp"
#include "model/observation.hpp"
#include "state/batch_feed.hpp"
#include "state/state_store.hpp"
#include "web/mtconnect/compact_window.hpp"

namespace spindle::web::mtconnect {

/// The Agent device's events, as ItemIds above every catalog id; the entry's machine is the
/// device the event is about (its uuid is the value served).
constexpr model::ItemId kDeviceAddedItem = 0xFFFFFFF0u;
constexpr model::ItemId kDeviceChangedItem = kDeviceAddedItem + 1;
constexpr model::ItemId kDeviceRemovedItem = kDeviceAddedItem + 2;
constexpr bool isAgentEvent(model::ItemId id) {
  return id >= kDeviceAddedItem && id <= kDeviceRemovedItem;
}

/// One asset as /assets shows it.
struct AssetEntry {
  std::string id;
  std::string type;
  std::string document;  ///< the asset's XML as the source sent it
  model::MachineId machine = 0;
  TimestampNs timestamp = 0;
  bool removed = false;
};

/// Active conditions kept per condition item; a new code beyond it pushes out the oldest.
/// Collectors refuse codes beyond their machine's max_conditions long before this (see
/// collectors/input_guard.hpp); this bound holds whatever the source (scripts included).
constexpr std::size_t kMaxActiveConditions = 256;

class ObservationIndex {
 public:
  /// `assetCapacity` assets are kept; the oldest goes first. With a `catalog`, growth of the
  /// device model is announced by Agent events (none without). The window of recent entries
  /// holds at most `bufferMemory` bytes as entryBytes() counts them (the newest entry always
  /// stays; entries are packed, see CompactWindow); 0 keeps as many entries as the store's
  /// ring instead. With `filterDuplicates`, a
  /// sample, event or condition that says nothing new about its item is left out (no entry, no
  /// sequence number): the same value again, a condition already active with the same level
  /// and text, a NORMAL or UNAVAILABLE that changes nothing.
  ObservationIndex(const state::StateStore& store, std::size_t assetCapacity,
                   const model::ItemCatalog* catalog = nullptr, std::size_t bufferMemory = 0,
                   bool filterDuplicates = false);

  /// Takes the applied batches from `subscription` on every refresh() from now on (the
  /// index shares it; its owner closes it). Any thread.
  void follow(std::shared_ptr<state::BatchSubscription> subscription);
  /// Takes the observations the store has gained since the last call: the subscription's
  /// batches, then the ring for anything newer or dropped. Any thread.
  void refresh();

  std::uint64_t firstSequence() const;  ///< oldest sequence a /sample can start from
  std::uint64_t nextSequence() const;
  /// The observations the window holds when full: its entry count bound, or its memory bound
  /// divided by the average size of the entries held (at most 2^32-1, as the schemas allow).
  std::uint64_t bufferSize() const;
  /// Bytes the window holds now (CompactWindow::bytes).
  std::size_t bufferBytes() const;
  /// Observations the index missed because the store's ring moved on between refreshes.
  std::uint64_t missed() const;
  /// Observations left out as duplicates (with filterDuplicates).
  std::uint64_t duplicates() const;

  /// The latest entries (or those as of sequence `at`) of the items `want` accepts: one per
  /// item, several for a condition item with several active conditions. Returns false when
  /// `at` is outside [firstSequence, nextSequence).
  bool current(std::optional<std::uint64_t> at, const std::function<bool(model::ItemId)>& want,
               std::vector<Entry>& out) const;

  /// Entries from sequence `from` that `want` accepts, at most `count`. Returns the sequence
  /// after the last one examined (nextSequence when the end was reached).
  std::uint64_t sample(std::uint64_t from, std::size_t count,
                       const std::function<bool(model::ItemId)>& want,
                       std::vector<Entry>& out) const;

  /// Entries with `from` <= sequence <= `last` that `want` accepts, read backwards from
  /// `last`: the newest `count` of them, appended to `out` oldest first. Returns the lowest
  /// sequence examined (the oldest taken when `count` were found, else the window's first or
  /// `from`). `last` beyond the window is clamped to its end.
  std::uint64_t sampleBackward(std::uint64_t from, std::uint64_t last, std::size_t count,
                               const std::function<bool(model::ItemId)>& want,
                               std::vector<Entry>& out) const;

  std::vector<AssetEntry> assets() const;

  /// When the device model last grew (an Agent event was made); 0 before.
  TimestampNs modelChangeTime() const;

 private:
  /// Two tables hold one per item of the fleet (latest, checkpoint): kept to the entry and a
  /// pointer, the active conditions apart (most items never have one).
  struct ItemState {
    /// The item's last entry without its item (the slot says it): 64 bytes, not 72.
    struct Last {
      std::uint64_t sequence = 0;  ///< 0: no value yet
      TimestampNs timestamp = 0;
      model::Value value;
      model::MachineId machine = 0;
      model::Kind kind = model::Kind::kEvent;
      std::uint8_t flags = 0;
      void set(const Entry& e) {
        sequence = e.sequence;
        timestamp = e.observation.timestamp;
        value = e.observation.value;
        machine = e.observation.machine;
        kind = e.observation.kind;
        flags = e.observation.flags;
      }
      Entry entry(model::ItemId item) const {
        return Entry{sequence, model::Observation{machine, item, timestamp, kind, flags, value}};
      }
    };
    Last last;
    /// Conditions only: WARNING/FAULT by native code; null until the first one.
    std::unique_ptr<std::vector<Entry>> active;

    ItemState() = default;
    ItemState(const ItemState& other);
    ItemState& operator=(const ItemState& other);
    ItemState(ItemState&&) noexcept = default;
    ItemState& operator=(ItemState&&) noexcept = default;
    bool has() const { return last.sequence != 0; }
    bool anyActive() const { return active != nullptr && !active->empty(); }
    void clearActive() {
      if (active) active->clear();
    }
  };
  /// The state slot of `item` in `states` (catalog items after the Agent's events).
  static ItemState& slot(std::vector<ItemState>& states, model::ItemId item);
  /// Adds the Agent events for machines and items the catalog gained. Under m_mutex.
  void noteModel();
  static void apply(ItemState& state, const Entry& entry);
  /// Whether `obs` says nothing new after `state` (the item's latest).
  static bool duplicate(const ItemState& state, const model::Observation& obs);
  static void emit(const ItemState& state, model::ItemId item, std::vector<Entry>& out);
  /// The item of slot `index` (the inverse of slot()).
  static model::ItemId itemOfSlot(std::size_t index);
  void applyAsset(const model::Observation& obs);
  /// Adds the ring's observations from m_next up to `until` (exclusive). Under m_mutex.
  void readRing(std::uint64_t until);
  /// Adds one entry after the window's last, numbering it. Under m_mutex.
  void add(Entry e);
  /// Skips `n` sequence numbers for observations the index missed. Under m_mutex.
  void skip(std::uint64_t n);

  const state::StateStore& m_store;
  const model::ItemCatalog* m_catalog;
  std::size_t m_capacity;  ///< entries (count-bound window), or 0
  std::size_t m_budget;    ///< bytes (memory-bound window), or 0
  std::size_t m_assetCapacity;
  mutable std::mutex m_mutex;
  CompactWindow m_window;               ///< the recent entries, packed
  std::vector<ItemState> m_checkpoint;  ///< by slot(): state before m_window.front()
  std::vector<ItemState> m_latest;      ///< by slot(): state after m_window.back()
  std::uint64_t m_storeNext = 1;        ///< the store's sequence of the next to read
  std::uint64_t m_next = 1;             ///< the interface's sequence of the next entry
  std::uint64_t m_missed = 0;
  bool m_filterDuplicates = false;
  std::uint64_t m_duplicates = 0;
  std::size_t m_modelMachines = 0;  ///< catalog machines and items announced so far
  std::size_t m_modelItems = 0;
  TimestampNs m_modelChangeTime = 0;
  std::shared_ptr<state::BatchSubscription> m_subscription;
  std::vector<state::AppliedBatch> m_taken;  ///< refresh()'s buffer
  std::map<std::string, AssetEntry> m_assets;
  std::deque<std::string> m_assetOrder;
};

}  // namespace spindle::web::mtconnect
