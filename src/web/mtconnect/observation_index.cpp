#include "web/mtconnect/observation_index.hpp"

#include <algorithm>
#include <set>

#include "base/grow.hpp"
#include "base/time.hpp"
#include "model/same_value.hpp"

namespace spindle::web::mtconnect {

namespace {
constexpr std::size_t kAgentSlots = kDeviceRemovedItem - kDeviceAddedItem + 1;
}  // namespace

ObservationIndex::ObservationIndex(const state::StateStore& store, std::size_t assetCapacity,
                                   const model::ItemCatalog* catalog, std::size_t bufferMemory,
                                   bool filterDuplicates)
    : m_store(store),
      m_catalog(catalog),
      m_capacity(bufferMemory == 0 ? store.capacity() : 0),
      m_budget(bufferMemory),
      m_assetCapacity(assetCapacity),
      m_checkpoint(kAgentSlots),
      m_latest(kAgentSlots),
      m_filterDuplicates(filterDuplicates) {
  m_storeNext = store.firstSequence();
  refresh();
}

ObservationIndex::ItemState::ItemState(const ItemState& other)
    : last(other.last),
      active(other.anyActive() ? std::make_unique<std::vector<Entry>>(*other.active) : nullptr) {}

ObservationIndex::ItemState& ObservationIndex::ItemState::operator=(const ItemState& other) {
  if (this != &other) *this = ItemState(other);
  return *this;
}

ObservationIndex::ItemState& ObservationIndex::slot(std::vector<ItemState>& states,
                                                    model::ItemId item) {
  return states[isAgentEvent(item) ? item - kDeviceAddedItem : kAgentSlots + item];
}

model::ItemId ObservationIndex::itemOfSlot(std::size_t index) {
  return index < kAgentSlots ? static_cast<model::ItemId>(kDeviceAddedItem + index)
                             : static_cast<model::ItemId>(index - kAgentSlots);
}

void ObservationIndex::noteModel() {
  if (m_catalog == nullptr) return;
  const std::size_t machines = m_catalog->machineCount();
  const std::size_t items = m_catalog->itemCount();
  if (machines == m_modelMachines && items == m_modelItems) return;
  const TimestampNs now = wallClockNs();
  auto event = [&](model::ItemId type, model::MachineId machine) {
    add(Entry{0, model::Observation{machine, type, now, model::Kind::kEvent, 0,
                                    model::Value{model::Unavailable{}}}});
  };
  std::set<model::MachineId> changed;
  for (model::ItemId id = static_cast<model::ItemId>(m_modelItems); id < items; ++id) {
    const model::MachineId machine = m_catalog->item(id).machine;
    if (machine < m_modelMachines) changed.insert(machine);
  }
  for (auto m = static_cast<model::MachineId>(m_modelMachines); m < machines; ++m)
    event(kDeviceAddedItem, m);
  for (const model::MachineId m : changed) event(kDeviceChangedItem, m);
  m_modelMachines = machines;
  m_modelItems = items;
  m_modelChangeTime = now;
}

void ObservationIndex::apply(ItemState& state, const Entry& entry) {
  const auto* cond = std::get_if<std::shared_ptr<const model::Condition>>(&entry.observation.value);
  if (entry.observation.kind != model::Kind::kCondition || cond == nullptr || !*cond) {
    state.last.set(entry);
    state.clearActive();
    return;
  }
  const model::Condition& c = **cond;
  auto sameCode = [&](const Entry& e) {
    const auto& other = std::get<std::shared_ptr<const model::Condition>>(e.observation.value);
    return other->nativeCode == c.nativeCode;
  };
  switch (c.level) {
    case model::Level::kNormal:
      if (c.nativeCode.empty()) {
        state.clearActive();
      } else if (state.active) {
        std::erase_if(*state.active, sameCode);
      }
      state.last.set(entry);
      break;
    case model::Level::kUnavailable:
      state.clearActive();
      state.last.set(entry);
      break;
    default: {
      if (!state.active) state.active = std::make_unique<std::vector<Entry>>();
      std::vector<Entry>& active = *state.active;
      std::erase_if(active, sameCode);
      if (active.size() >= kMaxActiveConditions) active.erase(active.begin());
      active.push_back(entry);
      state.last.set(entry);
      break;
    }
  }
}

bool ObservationIndex::duplicate(const ItemState& state, const model::Observation& obs) {
  if (!state.has()) return false;
  switch (obs.kind) {
    case model::Kind::kSample:
    case model::Kind::kEvent:
      return model::sameValue(state.last.value, obs.value);
    case model::Kind::kCondition:
      break;
    default:  // messages, time series, data sets, tables, assets: each one is news
      return false;
  }
  const auto* lastCond = std::get_if<std::shared_ptr<const model::Condition>>(&state.last.value);
  const bool lastUnavailable =
      lastCond == nullptr || !*lastCond || (*lastCond)->level == model::Level::kUnavailable;
  const auto* cond = std::get_if<std::shared_ptr<const model::Condition>>(&obs.value);
  if (cond == nullptr || !*cond) {  // UNAVAILABLE as a plain value (a machine that went away)
    return model::isUnavailable(obs.value) && lastUnavailable && !state.anyActive();
  }
  const model::Condition& c = **cond;
  static const std::vector<Entry> kNone;
  const std::vector<Entry>& actives = state.active ? *state.active : kNone;
  const auto active = std::find_if(actives.begin(), actives.end(), [&](const Entry& e) {
    return std::get<std::shared_ptr<const model::Condition>>(e.observation.value)->nativeCode ==
           c.nativeCode;
  });
  switch (c.level) {
    case model::Level::kUnavailable:
      return lastUnavailable && actives.empty();
    case model::Level::kNormal:
      // Clears nothing: the item is normal already, or this code is not active.
      if (lastUnavailable) return false;
      return c.nativeCode.empty() ? actives.empty() : active == actives.end();
    default:
      return active != actives.end() && **std::get_if<std::shared_ptr<const model::Condition>>(
                                            &active->observation.value) == c;
  }
}

void ObservationIndex::emit(const ItemState& state, model::ItemId item, std::vector<Entry>& out) {
  if (!state.has()) return;
  if (state.anyActive()) {
    out.insert(out.end(), state.active->begin(), state.active->end());
  } else {
    out.push_back(state.last.entry(item));
  }
}

void ObservationIndex::applyAsset(const model::Observation& obs) {
  const auto* a = std::get_if<std::shared_ptr<const model::Asset>>(&obs.value);
  if (a == nullptr || !*a) return;
  const model::Asset& asset = **a;
  switch (asset.action) {
    case model::Asset::Action::kAdd: {
      if (!m_assets.count(asset.id)) m_assetOrder.push_back(asset.id);
      m_assets[asset.id] =
          AssetEntry{asset.id, asset.type, asset.document, obs.machine, obs.timestamp, false};
      while (m_assets.size() > m_assetCapacity && !m_assetOrder.empty()) {
        m_assets.erase(m_assetOrder.front());
        m_assetOrder.pop_front();
      }
      break;
    }
    case model::Asset::Action::kRemove:
      if (auto it = m_assets.find(asset.id); it != m_assets.end()) it->second.removed = true;
      break;
    case model::Asset::Action::kRemoveAll:
      for (auto& [id, entry] : m_assets) {
        if (entry.machine == obs.machine && (asset.type.empty() || entry.type == asset.type))
          entry.removed = true;
      }
      break;
  }
}

void ObservationIndex::follow(std::shared_ptr<state::BatchSubscription> subscription) {
  std::lock_guard lock(m_mutex);
  m_subscription = std::move(subscription);
}

void ObservationIndex::refresh() {
  std::lock_guard lock(m_mutex);
  if (m_subscription) {
    m_taken.clear();
    m_subscription->take(m_taken);
    for (const auto& applied : m_taken) {
      const std::uint64_t end = applied.firstSequence + applied.batch->size();
      if (end <= m_storeNext) continue;  // a request read it from the ring already
      // Batches the subscription dropped: the ring may still hold them.
      if (applied.firstSequence > m_storeNext) readRing(applied.firstSequence);
      if (applied.firstSequence > m_storeNext) {
        skip(applied.firstSequence - m_storeNext);
        m_storeNext = applied.firstSequence;
      }
      noteModel();  // the batch's new items were interned before it was emitted
      for (std::uint64_t seq = m_storeNext; seq < end; ++seq) {
        add(Entry{0, (*applied.batch)[seq - applied.firstSequence]});
      }
      m_storeNext = end;
    }
    m_taken.clear();
  }
  // What the store applied and the subscription has not offered yet (or all of it when no
  // subscription feeds the index): a request sees every batch applied before it came.
  readRing(m_store.nextSequence());
  noteModel();  // items interned with no value yet are in the model too
}

void ObservationIndex::readRing(std::uint64_t until) {
  constexpr std::uint64_t kStep = 4096;
  while (m_storeNext < until) {
    const auto got =
        m_store.since(m_storeNext, static_cast<std::size_t>(std::min(kStep, until - m_storeNext)));
    if (got.empty()) break;
    // The ring moved on past what the index had: those are missed.
    const std::uint64_t first = std::min(got.front().sequence, until);
    if (first > m_storeNext) {
      skip(first - m_storeNext);
      m_storeNext = first;
    }
    noteModel();
    for (const auto& s : got) {
      if (s.sequence >= until) break;
      add(Entry{0, s.observation});
      m_storeNext = s.sequence + 1;
    }
  }
}

void ObservationIndex::skip(std::uint64_t n) {
  m_missed += n;
  m_next += n;
}

void ObservationIndex::add(Entry e) {
  const model::ItemId item = e.observation.item;
  if (m_filterDuplicates && !isAgentEvent(item) && kAgentSlots + item < m_latest.size() &&
      duplicate(slot(m_latest, item), e.observation)) {
    ++m_duplicates;
    return;
  }
  e.sequence = m_next++;
  if (e.observation.kind == model::Kind::kAsset) applyAsset(e.observation);
  if (!isAgentEvent(item) && kAgentSlots + item >= m_latest.size()) {
    growTo(m_latest, kAgentSlots + item + 1);
    growTo(m_checkpoint, kAgentSlots + item + 1);
  }
  apply(slot(m_latest, item), e);
  m_window.push(e);
  auto leave = [&](const Entry& old) { apply(slot(m_checkpoint, old.observation.item), old); };
  if (m_capacity != 0) {
    while (m_window.size() > m_capacity) leave(m_window.pop());
  } else {
    // A block at a time (its memory goes whole); the newest entry always stays.
    while (m_window.bytes() > m_budget && m_window.size() > 1) {
      if (m_window.blocks() > 1) {
        m_window.popBlock(leave);
      } else {
        leave(m_window.pop());
      }
    }
  }
}

std::uint64_t ObservationIndex::bufferSize() const {
  if (m_capacity != 0) return m_capacity;
  std::lock_guard lock(m_mutex);
  // Before any entry: a typical sample's packed size.
  const double average =
      m_window.empty() ? 16.0 : static_cast<double>(m_window.bytes()) / m_window.size();
  return static_cast<std::uint64_t>(
      std::min(static_cast<double>(m_budget) / average, 4294967295.0));
}

std::size_t ObservationIndex::bufferBytes() const {
  std::lock_guard lock(m_mutex);
  return m_window.bytes();
}

TimestampNs ObservationIndex::modelChangeTime() const {
  std::lock_guard lock(m_mutex);
  return m_modelChangeTime;
}

std::uint64_t ObservationIndex::firstSequence() const {
  std::lock_guard lock(m_mutex);
  return m_window.empty() ? m_next : m_window.firstSequence();
}

std::uint64_t ObservationIndex::nextSequence() const {
  std::lock_guard lock(m_mutex);
  return m_next;
}

std::uint64_t ObservationIndex::duplicates() const {
  std::lock_guard lock(m_mutex);
  return m_duplicates;
}

std::uint64_t ObservationIndex::missed() const {
  std::lock_guard lock(m_mutex);
  return m_missed;
}

bool ObservationIndex::current(std::optional<std::uint64_t> at,
                               const std::function<bool(model::ItemId)>& want,
                               std::vector<Entry>& out) const {
  std::lock_guard lock(m_mutex);
  auto emitAll = [&](const std::vector<ItemState>& states) {
    for (std::size_t i = 0; i < states.size(); ++i) {
      const ItemState& st = states[i];
      const model::ItemId item = itemOfSlot(i);
      if (st.has() && st.last.kind != model::Kind::kAsset && want(item)) emit(st, item, out);
    }
  };
  if (!at) {
    emitAll(m_latest);
    return true;
  }
  const std::uint64_t first = m_window.empty() ? m_next : m_window.firstSequence();
  if (*at < first || *at >= m_next) return false;
  std::vector<ItemState> states = m_checkpoint;
  m_window.forEachFrom(first, [&](const Entry& e) {
    if (e.sequence > *at) return false;
    apply(slot(states, e.observation.item), e);
    return true;
  });
  emitAll(states);
  return true;
}

std::uint64_t ObservationIndex::sample(std::uint64_t from, std::size_t count,
                                       const std::function<bool(model::ItemId)>& want,
                                       std::vector<Entry>& out) const {
  std::lock_guard lock(m_mutex);
  std::uint64_t next = m_next;
  std::size_t taken = 0;
  m_window.forEachFrom(from, [&](const Entry& e) {
    if (e.observation.kind == model::Kind::kAsset || !want(e.observation.item)) return true;
    if (taken == count) {
      next = e.sequence;
      return false;
    }
    out.push_back(e);
    ++taken;
    return true;
  });
  return next;
}

std::uint64_t ObservationIndex::sampleBackward(std::uint64_t from, std::uint64_t last,
                                               std::size_t count,
                                               const std::function<bool(model::ItemId)>& want,
                                               std::vector<Entry>& out) const {
  std::lock_guard lock(m_mutex);
  if (m_window.empty() || count == 0) return from;
  const std::size_t before = out.size();
  std::uint64_t lowest = std::max(from, m_window.firstSequence());
  m_window.forEachBackFrom(last, [&](const Entry& e) {
    if (e.sequence < from) return false;
    lowest = e.sequence;
    if (e.observation.kind == model::Kind::kAsset || !want(e.observation.item)) return true;
    out.push_back(e);
    return out.size() - before != count;
  });
  std::reverse(out.begin() + static_cast<std::ptrdiff_t>(before), out.end());
  return lowest;
}

std::vector<AssetEntry> ObservationIndex::assets() const {
  std::lock_guard lock(m_mutex);
  std::vector<AssetEntry> out;
  for (const auto& id : m_assetOrder) {
    if (auto it = m_assets.find(id); it != m_assets.end()) out.push_back(it->second);
  }
  return out;
}

}  // namespace spindle::web::mtconnect
