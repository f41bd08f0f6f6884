#include "state/state_store.hpp"

#include <algorithm>
#include <mutex>

#include "base/grow.hpp"

namespace spindle::state {

StateStore::StateStore(std::size_t ringSize) : m_ring(std::max<std::size_t>(1, ringSize)) {}

void StateStore::apply(const model::Batch& batch) {
  std::unique_lock lock(m_mutex);
  for (const auto& obs : batch) {
    if (obs.item >= m_latest.size()) growTo(m_latest, obs.item + std::size_t{1});
    if (obs.machine >= m_machines.size()) m_machines.resize(obs.machine + 16);
    Latest& latest = m_latest[obs.item];
    latest.timestamp = obs.timestamp;
    latest.value = obs.value;
    latest.machine = obs.machine;
    latest.kind = obs.kind;
    latest.flags = obs.flags;
    latest.has = true;
    auto& stats = m_machines[obs.machine];
    ++stats.observations;
    stats.lastTimestamp = std::max(stats.lastTimestamp, obs.timestamp);
    m_ring[m_next % m_ring.size()] = SequencedObservation{m_next, obs};
    ++m_next;
  }
}

std::optional<model::Observation> StateStore::latest(model::ItemId item) const {
  std::shared_lock lock(m_mutex);
  if (item >= m_latest.size() || !m_latest[item].has) return std::nullopt;
  return m_latest[item].observation(item);
}

std::vector<model::Observation> StateStore::current(model::MachineId machine) const {
  std::shared_lock lock(m_mutex);
  std::vector<model::Observation> out;
  for (std::size_t i = 0; i < m_latest.size(); ++i) {
    const Latest& slot = m_latest[i];
    if (slot.has && slot.machine == machine) out.push_back(slot.observation(model::ItemId(i)));
  }
  return out;
}

std::vector<SequencedObservation> StateStore::since(std::uint64_t from, std::size_t max) const {
  std::shared_lock lock(m_mutex);
  const std::uint64_t first = m_next > m_ring.size() ? m_next - m_ring.size() : 1;
  std::vector<SequencedObservation> out;
  for (std::uint64_t seq = std::max(from, first); seq < m_next && out.size() < max; ++seq) {
    out.push_back(m_ring[seq % m_ring.size()]);
  }
  return out;
}

MachineStats StateStore::machineStats(model::MachineId machine) const {
  std::shared_lock lock(m_mutex);
  return machine < m_machines.size() ? m_machines[machine] : MachineStats{};
}

std::uint64_t StateStore::firstSequence() const {
  std::shared_lock lock(m_mutex);
  return m_next > m_ring.size() ? m_next - m_ring.size() : 1;
}

std::uint64_t StateStore::nextSequence() const {
  std::shared_lock lock(m_mutex);
  return m_next;
}

}  // namespace spindle::state
