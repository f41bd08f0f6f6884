#include "collectors/mtconnect_agent/mtconnect_json.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

#include "collectors/mtconnect_agent/mtconnect_values.hpp"

namespace spindle::collectors::mtconnect_agent::jsonv2 {
namespace {

using Json = nlohmann::json;

Result<Json> load(std::string_view body) {
  Json doc = Json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded()) return Error(ErrorCode::kProtocol, "not well-formed JSON");
  if (!doc.is_object()) return Error(ErrorCode::kProtocol, "JSON document is not an object");
  return doc;
}

std::uint64_t u64(const Json& j) {
  if (j.is_number_unsigned()) return j.get<std::uint64_t>();
  if (j.is_number_integer())
    return static_cast<std::uint64_t>(std::max<std::int64_t>(0, j.get<std::int64_t>()));
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    std::uint64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
  }
  return 0;
}

std::string str(const Json& obj, const char* key) {
  const auto it = obj.find(key);
  if (it == obj.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_null()) return {};
  return it->dump();
}

std::string_view view(const Json& obj, const char* key) {
  const auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

Header header(const Json& root) {
  Header h;
  h.schemaVersion = str(root, "schemaVersion");
  const auto it = root.find("Header");
  if (it == root.end() || !it->is_object()) return h;
  const Json& j = *it;
  if (j.contains("instanceId")) h.instanceId = u64(j["instanceId"]);
  if (j.contains("bufferSize")) h.bufferSize = u64(j["bufferSize"]);
  if (j.contains("firstSequence")) h.firstSequence = u64(j["firstSequence"]);
  if (j.contains("lastSequence")) h.lastSequence = u64(j["lastSequence"]);
  if (j.contains("nextSequence")) h.nextSequence = u64(j["nextSequence"]);
  h.version = str(j, "version");
  h.deviceModelChangeTime = str(j, "deviceModelChangeTime");
  return h;
}

Status checkVersion(const Json& root, const char* what) {
  const auto it = root.find("jsonVersion");
  if (it != root.end() && u64(*it) == 2) return okStatus();
  return Error(ErrorCode::kProtocol, std::string(what) +
                                         " is not in JSON version 2 (no \"jsonVersion\": 2); "
                                         "use format: xml for this agent");
}

/// Every JSON array element, or the value itself when it is not an array.
template <typename F>
void each(const Json& j, F&& f) {
  if (j.is_array()) {
    for (const auto& e : j) f(e);
  } else if (j.is_object()) {
    f(j);
  }
}

/// False when the components nest deeper than kMaxModelDepth (see mtconnect_codec.hpp).
bool collectItems(const Json& node, DeviceInfo& device, int depth = 0) {
  if (depth > kMaxModelDepth) return false;
  if (const auto it = node.find("DataItems"); it != node.end() && it->is_object()) {
    if (const auto list = it->find("DataItem"); list != it->end()) {
      each(*list, [&](const Json& di) {
        DataItemInfo info;
        info.id = str(di, "id");
        info.name = str(di, "name");
        info.category = str(di, "category");
        info.type = str(di, "type");
        info.subType = str(di, "subType");
        info.units = str(di, "units");
        info.representation = str(di, "representation");
        info.kind = kindOf(info.category, info.type, info.representation);
        device.items.push_back(std::move(info));
      });
    }
  }
  bool good = true;
  if (const auto it = node.find("Components"); it != node.end() && it->is_object()) {
    for (const auto& [type, list] : it->items()) {
      each(list, [&](const Json& c) { good = good && collectItems(c, device, depth + 1); });
      if (!good) break;
    }
  }
  return good;
}

std::string scalarText(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return {};
  return v.dump();
}

std::shared_ptr<const model::DataSet> dataSet(const Json& value, bool table, bool reset) {
  auto set = std::make_shared<model::DataSet>();
  set->reset = reset;
  if (!value.is_object()) return set;
  for (const auto& [key, v] : value.items()) {
    model::DataSetEntry entry;
    entry.key = key;
    if (v.is_object() && v.contains("removed")) {
      entry.removed = v["removed"] == true;
      if (v.contains("value")) entry.value = scalarText(v["value"]);
    } else if (table && v.is_object()) {
      for (const auto& [cell, cv] : v.items()) entry.cells.emplace_back(cell, scalarText(cv));
    } else {
      entry.value = scalarText(v);
    }
    set->entries.push_back(std::move(entry));
  }
  return set;
}

void decodeObservation(StreamsDecoder& d, const Json& o, std::string_view element,
                       std::string_view category, TimestampNs arrival, StreamsOutput& out) {
  StreamsDecoder::Raw raw;
  raw.element = element;
  raw.category = category;
  raw.id = view(o, "dataItemId");
  raw.name = view(o, "name");
  raw.timestamp = view(o, "timestamp");
  if (const auto it = o.find("sequence"); it != o.end()) raw.sequence = u64(*it);
  raw.resetTriggered = o.contains("resetTriggered");
  if (raw.id.empty() && raw.name.empty()) {
    d.noteRejection(out, "observation without dataItemId", std::string(element));
    return;
  }
  const auto slot = d.slotFor(raw);
  if (slot.refused) {
    d.noteRejection(out, "new data item beyond max_items or max_keys", std::string(raw.id));
    return;
  }
  static const Json kNull;
  const auto vit = o.find("value");
  const Json& value = vit == o.end() ? kNull : *vit;
  const bool unavailable =
      value.is_string() && isUnavailableText(value.get_ref<const std::string&>());
  switch (slot.kind) {
    case model::Kind::kCondition: {
      const auto level = levelFromElement(element);
      if (!level) {
        d.noteRejection(out, "unknown condition element " + std::string(element),
                        std::string(raw.id));
        return;
      }
      auto c = std::make_shared<model::Condition>();
      c->level = *level;
      c->nativeCode = str(o, "nativeCode");
      c->nativeSeverity = str(o, "nativeSeverity");
      c->qualifier = str(o, "qualifier");
      c->text = scalarText(value);
      d.push(raw, slot, std::shared_ptr<const model::Condition>(std::move(c)), out, arrival);
      return;
    }
    case model::Kind::kMessage: {
      if (unavailable) {
        d.push(raw, slot, model::Unavailable{}, out, arrival);
        return;
      }
      auto m = std::make_shared<model::Message>();
      m->nativeCode = str(o, "nativeCode");
      m->text = scalarText(value);
      d.push(raw, slot, std::shared_ptr<const model::Message>(std::move(m)), out, arrival);
      return;
    }
    case model::Kind::kTimeSeries: {
      if (unavailable) {
        d.push(raw, slot, model::Unavailable{}, out, arrival);
        return;
      }
      auto ts = std::make_shared<model::TimeSeries>();
      if (const auto r = o.find("sampleRate"); r != o.end() && r->is_number())
        ts->sampleRate = r->get<double>();
      if (!value.is_array()) {
        d.noteRejection(out, "time series value is not an array", std::string(raw.id));
        return;
      }
      for (const auto& v : value) {
        if (!v.is_number()) {
          d.noteRejection(out, "time series with a value that is not a number",
                          std::string(raw.id));
          return;
        }
        ts->samples.push_back(v.get<double>());
      }
      d.push(raw, slot, std::shared_ptr<const model::TimeSeries>(std::move(ts)), out, arrival);
      return;
    }
    case model::Kind::kDataSet:
    case model::Kind::kTable:
      if (unavailable) {
        d.push(raw, slot, model::Unavailable{}, out, arrival);
        return;
      }
      d.push(raw, slot, dataSet(value, slot.kind == model::Kind::kTable, raw.resetTriggered), out,
             arrival);
      return;
    case model::Kind::kSample: {
      if (value.is_number()) {
        d.push(raw, slot, value.get<double>(), out, arrival);
        return;
      }
      if (value.is_array()) {
        std::vector<double> values;
        for (const auto& v : value) {
          if (!v.is_number()) {
            d.noteRejection(out, "sample array with a value that is not a number",
                            std::string(raw.id));
            return;
          }
          values.push_back(v.get<double>());
        }
        d.push(raw, slot, std::move(values), out, arrival);
        return;
      }
      auto v = sampleValue(scalarText(value));
      if (!v) {
        d.noteRejection(out,
                        "sample value '" + scalarText(value).substr(0, 60) + "' is not a number",
                        std::string(element) + " " + std::string(raw.id));
        return;
      }
      d.push(raw, slot, std::move(*v), out, arrival);
      return;
    }
    default:
      if (value.is_number_integer()) {
        d.push(raw, slot, value.get<std::int64_t>(), out, arrival);
      } else {
        d.push(raw, slot, eventValue(scalarText(value)), out, arrival);
      }
      return;
  }
}

void collectErrors(const Json& root, std::vector<AgentError>& errors) {
  auto add = [&](const Json& e) {
    if (!e.is_object()) return;
    AgentError err;
    err.code = str(e, "errorCode");
    err.text = str(e, "value");
    if (err.text.empty()) err.text = str(e, "ErrorMessage");
    errors.push_back(std::move(err));
  };
  const auto it = root.find("Errors");
  if (it == root.end()) return;
  each(*it, [&](const Json& entry) {
    for (const auto& [name, v] : entry.items()) {
      if (v.is_array()) {
        for (const auto& e : v) add(e);
      } else {
        add(v);
      }
    }
  });
}

}  // namespace

DocumentType detect(std::string_view body) {
  // Only the first key matters; avoid parsing the whole document.
  const auto quote = body.find('"');
  if (quote == std::string_view::npos) return DocumentType::kUnknown;
  const auto end = body.find('"', quote + 1);
  const auto key = body.substr(quote + 1, end - quote - 1);
  if (key == "MTConnectDevices") return DocumentType::kDevices;
  if (key == "MTConnectStreams") return DocumentType::kStreams;
  if (key == "MTConnectAssets") return DocumentType::kAssets;
  if (key == "MTConnectError") return DocumentType::kError;
  return DocumentType::kUnknown;
}

Result<DevicesDocument> parseDevices(std::string_view body) {
  auto loaded = load(body);
  if (!loaded) return std::move(loaded).error();
  const auto it = loaded->find("MTConnectDevices");
  if (it == loaded->end()) return Error(ErrorCode::kProtocol, "expected MTConnectDevices");
  if (auto s = checkVersion(*it, "MTConnectDevices"); !s) return std::move(s).error();
  DevicesDocument doc;
  doc.header = header(*it);
  const auto devices = it->find("Devices");
  if (devices == it->end() || !devices->is_object()) return doc;
  std::string tooDeep;
  for (const auto& entry : devices->items()) {
    // Named, not a structured binding: clang before 16 cannot capture those in a lambda.
    const std::string& kind = entry.key();
    each(entry.value(), [&](const Json& dev) {
      DeviceInfo device;
      device.id = str(dev, "id");
      device.name = str(dev, "name");
      device.uuid = str(dev, "uuid");
      device.isAgent = kind == "Agent";
      if (!collectItems(dev, device)) {
        if (tooDeep.empty()) tooDeep = device.name.empty() ? device.id : device.name;
        return;
      }
      doc.devices.push_back(std::move(device));
    });
  }
  if (!tooDeep.empty()) {
    return Error(ErrorCode::kProtocol, "the device model of '" + tooDeep +
                                           "' nests components deeper than " +
                                           std::to_string(kMaxModelDepth) + " levels");
  }
  return doc;
}

Result<std::vector<AgentError>> parseErrors(std::string_view body) {
  auto loaded = load(body);
  if (!loaded) return std::move(loaded).error();
  const auto it = loaded->find("MTConnectError");
  if (it == loaded->end()) return Error(ErrorCode::kProtocol, "expected MTConnectError");
  std::vector<AgentError> errors;
  collectErrors(*it, errors);
  if (errors.empty()) return Error(ErrorCode::kProtocol, "MTConnectError document without errors");
  return errors;
}

Status decodeStreams(StreamsDecoder& decoder, std::string_view body, TimestampNs arrival,
                     StreamsOutput& out) {
  auto loaded = load(body);
  if (!loaded) return std::move(loaded).error();
  if (const auto err = loaded->find("MTConnectError"); err != loaded->end()) {
    out.type = DocumentType::kError;
    out.header = header(*err);
    collectErrors(*err, out.errors);
    if (out.errors.empty()) out.errors.push_back(AgentError{"UNKNOWN", "empty error document"});
    return okStatus();
  }
  const auto it = loaded->find("MTConnectStreams");
  if (it == loaded->end()) {
    return Error(ErrorCode::kProtocol, "expected MTConnectStreams or MTConnectError");
  }
  if (auto s = checkVersion(*it, "MTConnectStreams"); !s) return std::move(s).error();
  out.type = DocumentType::kStreams;
  out.header = header(*it);
  const auto streams = it->find("Streams");
  if (streams == it->end() || !streams->is_object()) return okStatus();
  const auto devices = streams->find("DeviceStream");
  if (devices == streams->end()) return okStatus();
  each(*devices, [&](const Json& dev) {
    if (!decoder.wantsDevice(view(dev, "name"), view(dev, "uuid"))) return;
    out.deviceSeen = true;
    const auto comps = dev.find("ComponentStream");
    if (comps == dev.end()) return;
    each(*comps, [&](const Json& comp) {
      for (const char* category : {"Samples", "Events", "Condition"}) {
        const auto block = comp.find(category);
        if (block == comp.end() || !block->is_object()) continue;
        for (const auto& entry : block->items()) {
          const std::string& element = entry.key();  // captured below: no structured binding
          each(entry.value(), [&](const Json& o) {
            decodeObservation(decoder, o, element, category, arrival, out);
          });
        }
      }
    });
  });
  return okStatus();
}

}  // namespace spindle::collectors::mtconnect_agent::jsonv2
