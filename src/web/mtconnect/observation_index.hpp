#pragma once
/// What the MTConnect interface needs beyond the state store: the sequence number of every
/// item's latest value, the active conditions of each condition item, the values as of an
/// earlier sequence (/current?at=), and the assets. Built from the applied batches of a
/// subscription (follow()) and, for what the subscription dropped or has not offered yet, the
/// store's ring (refresh()); it mirrors the ring's window and keeps a checkpoint of the values
/// before it.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "model/observation.hpp"
#include "state/batch_feed.hpp"
#include "state/state_store.hpp"

namespace spindle::web::mtconnect {

struct Entry {
  std::uint64_t sequence = 0;
  model::Observation observation;
};

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
  /// `assetCapacity` assets are kept; the oldest goes first.
  ObservationIndex(const state::StateStore& store, std::size_t assetCapacity);

  /// Takes the applied batches from `subscription` on every refresh() from now on (the
  /// index shares it; its owner closes it). Any thread.
  void follow(std::shared_ptr<state::BatchSubscription> subscription);
  /// Takes the observations the store has gained since the last call: the subscription's
  /// batches, then the ring for anything newer or dropped. Any thread.
  void refresh();

  std::uint64_t firstSequence() const;  ///< oldest sequence a /sample can start from
  std::uint64_t nextSequence() const;
  std::uint64_t bufferSize() const { return m_capacity; }
  /// Observations the index missed because the store's ring moved on between refreshes.
  std::uint64_t missed() const;

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

 private:
  struct ItemState {
    bool has = false;
    Entry last;
    std::vector<Entry> active;  ///< conditions only: WARNING/FAULT by native code
  };
  static void apply(ItemState& state, const Entry& entry);
  static void emit(const ItemState& state, std::vector<Entry>& out);
  void applyAsset(const model::Observation& obs);
  /// Adds the ring's observations from m_next up to `until` (exclusive). Under m_mutex.
  void readRing(std::uint64_t until);
  /// Adds one entry after the window's last. Under m_mutex.
  void add(Entry e);

  const state::StateStore& m_store;
  std::size_t m_capacity;
  std::size_t m_assetCapacity;
  mutable std::mutex m_mutex;
  std::deque<Entry> m_window;           ///< mirror of the store's ring
  std::vector<ItemState> m_checkpoint;  ///< by ItemId: state before m_window.front()
  std::vector<ItemState> m_latest;      ///< by ItemId: state after m_window.back()
  std::uint64_t m_next = 1;
  std::uint64_t m_missed = 0;
  std::shared_ptr<state::BatchSubscription> m_subscription;
  std::vector<state::AppliedBatch> m_taken;  ///< refresh()'s buffer
  std::map<std::string, AssetEntry> m_assets;
  std::deque<std::string> m_assetOrder;
};

}  // namespace spindle::web::mtconnect
