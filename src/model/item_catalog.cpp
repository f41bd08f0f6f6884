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
  m_keys.emplace_back();
  const size_t id = m_machines.size() - 1;
  m_machineNames[id].store(m_machines.back().get(), std::memory_order_release);
  m_machineCount.store(m_machines.size(), std::memory_order_release);
  return static_cast<MachineId>(id);
}

const std::string& ItemCatalog::machineName(MachineId id) const {
  return *m_machineNames[id].load(std::memory_order_acquire);
}

size_t ItemCatalog::machineCount() const { return m_machineCount.load(std::memory_order_acquire); }

Result<ItemId> ItemCatalog::intern(MachineId machine, std::string_view key, Kind kind) {
  return intern(machine, key, kind, {}, {}, {});
}

Result<ItemId> ItemCatalog::intern(MachineId machine, std::string_view key, Kind kind,
                                   std::string_view type, std::string_view subtype,
                                   std::string_view units) {
  std::lock_guard lock(m_mutex);
  return internLocked(machine, key, kind, type, subtype, units, true);
}

Result<ItemId> ItemCatalog::internAdmitted(MachineId machine, std::string_view key, Kind kind) {
  std::lock_guard lock(m_mutex);
  return internLocked(machine, key, kind, {}, {}, {}, false);
}

Result<ItemId> ItemCatalog::internLocked(MachineId machine, std::string_view key, Kind kind,
                                         std::string_view type, std::string_view subtype,
                                         std::string_view units, bool bounded) {
  std::string index = indexKey(machine, key);
  if (auto found = m_index.find(index); found != m_index.end()) return found->second;
  MachineKeys& keys = m_keys.at(machine);
  const size_t id = m_count.load(std::memory_order_relaxed);
  const size_t chunkIndex = id / kChunkSize;
  const bool overMachine = bounded && keys.limit != 0 && keys.items >= keys.limit;
  if (overMachine || chunkIndex >= kMaxChunks) {
    ++keys.refused;
    keys.lastRefused = std::string(key);
    return Error(ErrorCode::kInvalidArgument,
                 overMachine ? "machine " + machineName(machine) + " holds max_keys (" +
                                   std::to_string(keys.limit) + ") data items"
                             : std::string("the data item catalog is full"));
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
  m_index.emplace(std::move(index), static_cast<ItemId>(id));
  ++keys.items;
  m_count.store(id + 1, std::memory_order_release);
  return static_cast<ItemId>(id);
}

void ItemCatalog::setMachineLimit(MachineId machine, std::size_t maxKeys) {
  std::lock_guard lock(m_mutex);
  m_keys.at(machine).limit = maxKeys;
}

MachineKeys ItemCatalog::machineKeys(MachineId machine) const {
  std::lock_guard lock(m_mutex);
  return m_keys.at(machine);
}

const DataItem& ItemCatalog::item(ItemId id) const {
  return m_chunks[id / kChunkSize].load(std::memory_order_acquire)->items[id % kChunkSize];
}

}  // namespace spindle::model
