#include "web/mtconnect/observation_index.hpp"

#include <algorithm>

namespace spindle::web::mtconnect {

ObservationIndex::ObservationIndex(const state::StateStore& store, std::size_t assetCapacity)
    : m_store(store), m_capacity(store.capacity()), m_assetCapacity(assetCapacity) {
  m_next = store.firstSequence();
  refresh();
}

void ObservationIndex::apply(ItemState& state, const Entry& entry) {
  state.has = true;
  const auto* cond = std::get_if<std::shared_ptr<const model::Condition>>(&entry.observation.value);
  if (entry.observation.kind != model::Kind::kCondition || cond == nullptr || !*cond) {
    state.last = entry;
    state.active.clear();
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
        state.active.clear();
      } else {
        std::erase_if(state.active, sameCode);
      }
      state.last = entry;
      break;
    case model::Level::kUnavailable:
      state.active.clear();
      state.last = entry;
      break;
    default:
      std::erase_if(state.active, sameCode);
      if (state.active.size() >= kMaxActiveConditions) state.active.erase(state.active.begin());
      state.active.push_back(entry);
      state.last = entry;
      break;
  }
}

void ObservationIndex::emit(const ItemState& state, std::vector<Entry>& out) {
  if (!state.has) return;
  if (!state.active.empty()) {
    out.insert(out.end(), state.active.begin(), state.active.end());
  } else {
    out.push_back(state.last);
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
      if (end <= m_next) continue;  // a request read it from the ring already
      // Batches the subscription dropped: the ring may still hold them.
      if (applied.firstSequence > m_next) readRing(applied.firstSequence);
      if (applied.firstSequence > m_next) {
        m_missed += applied.firstSequence - m_next;
        m_next = applied.firstSequence;
      }
      for (std::uint64_t seq = m_next; seq < end; ++seq) {
        add(Entry{seq, (*applied.batch)[seq - applied.firstSequence]});
      }
      m_next = end;
    }
    m_taken.clear();
  }
  // What the store applied and the subscription has not offered yet (or all of it when no
  // subscription feeds the index): a request sees every batch applied before it came.
  readRing(m_store.nextSequence());
}

void ObservationIndex::readRing(std::uint64_t until) {
  constexpr std::uint64_t kStep = 4096;
  while (m_next < until) {
    const auto got =
        m_store.since(m_next, static_cast<std::size_t>(std::min(kStep, until - m_next)));
    if (got.empty()) break;
    // The ring moved on past what the index had: those are missed.
    const std::uint64_t first = std::min(got.front().sequence, until);
    if (first > m_next) {
      m_missed += first - m_next;
      m_next = first;
    }
    for (const auto& s : got) {
      if (s.sequence >= until) break;
      add(Entry{s.sequence, s.observation});
      m_next = s.sequence + 1;
    }
  }
}

void ObservationIndex::add(Entry e) {
  const model::ItemId item = e.observation.item;
  if (e.observation.kind == model::Kind::kAsset) applyAsset(e.observation);
  if (item >= m_latest.size()) {
    m_latest.resize(item + 1024);
    m_checkpoint.resize(item + 1024);
  }
  apply(m_latest[item], e);
  m_window.push_back(std::move(e));
  while (m_window.size() > m_capacity) {
    const Entry& old = m_window.front();
    apply(m_checkpoint[old.observation.item], old);
    m_window.pop_front();
  }
}

std::uint64_t ObservationIndex::firstSequence() const {
  std::lock_guard lock(m_mutex);
  return m_window.empty() ? m_next : m_window.front().sequence;
}

std::uint64_t ObservationIndex::nextSequence() const {
  std::lock_guard lock(m_mutex);
  return m_next;
}

std::uint64_t ObservationIndex::missed() const {
  std::lock_guard lock(m_mutex);
  return m_missed;
}

bool ObservationIndex::current(std::optional<std::uint64_t> at,
                               const std::function<bool(model::ItemId)>& want,
                               std::vector<Entry>& out) const {
  std::lock_guard lock(m_mutex);
  if (!at) {
    for (model::ItemId id = 0; id < m_latest.size(); ++id) {
      if (m_latest[id].has && m_latest[id].last.observation.kind != model::Kind::kAsset && want(id))
        emit(m_latest[id], out);
    }
    return true;
  }
  const std::uint64_t first = m_window.empty() ? m_next : m_window.front().sequence;
  if (*at < first || *at >= m_next) return false;
  std::vector<ItemState> states = m_checkpoint;
  for (const auto& e : m_window) {
    if (e.sequence > *at) break;
    apply(states[e.observation.item], e);
  }
  for (model::ItemId id = 0; id < states.size(); ++id) {
    if (states[id].has && states[id].last.observation.kind != model::Kind::kAsset && want(id))
      emit(states[id], out);
  }
  return true;
}

std::uint64_t ObservationIndex::sample(std::uint64_t from, std::size_t count,
                                       const std::function<bool(model::ItemId)>& want,
                                       std::vector<Entry>& out) const {
  std::lock_guard lock(m_mutex);
  if (m_window.empty()) return m_next;
  auto it = std::lower_bound(m_window.begin(), m_window.end(), from,
                             [](const Entry& e, std::uint64_t s) { return e.sequence < s; });
  std::size_t taken = 0;
  for (; it != m_window.end(); ++it) {
    const Entry& e = *it;
    if (e.observation.kind == model::Kind::kAsset || !want(e.observation.item)) continue;
    if (taken == count) return e.sequence;
    out.push_back(e);
    ++taken;
  }
  return m_next;
}

std::uint64_t ObservationIndex::sampleBackward(std::uint64_t from, std::uint64_t last,
                                               std::size_t count,
                                               const std::function<bool(model::ItemId)>& want,
                                               std::vector<Entry>& out) const {
  std::lock_guard lock(m_mutex);
  if (m_window.empty() || count == 0) return from;
  // The first entry after `last`; walk back from there.
  auto it = std::upper_bound(m_window.begin(), m_window.end(), last,
                             [](std::uint64_t s, const Entry& e) { return s < e.sequence; });
  const std::size_t before = out.size();
  std::uint64_t lowest = std::max(from, m_window.front().sequence);
  while (it != m_window.begin()) {
    --it;
    if (it->sequence < from) break;
    lowest = it->sequence;
    if (it->observation.kind == model::Kind::kAsset || !want(it->observation.item)) continue;
    out.push_back(*it);
    if (out.size() - before == count) break;
  }
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
