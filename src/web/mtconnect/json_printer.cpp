// The JSON half of printer.hpp (the agent JSON format version 2), and the format dispatch.

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "base/time.hpp"
#include "model/json_encoder.hpp"
#include "web/mtconnect/printer.hpp"

namespace spindle::web::mtconnect {

void printDevicesXml(std::string&, const HeaderInfo&, const Snapshot&, const std::vector<bool>*);
void printStreamsXml(std::string&, const HeaderInfo&, const Snapshot&, std::vector<Row>&);
void printErrorXml(std::string&, const HeaderInfo&, const std::string&, const std::string&);
void printAssetsXml(std::string&, const HeaderInfo&, const std::vector<AssetEntry>&);

namespace {

using model::appendJsonString;

void key(std::string& out, std::string_view k) {
  appendJsonString(out, k);
  out += ':';
}

void field(std::string& out, std::string_view k, std::string_view v) {
  key(out, k);
  appendJsonString(out, v);
  out += ',';
}

void field(std::string& out, std::string_view k, std::uint64_t v) {
  key(out, k);
  fmt::format_to(std::back_inserter(out), "{},", v);
}

void number(std::string& out, double d) {
  if (std::isfinite(d)) {
    fmt::format_to(std::back_inserter(out), "{}", d);
  } else {
    out += "\"UNAVAILABLE\"";
  }
}

void closeObject(std::string& out) {
  if (out.back() == ',') out.pop_back();
  out += '}';
}

void open(std::string& out, const char* part, const HeaderInfo& h, char doc) {
  out += "{\"MTConnect";
  out += part;
  out += "\":{\"jsonVersion\":2,";
  field(out, "schemaVersion", h.version.text());
  key(out, "Header");
  out += '{';
  field(out, "creationTime", formatTimestamp(h.creationTime));
  field(out, "sender", h.sender);
  field(out, "instanceId", h.instanceId);
  field(out, "version", kAgentVersion);
  if (doc != 'A') field(out, "bufferSize", h.bufferSize);
  if (doc == 'D' || doc == 'A') {
    field(out, "assetBufferSize", h.assetBufferSize);
    field(out, "assetCount", h.assetCount);
  }
  if (doc != 'E' && !h.deviceModelChangeTime.empty())
    field(out, "deviceModelChangeTime", h.deviceModelChangeTime);
  if (doc == 'S') {
    field(out, "firstSequence", h.firstSequence);
    field(out, "lastSequence", h.lastSequence);
    field(out, "nextSequence", h.nextSequence);
  }
  closeObject(out);
  out += ',';
}

const char* levelElement(model::Level level) {
  switch (level) {
    case model::Level::kNormal:
      return "Normal";
    case model::Level::kWarning:
      return "Warning";
    case model::Level::kFault:
      return "Fault";
    case model::Level::kUnavailable:
      break;
  }
  return "Unavailable";
}

void value(std::string& out, const ItemMeta& m, const Row& row) {
  key(out, "value");
  if (!row.value) {
    appendJsonString(out, row.text);
    return;
  }
  std::visit(
      [&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, model::Unavailable>) {
          out += "\"UNAVAILABLE\"";
        } else if constexpr (std::is_same_v<V, bool>) {
          out += v ? "true" : "false";
        } else if constexpr (std::is_same_v<V, std::int64_t>) {
          fmt::format_to(std::back_inserter(out), "{}", v);
        } else if constexpr (std::is_same_v<V, double>) {
          number(out, v);
        } else if constexpr (std::is_same_v<V, std::string>) {
          if (m.category == "SAMPLE") {
            out += "\"UNAVAILABLE\"";  // a sample's value is a number (as in XML)
          } else {
            appendJsonString(out, v);
          }
        } else if constexpr (std::is_same_v<V, std::vector<double>>) {
          out += '[';
          for (size_t i = 0; i < v.size(); ++i) {
            if (i) out += ',';
            number(out, v[i]);
          }
          out += ']';
        } else if constexpr (std::is_same_v<V, std::shared_ptr<const model::Condition>>) {
          appendJsonString(out, v ? v->text : "");
        } else if constexpr (std::is_same_v<V, std::shared_ptr<const model::Message>>) {
          appendJsonString(out, v ? v->text : "");
        } else if constexpr (std::is_same_v<V, std::shared_ptr<const model::TimeSeries>>) {
          out += '[';
          for (size_t i = 0; v && i < v->samples.size(); ++i) {
            if (i) out += ',';
            number(out, v->samples[i]);
          }
          out += ']';
        } else if constexpr (std::is_same_v<V, std::shared_ptr<const model::DataSet>>) {
          out += '{';
          for (const auto& e : v->entries) {
            key(out, e.key);
            if (e.removed) {
              out += "{\"removed\":true},";
            } else if (m.representation == "TABLE") {
              out += '{';
              for (const auto& [k, c] : e.cells) field(out, k, c);
              closeObject(out);
              out += ',';
            } else {
              appendJsonString(out, e.value);
              out += ',';
            }
          }
          closeObject(out);
        } else {
          out += "\"UNAVAILABLE\"";
        }
      },
      *row.value);
}

void observation(std::string& out, const ItemMeta& m, const Row& row) {
  out += '{';
  field(out, "dataItemId", m.id);
  if (!m.name.empty()) field(out, "name", m.name);
  field(out, "timestamp", formatTimestamp(row.timestamp));
  field(out, "sequence", row.sequence);
  if (!m.subType.empty()) field(out, "subType", m.subType);
  if (m.category == "CONDITION") {
    field(out, "type", m.type);
    const auto* c =
        row.value ? std::get_if<std::shared_ptr<const model::Condition>>(row.value) : nullptr;
    if (c && *c) {
      if (!(*c)->nativeCode.empty()) field(out, "nativeCode", (*c)->nativeCode);
      if (!(*c)->nativeSeverity.empty()) field(out, "nativeSeverity", (*c)->nativeSeverity);
      if (!(*c)->qualifier.empty()) field(out, "qualifier", (*c)->qualifier);
    }
  }
  if (row.value) {
    if (const auto* msg = std::get_if<std::shared_ptr<const model::Message>>(row.value);
        msg && *msg && !(*msg)->nativeCode.empty())
      field(out, "nativeCode", (*msg)->nativeCode);
    if (const auto* ts = std::get_if<std::shared_ptr<const model::TimeSeries>>(row.value);
        ts && *ts) {
      field(out, "sampleCount", (*ts)->samples.size());
      if ((*ts)->sampleRate > 0) {
        key(out, "sampleRate");
        number(out, (*ts)->sampleRate);
        out += ',';
      }
    }
    if (const auto* ds = std::get_if<std::shared_ptr<const model::DataSet>>(row.value); ds && *ds)
      field(out, "count", (*ds)->entries.size());
  }
  value(out, m, row);
  out += '}';
}

std::string elementOf(const ItemMeta& m, const Row& row) {
  if (m.category != "CONDITION") return m.element;
  const auto* c =
      row.value ? std::get_if<std::shared_ptr<const model::Condition>>(row.value) : nullptr;
  return c && *c ? levelElement((*c)->level) : "Unavailable";
}

}  // namespace

void printDevices(std::string& out, Format format, const HeaderInfo& h, const Snapshot& s,
                  const std::vector<bool>* selected) {
  if (format == Format::kXml) return printDevicesXml(out, h, s, selected);
  open(out, "Devices", h, 'D');
  out += "\"Devices\":{";
  for (const bool agents : {true, false}) {
    bool first = true;
    for (const auto& d : s.devices) {
      if (d.agent != agents) continue;
      out += first ? (agents ? "\"Agent\":[" : "\"Device\":[") : ",";
      first = false;
      out += '{';
      field(out, "id", d.id);
      field(out, "name", d.name);
      field(out, "uuid", d.uuid);
      out += "\"DataItems\":{\"DataItem\":[";
      bool firstItem = true;
      for (size_t i : d.items) {
        if (selected && !(*selected)[i]) continue;
        if (!firstItem) out += ',';
        firstItem = false;
        const ItemMeta& m = s.items[i];
        out += '{';
        field(out, "category", m.category);
        field(out, "id", m.id);
        if (!m.name.empty()) field(out, "name", m.name);
        field(out, "type", m.type);
        if (!m.subType.empty()) field(out, "subType", m.subType);
        if (!m.units.empty()) field(out, "units", m.units);
        if (!m.representation.empty()) field(out, "representation", m.representation);
        closeObject(out);
      }
      out += "]}}";
    }
    if (!first) out += agents ? "]," : "]";
  }
  if (out.back() == ',') out.pop_back();
  out += "}}}\n";
}

void printStreams(std::string& out, Format format, const HeaderInfo& h, const Snapshot& s,
                  std::vector<Row>& rows) {
  if (format == Format::kXml) return printStreamsXml(out, h, s, rows);
  open(out, "Streams", h, 'S');
  std::vector<std::size_t> deviceOf(s.items.size(), 0);
  for (size_t d = 0; d < s.devices.size(); ++d) {
    for (size_t i : s.devices[d].items) deviceOf[i] = d;
  }
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    return deviceOf[a.meta] != deviceOf[b.meta] ? deviceOf[a.meta] < deviceOf[b.meta]
                                                : a.sequence < b.sequence;
  });
  out += "\"Streams\":{\"DeviceStream\":[";
  size_t i = 0;
  while (i < rows.size()) {
    const size_t d = deviceOf[rows[i].meta];
    const DeviceMeta& dev = s.devices[d];
    // category -> element -> observations, each already printed
    std::map<std::string, std::map<std::string, std::string>> blocks;
    for (; i < rows.size() && deviceOf[rows[i].meta] == d; ++i) {
      const ItemMeta& m = s.items[rows[i].meta];
      const char* block = m.category == "SAMPLE"  ? "Samples"
                          : m.category == "EVENT" ? "Events"
                                                  : "Condition";
      std::string& list = blocks[block][elementOf(m, rows[i])];
      if (!list.empty()) list += ',';
      observation(list, m, rows[i]);
    }
    if (out.back() == '}') out += ',';
    out += '{';
    field(out, "name", dev.name);
    field(out, "uuid", dev.uuid);
    out += "\"ComponentStream\":[{";
    field(out, "component", dev.agent ? "Agent" : "Device");
    field(out, "componentId", dev.id);
    for (const auto& [block, elements] : blocks) {
      key(out, block);
      out += '{';
      for (const auto& [element, list] : elements) {
        key(out, element);
        out += '[' + list + "],";
      }
      closeObject(out);
      out += ',';
    }
    closeObject(out);
    out += "]}";
  }
  out += "]}}}\n";
}

void printError(std::string& out, Format format, const HeaderInfo& h, const std::string& code,
                const std::string& text) {
  if (format == Format::kXml) return printErrorXml(out, h, code, text);
  open(out, "Error", h, 'E');
  out += "\"Errors\":{\"Error\":[{";
  field(out, "errorCode", code);
  field(out, "value", text);
  closeObject(out);
  out += "]}}}\n";
}

void printAssets(std::string& out, Format format, const HeaderInfo& h,
                 const std::vector<AssetEntry>& assets) {
  if (format == Format::kXml) return printAssetsXml(out, h, assets);
  open(out, "Assets", h, 'A');
  out += "\"Assets\":[";
  for (size_t i = 0; i < assets.size(); ++i) {
    if (i) out += ',';
    out += '{';
    field(out, "assetId", assets[i].id);
    field(out, "type", assets[i].type);
    field(out, "timestamp", formatTimestamp(assets[i].timestamp));
    if (assets[i].removed) out += "\"removed\":true,";
    field(out, "document", assets[i].document);
    closeObject(out);
  }
  out += "]}}\n";
}

}  // namespace spindle::web::mtconnect
