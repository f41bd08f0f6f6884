#include "web/mtconnect/device_model.hpp"

#include <cstdio>
#include <set>
#include <unordered_map>

#include "base/time.hpp"

namespace spindle::web::mtconnect {
namespace {

/// The agent's own device: its data items, by key.
constexpr std::array<std::pair<const char*, const char*>, 6> kAgentItems{{
    {"agent_avail", "AVAILABILITY"},
    {"device_added", "DEVICE_ADDED"},
    {"device_removed", "DEVICE_REMOVED"},
    {"device_changed", "DEVICE_CHANGED"},
    {"asset_changed", "ASSET_CHANGED"},
    {"asset_removed", "ASSET_REMOVED"},
}};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// An XML NCName usable in an ID: letters, digits, '_', '-', '.'; not starting with a digit.
std::string idPart(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    out += ok ? c : '_';
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0])) || out[0] == '-' ||
      out[0] == '.')
    out.insert(out.begin(), '_');
  return out;
}

std::string extensionType(std::string_view key) {
  std::string out = "x:";
  for (char c : key) {
    out += std::isalnum(static_cast<unsigned char>(c))
               ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
               : '_';
  }
  return out;
}

std::string_view categoryOf(model::Kind kind) {
  switch (kind) {
    case model::Kind::kCondition:
      return "CONDITION";
    case model::Kind::kSample:
    case model::Kind::kTimeSeries:
      return "SAMPLE";
    default:
      return "EVENT";
  }
}

std::string_view keep(TextSet& texts, std::string text) {
  return *texts.insert(std::move(text)).first;
}

ItemMeta describe(const model::DataItem& di, model::Kind kind, model::ItemId id,
                  const DeviceMeta& device, TextSet& texts) {
  ItemMeta m;
  m.item = id;
  m.machine = di.machine;
  m.id = device.id + "_" + idPart(di.key).substr(idPart(di.key)[0] == '_' ? 1 : 0);
  m.name = di.key;
  m.kind = kind;
  m.units = di.units;
  m.category = categoryOf(kind);
  if (kind == model::Kind::kTimeSeries) m.representation = "TIME_SERIES";
  if (kind == model::Kind::kDataSet) m.representation = "DATA_SET";
  if (kind == model::Kind::kTable) m.representation = "TABLE";
  const model::DeviceFileItem* fileItem =
      device.file && di.fileItem >= 0 &&
              static_cast<std::size_t>(di.fileItem) < device.file->items.size()
          ? &device.file->items[static_cast<std::size_t>(di.fileItem)]
          : nullptr;
  if (fileItem != nullptr) {
    // The device file describes the item: served as the file says.
    m.id = fileItem->id;
    m.name = fileItem->name;
    m.category = fileItem->category;
    m.type = fileItem->type;
    m.subType = fileItem->subType;
    m.units = fileItem->units;
    m.representation = fileItem->representation == "DISCRETE"
                           ? std::string_view()
                           : std::string_view(fileItem->representation);
    m.fileXml = fileItem->xml;
    m.component = fileItem->component;
  } else if (!di.type.empty()) {
    m.type = di.type;
    m.subType = di.subtype;
  } else if (const KnownType k = knownType(di.key); k.type[0] != '\0') {
    m.type = k.type;
    m.category = k.category;
    if (m.units.empty()) m.units = k.units;
  } else if (di.kind == model::Kind::kMessage) {
    m.type = "MESSAGE";
  } else if (di.kind == model::Kind::kDataSet) {
    m.type = "VARIABLE";  // a set of named values is what VARIABLE data sets are for
  } else {
    m.type = keep(texts, extensionType(di.key));
  }
  const bool extension = m.type.starts_with("x:");
  if (m.category == "CONDITION") {
    m.element = {};  // the level names the element
  } else if (m.type == "MESSAGE") {
    m.element = "Message";
  } else if (!extension) {
    std::string element = pascalCase(m.type);
    if (m.representation == "TIME_SERIES") element += "TimeSeries";
    if (m.representation == "DATA_SET") element += "DataSet";
    if (m.representation == "TABLE") element += "Table";
    m.element = keep(texts, std::move(element));
  } else if (m.category == "SAMPLE" && m.representation.empty()) {
    m.element = "CommonSample";
  } else if (m.representation.empty()) {
    m.element = "StringEvent";
  } else {
    // No standard element carries an unknown type's time series or table: the extension
    // namespace does (see docs/mtconnect-interface.md).
    m.element = keep(texts, "x:" + pascalCase(m.type.substr(2)) +
                                (m.representation == "TIME_SERIES" ? "TimeSeries" : "Table"));
  }
  return m;
}

}  // namespace

KnownType knownType(std::string_view key) {
  static const std::unordered_map<std::string, KnownType> kKnown{
      {"avail", {"AVAILABILITY", "EVENT", ""}},
      {"availability", {"AVAILABILITY", "EVENT", ""}},
      {"execution", {"EXECUTION", "EVENT", ""}},
      {"mode", {"CONTROLLER_MODE", "EVENT", ""}},
      {"controller_mode", {"CONTROLLER_MODE", "EVENT", ""}},
      {"program", {"PROGRAM", "EVENT", ""}},
      {"line", {"LINE_NUMBER", "EVENT", ""}},
      {"partcount", {"PART_COUNT", "EVENT", ""}},
      {"part_count", {"PART_COUNT", "EVENT", ""}},
      {"sspeed", {"ROTARY_VELOCITY", "SAMPLE", "REVOLUTION/MINUTE"}},
      {"sload", {"LOAD", "SAMPLE", "PERCENT"}},
      {"sovr", {"ROTARY_VELOCITY_OVERRIDE", "EVENT", ""}},
      {"fovr", {"PATH_FEEDRATE_OVERRIDE", "EVENT", ""}},
      {"fact", {"PATH_FEEDRATE", "SAMPLE", ""}},
      {"tool", {"TOOL_NUMBER", "EVENT", ""}},
      {"estop", {"EMERGENCY_STOP", "EVENT", ""}},
      {"xact", {"POSITION", "SAMPLE", "MILLIMETER"}},
      {"yact", {"POSITION", "SAMPLE", "MILLIMETER"}},
      {"zact", {"POSITION", "SAMPLE", "MILLIMETER"}},
      {"system", {"SYSTEM", "CONDITION", ""}},
      {"message", {"MESSAGE", "EVENT", ""}},
      {"connection_status", {"CONNECTION_STATUS", "EVENT", ""}},
  };
  const auto it = kKnown.find(lower(key));
  return it == kKnown.end() ? KnownType{"", "", ""} : it->second;
}

std::string pascalCase(std::string_view type) {
  std::string out;
  bool up = true;
  for (char c : type) {
    if (c == '_') {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
              : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    up = false;
  }
  return out;
}

std::string stableUuid(std::string_view seed) {
  auto fnv = [&](std::uint64_t h) {
    for (unsigned char c : seed) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    return h;
  };
  auto mix =
      [](std::uint64_t z) {  // splitmix64's finalizer: every input bit moves every output bit
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
      };
  const std::uint64_t a = mix(fnv(14695981039346656037ULL));
  const std::uint64_t b = mix(fnv(a ^ 0x9e3779b97f4a7c15ULL));
  char out[40];
  std::snprintf(out, sizeof out, "%08x-%04x-5%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return out;
}

DeviceModel::DeviceModel(const model::ItemCatalog& catalog, std::string sender)
    : m_catalog(catalog), m_sender(std::move(sender)) {}

std::shared_ptr<const Snapshot> DeviceModel::snapshot() {
  std::lock_guard lock(m_mutex);
  if (!m_snapshot || m_snapshot->catalogItems != m_catalog.itemCount() ||
      m_snapshot->catalogMachines != m_catalog.machineCount() ||
      m_snapshot->catalogGeneration != m_catalog.generation()) {
    m_snapshot = build();
  }
  return m_snapshot;
}

std::shared_ptr<const Snapshot> DeviceModel::build() const {
  auto snap = std::make_shared<Snapshot>();
  snap->catalogMachines = m_catalog.machineCount();
  snap->catalogGeneration = m_catalog.generation();  // first: a change during build rebuilds
  snap->catalogItems = m_catalog.itemCount();
  snap->deviceModelChangeTime = formatTimestamp(wallClockNs());
  // Sized once: a model holds every item of the fleet (growth by doubling would leave up to
  // half of it unused). At most the Agent's items, the catalog's and an availability each.
  snap->items.reserve(kAgentItems.size() + snap->catalogItems + snap->catalogMachines);
  snap->devices.reserve(snap->catalogMachines + 1);

  DeviceMeta agent;
  agent.name = "Agent";
  agent.id = "spindle_agent";
  agent.uuid = stableUuid("spindle-agent:" + m_sender);
  agent.agent = true;
  for (const auto& [key, type] : kAgentItems) {
    ItemMeta m;
    m.id = std::string("spindle_agent_") + key;
    m.name = key;
    m.category = "EVENT";
    m.type = type;
    m.element = keep(snap->texts, pascalCase(type));
    m.synthetic = true;
    agent.items.push_back(snap->items.size());
    snap->items.push_back(std::move(m));
  }
  snap->devices.push_back(std::move(agent));

  std::set<std::string> ids;
  for (const auto& item : snap->items) ids.insert(item.id);
  for (model::MachineId machine = 0; machine < snap->catalogMachines; ++machine) {
    DeviceMeta device;
    device.machine = machine;
    device.file = m_catalog.deviceFile(machine);
    if (device.file) {
      // Served as its device file names it, as a client of the reference agent knows it.
      device.name = device.file->name;
      device.id = device.file->id;
      device.uuid = device.file->uuid;
      for (const auto& item : device.file->items) ids.insert(item.id);
      for (const auto& c : device.file->components) ids.insert(c.id);
    } else {
      device.name = m_catalog.machineName(machine);
      device.id = idPart(device.name);
      device.uuid = stableUuid("spindle-device:" + m_sender + ":" + device.name);
    }
    while (!ids.insert(device.id).second) device.id += "_";
    snap->devices.push_back(std::move(device));
  }
  bool hasAvailability[16384] = {};
  for (model::ItemId id = 0; id < snap->catalogItems; ++id) {
    const model::DataItem& di = m_catalog.item(id);
    if (di.machine >= snap->catalogMachines) continue;
    // Keys a script consumed never have a value of their own: not served.
    if (!m_catalog.published(id)) continue;
    DeviceMeta& device = snap->devices[di.machine + 1];
    ItemMeta m = describe(di, m_catalog.kind(id), id, device, snap->texts);
    if (!m.fileXml.empty()) {
      ids.erase(m.id);  // reserved above for the file's own item
    }
    while (!ids.insert(m.id).second) m.id += "_";
    if (m.type == "AVAILABILITY" && di.machine < 16384) hasAvailability[di.machine] = true;
    device.items.push_back(snap->items.size());
    snap->items.push_back(std::move(m));
  }
  // Every MTConnect device reports its availability; machines without an item for it get one
  // derived from their other values (see docs/mtconnect-interface.md).
  for (auto& device : snap->devices) {
    if (device.agent || (device.machine < 16384 && hasAvailability[device.machine])) continue;
    ItemMeta m;
    m.machine = device.machine;
    m.id = device.id + "_avail";
    while (!ids.insert(m.id).second) m.id += "_";
    m.name = "avail";
    m.category = "EVENT";
    m.type = "AVAILABILITY";
    m.element = "Availability";
    m.synthetic = true;
    device.items.insert(device.items.begin(), snap->items.size());
    snap->items.push_back(std::move(m));
  }
  for (auto& device : snap->devices) device.items.shrink_to_fit();
  return snap;
}

}  // namespace spindle::web::mtconnect
