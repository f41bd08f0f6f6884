#include "model/item_catalog.hpp"

#include <stdexcept>

#include "model/device_file.hpp"

namespace spindle::model {
ItemCatalog::ItemCatalog() = default;

ItemCatalog::~ItemCatalog() {
  for (auto& chunk : m_chunks) delete chunk.load();
}

MachineId ItemCatalog::addMachine(std::string_view name) {
  auto id = admitMachine(name);
  if (!id) throw std::length_error(id.error().describe());
  return *id;
}

Result<MachineId> ItemCatalog::admitMachine(std::string_view name) {
  std::lock_guard lock(m_mutex);
  for (size_t i = 0; i < m_machines.size(); ++i) {
    if (*m_machines[i] == name) return static_cast<MachineId>(i);
  }
  if (m_machines.size() >= m_machineNames.size()) {
    return Error(ErrorCode::kInvalidArgument, "the item catalog holds at most " +
                                                  std::to_string(kMaxMachines) + " machines; '" +
                                                  std::string(name) + "' would be one more");
  }
  m_machines.push_back(std::make_unique<std::string>(name));
  m_keys.emplace_back();
  m_published.emplace_back();
  m_files.emplace_back();
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
                                         std::string_view units, bool bounded,
                                         std::int32_t fileItem) {
  const std::size_t hash = indexHash(machine, key);
  const std::uint32_t found = m_index.find(hash, [&](std::uint32_t id) {
    const DataItem& di = item(id);
    return di.machine == machine && di.key == key;
  });
  if (found != FlatTextIndex::kNone) return found;
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
  item.key = internText(key);
  item.kind = kind;
  item.type = internText(type);
  item.subtype = internText(subtype);
  item.units = internText(units);
  item.fileItem = fileItem;
  chunk->settled[id % kChunkSize].store(0, std::memory_order_relaxed);
  m_index.insert(hash, static_cast<ItemId>(id), [this](std::uint32_t other) {
    const DataItem& di = this->item(other);
    return indexHash(di.machine, di.key);
  });
  ++keys.items;
  m_count.store(id + 1, std::memory_order_release);
  return static_cast<ItemId>(id);
}

std::string_view ItemCatalog::internText(std::string_view text) {
  if (text.empty()) return {};
  auto found = m_texts.find(text);
  if (found == m_texts.end()) found = m_texts.emplace(text).first;
  return *found;
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

Kind ItemCatalog::kind(ItemId id) const {
  const Chunk* chunk = m_chunks[id / kChunkSize].load(std::memory_order_acquire);
  const std::uint8_t settled = chunk->settled[id % kChunkSize].load(std::memory_order_acquire);
  return settled == 0 ? chunk->items[id % kChunkSize].kind : static_cast<Kind>(settled - 1);
}

void ItemCatalog::settleKind(ItemId id, Kind kind) {
  Chunk* chunk = m_chunks[id / kChunkSize].load(std::memory_order_acquire);
  std::uint8_t expected = 0;
  if (chunk->settled[id % kChunkSize].compare_exchange_strong(
          expected, static_cast<std::uint8_t>(static_cast<std::uint8_t>(kind) + 1),
          std::memory_order_acq_rel)) {
    m_generation.fetch_add(1, std::memory_order_acq_rel);
  }
}

void ItemCatalog::setPublished(MachineId machine, KeyPredicate published) {
  std::lock_guard lock(m_mutex);
  m_published.at(machine) = std::move(published);
  m_generation.fetch_add(1, std::memory_order_acq_rel);
}

bool ItemCatalog::published(ItemId id) const {
  const DataItem& di = item(id);
  std::lock_guard lock(m_mutex);
  // A device file's items are the machine's model: always served.
  if (di.machine >= m_published.size() || di.fileItem >= 0) return true;
  const auto& predicate = m_published[di.machine];
  return !predicate || predicate(di.key);
}

void ItemCatalog::setDeviceFile(MachineId machine, std::shared_ptr<const DeviceFile> file) {
  std::lock_guard lock(m_mutex);
  m_files.at(machine) = std::move(file);
  m_generation.fetch_add(1, std::memory_order_acq_rel);
}

std::shared_ptr<const DeviceFile> ItemCatalog::deviceFile(MachineId machine) const {
  std::lock_guard lock(m_mutex);
  return machine < m_files.size() ? m_files[machine] : nullptr;
}

Result<ItemId> ItemCatalog::internFileItem(MachineId machine, std::size_t index) {
  std::lock_guard lock(m_mutex);
  const auto& file = m_files.at(machine);
  if (!file || index >= file->items.size())
    return Error(ErrorCode::kInvalidArgument, "no such item in the machine's device file");
  const DeviceFileItem& it = file->items[index];
  return internLocked(machine, it.id, it.kind, it.type, it.subType, it.units, true,
                      static_cast<std::int32_t>(index));
}

}  // namespace spindle::model
