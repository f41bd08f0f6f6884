#include "collectors/mtconnect_agent/mtconnect_codec.hpp"

#include <algorithm>
#include <charconv>
#include <numeric>

#include <pugixml.hpp>

#include "collectors/mtconnect_agent/mtconnect_json.hpp"
#include "collectors/mtconnect_agent/mtconnect_values.hpp"

namespace spindle::collectors::mtconnect_agent {
namespace {

constexpr unsigned kParseOptions = pugi::parse_minimal | pugi::parse_escapes;

std::string_view localName(const char* name) {
  std::string_view n(name);
  const auto colon = n.find(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

std::uint64_t toU64(std::string_view text) {
  std::uint64_t v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

bool isJson(std::string_view body) {
  for (char c : body) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{';
  }
  return false;
}

DocumentType typeFromRoot(std::string_view root) {
  if (root == "MTConnectDevices") return DocumentType::kDevices;
  if (root == "MTConnectStreams") return DocumentType::kStreams;
  if (root == "MTConnectAssets") return DocumentType::kAssets;
  if (root == "MTConnectError") return DocumentType::kError;
  return DocumentType::kUnknown;
}

Header xmlHeader(const pugi::xml_node& root) {
  Header h;
  for (const auto& attr : root.attributes()) {
    const std::string_view n(attr.name());
    if (n == "xmlns" || n.starts_with("xmlns:")) {
      const std::string_view v(attr.value());
      if (v.find("mtconnect") != std::string_view::npos && h.schemaVersion.empty()) {
        const auto colon = v.rfind(':');
        if (colon != std::string_view::npos) h.schemaVersion = std::string(v.substr(colon + 1));
      }
    }
  }
  for (const auto& child : root.children()) {
    if (localName(child.name()) != "Header") continue;
    h.instanceId = toU64(child.attribute("instanceId").value());
    h.bufferSize = toU64(child.attribute("bufferSize").value());
    h.firstSequence = toU64(child.attribute("firstSequence").value());
    h.lastSequence = toU64(child.attribute("lastSequence").value());
    h.nextSequence = toU64(child.attribute("nextSequence").value());
    h.version = child.attribute("version").value();
    h.deviceModelChangeTime = child.attribute("deviceModelChangeTime").value();
    break;
  }
  return h;
}

Error tooDeep(const std::string& device) {
  return Error(ErrorCode::kProtocol, "the device model of '" + device +
                                         "' nests components deeper than " +
                                         std::to_string(kMaxModelDepth) + " levels");
}

/// OutOfRange -> OUT_OF_RANGE (2.x typed error elements).
std::string upperSnake(std::string_view pascal) {
  std::string out;
  for (size_t i = 0; i < pascal.size(); ++i) {
    const char c = pascal[i];
    if (c >= 'A' && c <= 'Z' && i > 0) out += '_';
    out += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  return out;
}

/// Walks a device's components for data items. False when they nest deeper than
/// kMaxModelDepth: a hostile document must not exhaust the stack.
bool collectXmlItems(const pugi::xml_node& node, DeviceInfo& device, int depth = 0) {
  if (depth > kMaxModelDepth) return false;
  for (const auto& child : node.children()) {
    const std::string_view n = localName(child.name());
    if (n == "DataItems") {
      for (const auto& di : child.children()) {
        if (localName(di.name()) != "DataItem") continue;
        DataItemInfo info;
        info.id = di.attribute("id").value();
        info.name = di.attribute("name").value();
        info.category = di.attribute("category").value();
        info.type = di.attribute("type").value();
        info.subType = di.attribute("subType").value();
        info.units = di.attribute("units").value();
        info.representation = di.attribute("representation").value();
        info.kind = kindOf(info.category, info.type, info.representation);
        device.items.push_back(std::move(info));
      }
    } else if (n == "Components" || n == "Compositions" || child.type() == pugi::node_element) {
      if (n == "References" || n == "Configuration" || n == "Description") continue;
      if (!collectXmlItems(child, device, depth + 1)) return false;
    }
  }
  return true;
}

Result<DevicesDocument> parseXmlDevices(std::string body) {
  pugi::xml_document xml;
  const auto parsed = xml.load_buffer_inplace(body.data(), body.size(), kParseOptions);
  if (!parsed) {
    return Error(ErrorCode::kProtocol, std::string("not well-formed XML: ") + parsed.description() +
                                           " at byte " + std::to_string(parsed.offset));
  }
  const auto root = xml.document_element();
  if (localName(root.name()) != "MTConnectDevices") {
    return Error(ErrorCode::kProtocol,
                 "expected MTConnectDevices, got <" + std::string(root.name()) + ">");
  }
  DevicesDocument doc;
  doc.header = xmlHeader(root);
  for (const auto& section : root.children()) {
    if (localName(section.name()) != "Devices") continue;
    for (const auto& dev : section.children()) {
      const std::string_view kind = localName(dev.name());
      if (kind != "Device" && kind != "Agent") continue;
      DeviceInfo device;
      device.id = dev.attribute("id").value();
      device.name = dev.attribute("name").value();
      device.uuid = dev.attribute("uuid").value();
      device.isAgent = kind == "Agent";
      if (!collectXmlItems(dev, device)) return tooDeep(device.name);
      doc.devices.push_back(std::move(device));
    }
  }
  return doc;
}

}  // namespace

const char* toString(DocumentType type) {
  switch (type) {
    case DocumentType::kDevices:
      return "MTConnectDevices";
    case DocumentType::kStreams:
      return "MTConnectStreams";
    case DocumentType::kAssets:
      return "MTConnectAssets";
    case DocumentType::kError:
      return "MTConnectError";
    case DocumentType::kUnknown:
      break;
  }
  return "unknown";
}

model::Kind kindOf(std::string_view category, std::string_view type,
                   std::string_view representation) {
  if (category == "CONDITION") return model::Kind::kCondition;
  if (representation == "TIME_SERIES") return model::Kind::kTimeSeries;
  if (representation == "DATA_SET") return model::Kind::kDataSet;
  if (representation == "TABLE") return model::Kind::kTable;
  if (type == "MESSAGE" || type == "ALARM") return model::Kind::kMessage;
  if (category == "SAMPLE") return model::Kind::kSample;
  return model::Kind::kEvent;
}

DocumentType detectDocument(std::string_view body) {
  if (isJson(body)) return jsonv2::detect(body);
  size_t pos = 0;
  while (true) {
    pos = body.find('<', pos);
    if (pos == std::string_view::npos || pos + 1 >= body.size()) return DocumentType::kUnknown;
    const char next = body[pos + 1];
    if (next != '?' && next != '!') break;
    ++pos;
  }
  size_t end = pos + 1;
  while (end < body.size() && body[end] != ' ' && body[end] != '>' && body[end] != '/' &&
         body[end] != '\n' && body[end] != '\r' && body[end] != '\t') {
    ++end;
  }
  const std::string name(body.substr(pos + 1, end - pos - 1));
  return typeFromRoot(localName(name.c_str()));
}

Result<DevicesDocument> parseDevices(std::string_view body) {
  if (isJson(body)) return jsonv2::parseDevices(body);
  return parseXmlDevices(std::string(body));
}

Result<std::vector<AgentError>> parseErrors(std::string_view body) {
  if (isJson(body)) return jsonv2::parseErrors(body);
  std::string copy(body);
  pugi::xml_document xml;
  if (!xml.load_buffer_inplace(copy.data(), copy.size(), kParseOptions)) {
    return Error(ErrorCode::kProtocol, "error document is not well-formed XML");
  }
  const auto root = xml.document_element();
  if (localName(root.name()) != "MTConnectError") {
    return Error(ErrorCode::kProtocol,
                 "expected MTConnectError, got <" + std::string(root.name()) + ">");
  }
  std::vector<AgentError> errors;
  auto add = [&](const pugi::xml_node& e) {
    AgentError err;
    err.code = e.attribute("errorCode").value();
    if (err.code.empty()) err.code = upperSnake(localName(e.name()));
    err.text = e.child_value();
    if (err.text.empty()) {
      for (const auto& c : e.children()) {
        if (localName(c.name()) == "ErrorMessage") err.text = c.child_value();
      }
    }
    errors.push_back(std::move(err));
  };
  for (const auto& child : root.children()) {
    const std::string_view n = localName(child.name());
    if (n == "Error") add(child);
    if (n == "Errors") {
      for (const auto& e : child.children()) {
        if (e.type() == pugi::node_element) add(e);
      }
    }
  }
  if (errors.empty()) return Error(ErrorCode::kProtocol, "MTConnectError document without errors");
  return errors;
}

const DeviceInfo* selectDevice(const DevicesDocument& doc, const std::string& selector,
                               std::string& why) {
  std::vector<const DeviceInfo*> candidates;
  std::string names;
  for (const auto& d : doc.devices) {
    names += (names.empty() ? "" : ", ") + d.name + " (uuid " + d.uuid + ")";
    if (!selector.empty() && (d.name == selector || d.uuid == selector)) return &d;
    if (!d.isAgent && d.name != "Agent" && d.name != "agent") candidates.push_back(&d);
  }
  if (!selector.empty()) {
    why = "the agent has no device named or with uuid '" + selector + "'; it has: " + names;
    return nullptr;
  }
  if (candidates.size() == 1) return candidates.front();
  why = candidates.empty() ? "the agent serves no device"
                           : "the agent serves several devices; choose one with 'device': " + names;
  return nullptr;
}

void StreamsOutput::clear() {
  type = DocumentType::kUnknown;
  header = Header{};
  errors.clear();
  observations.clear();
  sequences.clear();
  rejections.clear();
  deviceSeen = false;
}

StreamsDecoder::StreamsDecoder(model::ItemCatalog& catalog, model::MachineId machine,
                               DecoderOptions options)
    : m_catalog(catalog), m_machine(machine), m_options(std::move(options)) {}

StreamsDecoder::~StreamsDecoder() = default;

void StreamsDecoder::setModel(const DeviceInfo& device) {
  m_model.clear();
  m_slots.clear();  // kinds may have changed with the new model
  for (const auto& item : device.items) m_model.emplace(item.id, item);
  for (const auto& item : device.items) {
    Raw raw;
    raw.id = item.id;
    raw.name = item.name;
    slotFor(raw);
  }
}

bool StreamsDecoder::wantsDevice(std::string_view name, std::string_view uuid) const {
  if (!m_options.device.empty()) return name == m_options.device || uuid == m_options.device;
  return name != "Agent" && name != "agent";
}

StreamsDecoder::Slot StreamsDecoder::slotFor(const Raw& raw) {
  if (auto it = m_slots.find(raw.id); it != m_slots.end()) return it->second;
  Slot slot;
  std::string_view key = raw.id.empty() ? raw.name : raw.id;
  const auto model = m_model.find(raw.id);
  if (model != m_model.end()) {
    const DataItemInfo& info = model->second;
    slot.kind = info.kind;
    if (m_options.keyByName && !info.name.empty()) key = info.name;
    if (!admitKey(key)) {
      slot.refused = true;
      return slot;
    }
    // The probe's description travels with the item (the agent interface serves it again).
    auto item = m_catalog.intern(m_machine, key, slot.kind, info.type, info.subType, info.units);
    return remember(raw, key, std::move(item), slot);
  } else {
    const std::string_view suffix = representationSuffix(raw.element);
    if (raw.category == "Condition") {
      slot.kind = model::Kind::kCondition;
    } else if (suffix == "TimeSeries") {
      slot.kind = model::Kind::kTimeSeries;
    } else if (suffix == "DataSet") {
      slot.kind = model::Kind::kDataSet;
    } else if (suffix == "Table") {
      slot.kind = model::Kind::kTable;
    } else if (raw.element == "Message" || raw.element == "Alarm") {
      slot.kind = model::Kind::kMessage;
    } else {
      slot.kind = raw.category == "Samples" ? model::Kind::kSample : model::Kind::kEvent;
    }
    if (m_options.keyByName && !raw.name.empty()) key = raw.name;
  }
  if (!admitKey(key)) {
    slot.refused = true;
    return slot;
  }
  return remember(raw, key, m_catalog.intern(m_machine, key, slot.kind), slot);
}

StreamsDecoder::Slot StreamsDecoder::remember(const Raw& raw, std::string_view key,
                                              Result<model::ItemId> item, Slot slot) {
  if (!item.ok()) {
    // The catalog refused a new key (the machine's max_keys): it counts the refusal; the key
    // may be admitted again should the catalog ever take it.
    m_keys.erase(std::string(key));
    slot.refused = true;
    return slot;
  }
  slot.item = *item;
  m_slots.emplace(std::string(raw.id), slot);
  return slot;
}

bool StreamsDecoder::admitKey(std::string_view key) {
  // Keys count for good: items stay in the catalog when the agent's model changes.
  if (m_keys.find(key) != m_keys.end()) return true;
  if (m_keys.size() >= m_options.maxItems) {
    ++m_stats.itemsRefused;
    return false;
  }
  m_keys.emplace(std::string(key));
  return true;
}

bool StreamsDecoder::push(const Raw& raw, const Slot& slot, model::Value value, StreamsOutput& out,
                          TimestampNs arrival) {
  model::Observation obs;
  obs.machine = m_machine;
  obs.item = slot.item;
  obs.kind = slot.kind;
  obs.value = std::move(value);
  if (raw.resetTriggered) obs.flags |= model::kFlagResetTriggered;
  if (m_options.ignoreTimestamps) {
    obs.timestamp = arrival;
    obs.flags |= model::kFlagArrivalTime;
  } else if (raw.timestamp == m_lastTimestampText && !raw.timestamp.empty()) {
    obs.timestamp = m_lastTimestamp;
  } else {
    const auto ts = parseTimestamp(raw.timestamp);
    if (!ts) {
      out.rejections.push_back(Rejection{"bad timestamp '" + std::string(raw.timestamp) + "'",
                                         std::string(raw.element) + " " + std::string(raw.id)});
      return false;
    }
    m_lastTimestampText.assign(raw.timestamp);
    m_lastTimestamp = *ts;
    obs.timestamp = *ts;
  }
  out.observations.push_back(std::move(obs));
  out.sequences.push_back(raw.sequence);
  return true;
}

std::vector<std::pair<model::ItemId, model::Kind>> StreamsDecoder::knownItems() const {
  std::vector<std::pair<model::ItemId, model::Kind>> out;
  for (const auto& [id, slot] : m_slots) out.emplace_back(slot.item, slot.kind);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace spindle::collectors::mtconnect_agent
