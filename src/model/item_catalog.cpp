#include "model/item_catalog.hpp"

#include <stdexcept>

namespace spindle::model {
namespace {
std::string indexKey(MachineId machine, std::string_view key) {
  std::string k = std::to_string(machine);
  k.push_back('\x1f');
  k.append(key);
  return k;
}
}  // namespace

ItemCatalog::ItemCatalog() = default;

ItemCatalog::~ItemCatalog() {
  for (auto& chunk : m_chunks) delete chunk.load();
}

MachineId ItemCatalog::addMachine(std::string_view name) {
  std::lock_guard lock(m_mutex);
  for (size_t i = 0; i < m_machines.size(); ++i) {
    if (*m_machines[i] == name) return static_cast<MachineId>(i);
  }
  if (m_machines.size() >= m_machineNames.size()) throw std::length_error("too many machines");
  m_machines.push_back(std::make_unique<std::string>(name));
  const size_t id = m_machines.size() - 1;
  m_machineNames[id].store(m_machines.back().get(), std::memory_order_release);
  m_machineCount.store(m_machines.size(), std::memory_order_release);
  return static_cast<MachineId>(id);
}

const std::string& ItemCatalog::machineName(MachineId id) const {
  return *m_machineNames[id].load(std::memory_order_acquire);
}

size_t ItemCatalog::machineCount() const { return m_machineCount.load(std::memory_order_acquire); }

ItemId ItemCatalog::intern(MachineId machine, std::string_view key, Kind kind) {
  return intern(machine, key, kind, {}, {}, {});
}

ItemId ItemCatalog::intern(MachineId machine, std::string_view key, Kind kind,
                           std::string_view type, std::string_view subtype,
                           std::string_view units) {
  std::lock_guard lock(m_mutex);
  auto [it, inserted] = m_index.try_emplace(indexKey(machine, key), 0);
  if (!inserted) return it->second;
  const size_t id = m_count.load(std::memory_order_relaxed);
  const size_t chunkIndex = id / kChunkSize;
  if (chunkIndex >= kMaxChunks) {
    m_index.erase(it);
    throw std::length_error("data item catalog is full");
  }
  Chunk* chunk = m_chunks[chunkIndex].load(std::memory_order_relaxed);
  if (chunk == nullptr) {
    chunk = new Chunk();
    m_chunks[chunkIndex].store(chunk, std::memory_order_release);
  }
  DataItem& item = chunk->items[id % kChunkSize];
  item.machine = machine;
  item.key = std::string(key);
  item.kind = kind;
  item.type = std::string(type);
  item.subtype = std::string(subtype);
  item.units = std::string(units);
  it->second = static_cast<ItemId>(id);
  m_count.store(id + 1, std::memory_order_release);
  return static_cast<ItemId>(id);
}

const DataItem& ItemCatalog::item(ItemId id) const {
  return m_chunks[id / kChunkSize].load(std::memory_order_acquire)->items[id % kChunkSize];
}

}  // namespace spindle::model
