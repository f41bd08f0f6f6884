#include "state/state_store.hpp"

#include <algorithm>
#include <mutex>

#include "base/grow.hpp"

namespace spindle::state {

StateStore::StateStore(std::size_t ringSize, std::size_t ringMemory)
    : m_ring(std::max<std::size_t>(1, ringSize)), m_ringMemory(ringMemory) {}

std::uint64_t StateStore::firstHeld() const {
  return std::max(m_first, m_next > m_ring.size() ? m_next - m_ring.size() : 1);
}

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
    SequencedObservation& slot = m_ring[m_next % m_ring.size()];
    if (slot.sequence >= m_first) m_ringBytes -= model::heldBytes(slot.observation);
    slot = SequencedObservation{m_next, obs};
    m_ringBytes += model::heldBytes(slot.observation);
    ++m_next;
    // Over its memory, the ring lets its oldest go (and frees their values) before the ring
    // itself comes round to them; the newest stays whatever its size.
    m_first = firstHeld();
    while (m_ringBytes > m_ringMemory && m_first + 1 < m_next) {
      SequencedObservation& oldest = m_ring[m_first % m_ring.size()];
      m_ringBytes -= model::heldBytes(oldest.observation);
      oldest = SequencedObservation{};
      ++m_first;
    }
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
  const std::uint64_t first = firstHeld();
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
  return firstHeld();
}

std::size_t StateStore::ringBytes() const {
  std::shared_lock lock(m_mutex);
  return m_ringBytes;
}

std::uint64_t StateStore::nextSequence() const {
  std::shared_lock lock(m_mutex);
  return m_next;
}

}  // namespace spindle::state
