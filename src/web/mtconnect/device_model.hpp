#pragma once
/// The MTConnect device model Spindle serves: one Device per machine (name = machine id, uuid
/// derived from the sender and the machine id so it never changes), its data items from the
/// catalog, and the Agent device. Rebuilt when the catalog grows; readers share snapshots.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/text_hash.hpp"
#include "model/device_file.hpp"
#include "model/item_catalog.hpp"

namespace spindle::web::mtconnect {

/// One data item as MTConnect sees it. A model holds one per item of the fleet, so the texts
/// that are someone else's stay theirs: the views point into the catalog (whose items never
/// change or move), the device file (DeviceMeta::file, held by the same snapshot) or string
/// literals. Valid while the Snapshot is.
struct ItemMeta {
  model::ItemId item = 0;
  model::MachineId machine = 0;
  std::string id;             ///< dataItemId: "<device id>_<key>", unique in the document
  std::string_view name;      ///< the item key
  std::string_view category;  ///< SAMPLE, EVENT or CONDITION
  std::string_view type;      ///< EXECUTION, ... or "x:<KEY>" when the type is not known
  std::string_view subType;
  std::string_view units;
  std::string_view representation;  ///< "", TIME_SERIES, DATA_SET or TABLE
  std::string_view element;         ///< stream element name (Execution, CommonSample, ...)
  model::Kind kind = model::Kind::kEvent;
  bool synthetic = false;  ///< made by the interface (availability), not in the catalog
  /// From the machine's device file: the <DataItem> as the file wrote it (served as is in
  /// /probe) and its component (index into DeviceMeta::file->components, -1: the device).
  std::string_view fileXml;
  int component = -1;
};

struct DeviceMeta {
  model::MachineId machine = 0;
  std::string name;
  std::string uuid;
  std::string id;
  bool agent = false;
  std::vector<std::size_t> items;  ///< indexes into Snapshot::items
  /// The machine's device file (its name, uuid, components), or null.
  std::shared_ptr<const model::DeviceFile> file;
};

struct Snapshot {
  Snapshot() = default;
  Snapshot(const Snapshot&) = delete;  // the items' views may point into `texts`
  Snapshot& operator=(const Snapshot&) = delete;

  std::vector<DeviceMeta> devices;  ///< the Agent device first
  std::vector<ItemMeta> items;
  /// The texts the items' views show that neither the catalog, a device file nor a literal
  /// holds (made types and element names), each once.
  TextSet texts;
  std::string deviceModelChangeTime;
  std::size_t catalogItems = 0;
  std::size_t catalogMachines = 0;
  std::uint64_t catalogGeneration = 0;
};

/// Well-known keys (the simulator's, common adapter names) mapped to MTConnect types when the
/// catalog has no type: {type, category, units}. Empty type when unknown.
struct KnownType {
  const char* type;
  const char* category;
  const char* units;
};
KnownType knownType(std::string_view key);

/// "PART_COUNT" -> "PartCount".
std::string pascalCase(std::string_view type);

/// A stable uuid-shaped text derived from `seed` (not random: the same seed gives the same).
std::string stableUuid(std::string_view seed);

class DeviceModel {
 public:
  /// `sender` seeds the uuids (the edge id).
  DeviceModel(const model::ItemCatalog& catalog, std::string sender);

  /// The current model; rebuilt first when the catalog has new machines or items.
  /// Thread safety: any thread.
  std::shared_ptr<const Snapshot> snapshot();

  const std::string& sender() const { return m_sender; }

 private:
  std::shared_ptr<const Snapshot> build() const;

  const model::ItemCatalog& m_catalog;
  std::string m_sender;
  std::mutex m_mutex;
  std::shared_ptr<const Snapshot> m_snapshot;
};

}  // namespace spindle::web::mtconnect
