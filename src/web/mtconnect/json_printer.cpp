// The JSON half of printer.hpp (the agent JSON format version 2), and the format dispatch.

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <unordered_map>

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

/// A device's data items and (from its device file) components, nested as in XML: the
/// device's items first, then each component with its own. Items the version cannot carry are
/// left out; the others are adapted as in XML.
class JsonDevice {
 public:
  JsonDevice(std::string& out, const Snapshot& s, const DeviceMeta& d,
             const std::vector<bool>* selected, SchemaVersion v)
      : m_out(out), m_s(s), m_d(d), m_version(v) {
    const size_t slots = d.file ? d.file->components.size() + 1 : 1;
    m_items.resize(slots);
    m_children.resize(slots);
    m_shown.assign(slots, selected == nullptr);
    for (size_t i : d.items) {
      if ((selected && !(*selected)[i]) || !servedIn(s.items[i], v)) continue;
      m_items[slotOf(d.file ? s.items[i].component : -1)].push_back(i);
    }
    if (!d.file) return;
    const auto& comps = d.file->components;
    for (size_t c = 0; c < comps.size(); ++c)
      m_children[slotOf(comps[c].parent)].push_back(static_cast<int>(c));
    for (size_t c = comps.size(); c-- > 0;) {  // children come after their parents
      m_shown[c + 1] = m_shown[c + 1] || !m_items[c + 1].empty();
      if (m_shown[c + 1]) m_shown[slotOf(comps[c].parent)] = true;
    }
  }

  /// The DataItems and Components members of `component` (-1: the device), each followed by
  /// a comma.
  void contents(int component) {
    const auto& items = m_items[slotOf(component)];
    if (!items.empty()) {
      m_out += "\"DataItems\":{\"DataItem\":[";
      for (size_t k = 0; k < items.size(); ++k) {
        if (k) m_out += ',';
        const auto adapted = adaptation(m_s.items[items[k]], m_version);
        dataItem(adapted ? *adapted : m_s.items[items[k]]);
      }
      m_out += "]},";
    }
    // Components by element name, in document order.
    std::vector<std::pair<std::string, std::vector<int>>> groups;
    for (int c : m_children[slotOf(component)]) {
      if (!m_shown[slotOf(c)]) continue;
      const std::string& element = m_d.file->components[static_cast<size_t>(c)].element;
      auto g = std::find_if(groups.begin(), groups.end(),
                            [&](const auto& p) { return p.first == element; });
      if (g == groups.end()) g = groups.insert(groups.end(), {element, {}});
      g->second.push_back(c);
    }
    if (groups.empty()) return;
    key(m_out, "Components");
    m_out += '{';
    for (const auto& [element, list] : groups) {
      key(m_out, element);
      m_out += '[';
      for (size_t k = 0; k < list.size(); ++k) {
        if (k) m_out += ',';
        const auto& comp = m_d.file->components[static_cast<size_t>(list[k])];
        m_out += '{';
        field(m_out, "id", comp.id);
        if (!comp.name.empty()) field(m_out, "name", comp.name);
        contents(list[k]);
        closeObject(m_out);
      }
      m_out += "],";
    }
    closeObject(m_out);
    m_out += ',';
  }

 private:
  static size_t slotOf(int component) { return static_cast<size_t>(component + 1); }

  void dataItem(const ItemMeta& m) {
    m_out += '{';
    field(m_out, "category", m.category);
    field(m_out, "id", m.id);
    if (!m.name.empty()) field(m_out, "name", m.name);
    field(m_out, "type", m.type);
    if (!m.subType.empty()) field(m_out, "subType", m.subType);
    if (!m.units.empty()) field(m_out, "units", m.units);
    if (!m.representation.empty()) field(m_out, "representation", m.representation);
    closeObject(m_out);
  }

  std::string& m_out;
  const Snapshot& m_s;
  const DeviceMeta& m_d;
  SchemaVersion m_version;
  std::vector<std::vector<size_t>> m_items;  ///< by component slot (0: the device)
  std::vector<std::vector<int>> m_children;  ///< by component slot
  std::vector<bool> m_shown;                 ///< by component slot
};

std::string elementOf(const ItemMeta& m, const Row& row) {
  if (m.category != "CONDITION") return std::string(m.element);
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
      if (d.agent != agents || (d.agent && !h.version.atLeast(1, 7))) continue;
      out += first ? (agents ? "\"Agent\":[" : "\"Device\":[") : ",";
      first = false;
      out += '{';
      field(out, "id", d.id);
      field(out, "name", d.name);
      field(out, "uuid", d.uuid);
      JsonDevice(out, s, d, selected, h.version).contents(-1);
      closeObject(out);
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
  // The same selection, order and adaptations as XML.
  const std::vector<std::size_t> deviceOf = orderRows(h, s, rows);
  auto componentOf = [&](const Row& r) { return s.items[r.meta].component; };
  std::unordered_map<std::size_t, std::optional<ItemMeta>> changed;  // by item, as needed
  auto itemOf = [&](std::size_t meta) -> const ItemMeta& {
    auto it = changed.find(meta);
    if (it == changed.end()) it = changed.emplace(meta, adaptation(s.items[meta], h.version)).first;
    return it->second ? *it->second : s.items[meta];
  };
  out += "\"Streams\":{\"DeviceStream\":[";
  size_t i = 0;
  while (i < rows.size()) {
    const size_t d = deviceOf[rows[i].meta];
    const DeviceMeta& dev = s.devices[d];
    if (out.back() == '}') out += ',';
    out += '{';
    field(out, "name", dev.name);
    field(out, "uuid", dev.uuid);
    out += "\"ComponentStream\":[";
    bool firstComponent = true;
    while (i < rows.size() && deviceOf[rows[i].meta] == d) {
      const int c = componentOf(rows[i]);
      // category -> element -> observations, each already printed
      std::map<std::string, std::map<std::string, std::string>> blocks;
      for (; i < rows.size() && deviceOf[rows[i].meta] == d && componentOf(rows[i]) == c; ++i) {
        const ItemMeta& m = itemOf(rows[i].meta);
        const char* block = m.category == "SAMPLE"  ? "Samples"
                            : m.category == "EVENT" ? "Events"
                                                    : "Condition";
        std::string& list = blocks[block][elementOf(m, rows[i])];
        if (!list.empty()) list += ',';
        observation(list, m, rows[i]);
      }
      if (!firstComponent) out += ',';
      firstComponent = false;
      out += '{';
      if (c >= 0 && dev.file) {
        const auto& comp = dev.file->components[static_cast<size_t>(c)];
        field(out, "component", comp.element);
        field(out, "componentId", comp.id);
        if (!comp.name.empty()) field(out, "name", comp.name);
      } else {
        field(out, "component", dev.agent ? "Agent" : "Device");
        field(out, "componentId", dev.id);
      }
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
    }
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
