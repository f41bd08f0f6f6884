// The XML half of printer.hpp.

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include <fmt/format.h>

#include "base/time.hpp"
#include "web/mtconnect/device_file_xml.hpp"
#include "web/mtconnect/printer.hpp"

namespace spindle::web::mtconnect {
namespace {

void attr(std::string& out, const char* name, std::string_view value) {
  out += ' ';
  out += name;
  out += "=\"";
  appendXmlEscaped(out, value);
  out += '"';
}

void attr(std::string& out, const char* name, std::uint64_t value) {
  fmt::format_to(std::back_inserter(out), " {}=\"{}\"", name, value);
}

void appendNumber(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "UNAVAILABLE";
    return;
  }
  fmt::format_to(std::back_inserter(out), "{}", d);
}

void root(std::string& out, const char* part, const HeaderInfo& h) {
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MTConnect";
  out += part;
  fmt::format_to(std::back_inserter(out),
                 " xmlns=\"urn:mtconnect.org:MTConnect{0}:{1}\" "
                 "xmlns:m=\"urn:mtconnect.org:MTConnect{0}:{1}\" "
                 "xmlns:x=\"urn:spindle.dev:MTConnect{0}:{1}\" "
                 "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                 "xsi:schemaLocation=\"urn:mtconnect.org:MTConnect{0}:{1} "
                 "http://schemas.mtconnect.org/schemas/MTConnect{0}_{1}.xsd\">",
                 part, h.version.text());
}

/// `doc`: 'D'evices, 'S'treams, 'E'rror or 'A'ssets; each has its own Header attributes.
void header(std::string& out, const HeaderInfo& h, char doc) {
  const bool streams = doc == 'S';
  const bool assets = doc == 'A';
  out += "<Header";
  attr(out, "creationTime", formatTimestamp(h.creationTime));
  attr(out, "sender", h.sender);
  attr(out, "instanceId", h.instanceId);
  attr(out, "version", kAgentVersion);
  if (!assets) attr(out, "bufferSize", h.bufferSize);
  if (doc == 'D' || assets) {
    attr(out, "assetBufferSize", h.assetBufferSize);
    attr(out, "assetCount", h.assetCount);
  }
  if (!h.deviceModelChangeTime.empty() && doc != 'E' && h.version.atLeast(1, 7))
    attr(out, "deviceModelChangeTime", h.deviceModelChangeTime);
  if (streams) {
    attr(out, "nextSequence", h.nextSequence);
    attr(out, "firstSequence", h.firstSequence);
    attr(out, "lastSequence", h.lastSequence);
  }
  out += "/>";
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

void appendValueText(std::string& out, const Row& row) {
  if (!row.value) {
    appendXmlEscaped(out, row.text);
    return;
  }
  std::visit(
      [&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, model::Unavailable>) {
          out += "UNAVAILABLE";
        } else if constexpr (std::is_same_v<V, bool>) {
          out += v ? "true" : "false";
        } else if constexpr (std::is_same_v<V, std::int64_t>) {
          fmt::format_to(std::back_inserter(out), "{}", v);
        } else if constexpr (std::is_same_v<V, double>) {
          appendNumber(out, v);
        } else if constexpr (std::is_same_v<V, std::string>) {
          appendXmlEscaped(out, v);
        } else if constexpr (std::is_same_v<V, std::vector<double>>) {
          for (size_t i = 0; i < v.size(); ++i) {
            if (i) out += ' ';
            appendNumber(out, v[i]);
          }
        } else if constexpr (std::is_same_v<V, std::shared_ptr<const model::Message>>) {
          appendXmlEscaped(out, v->text);
        } else {
          out += "UNAVAILABLE";
        }
      },
      *row.value);
}

/// `numeric`: what the document's version requires of the element's value.
void observation(std::string& out, const ItemMeta& m, const Row& row, ValueKind numeric) {
  const model::Value* value = row.value;
  const bool unavailable = !value || model::isUnavailable(*value);
  std::string element(m.element);
  if (m.category == "CONDITION") {
    const auto* c = value ? std::get_if<std::shared_ptr<const model::Condition>>(value) : nullptr;
    element = c && *c ? levelElement((*c)->level) : "Unavailable";
    out += '<';
    out += element;
    attr(out, "dataItemId", m.id);
    attr(out, "timestamp", formatTimestamp(row.timestamp));
    attr(out, "sequence", row.sequence);
    if (!m.name.empty()) attr(out, "name", m.name);
    attr(out, "type", m.type);
    if (c && *c) {
      if (!(*c)->nativeCode.empty()) attr(out, "nativeCode", (*c)->nativeCode);
      if (!(*c)->nativeSeverity.empty()) attr(out, "nativeSeverity", (*c)->nativeSeverity);
      if (!(*c)->qualifier.empty()) attr(out, "qualifier", (*c)->qualifier);
      if (!(*c)->text.empty()) {
        out += '>';
        appendXmlEscaped(out, (*c)->text);
        out += "</" + element + ">";
        return;
      }
    }
    out += "/>";
    return;
  }
  out += '<';
  out += element;
  attr(out, "dataItemId", m.id);
  attr(out, "timestamp", formatTimestamp(row.timestamp));
  attr(out, "sequence", row.sequence);
  if (!m.name.empty()) attr(out, "name", m.name);
  if (!m.subType.empty()) attr(out, "subType", m.subType);
  if (row.flags & model::kFlagResetTriggered) attr(out, "resetTriggered", "MANUAL");
  if (m.type == "ASSET_CHANGED" || m.type == "ASSET_REMOVED") attr(out, "assetType", "UNAVAILABLE");
  // A message's native code has no attribute in the 2.2 Streams schema: XML leaves it out
  // (JSON keeps it).
  if (!unavailable) {
    if (const auto* ts = std::get_if<std::shared_ptr<const model::TimeSeries>>(value); ts && *ts) {
      attr(out, "sampleCount", (*ts)->samples.size());
      if ((*ts)->sampleRate > 0) attr(out, "sampleRate", fmt::format("{}", (*ts)->sampleRate));
      out += '>';
      for (size_t i = 0; i < (*ts)->samples.size(); ++i) {
        if (i) out += ' ';
        appendNumber(out, (*ts)->samples[i]);
      }
      out += "</" + element + ">";
      return;
    }
    if (const auto* ds = std::get_if<std::shared_ptr<const model::DataSet>>(value); ds && *ds) {
      attr(out, "count", (*ds)->entries.size());
      out += '>';
      for (const auto& e : (*ds)->entries) {
        out += "<Entry";
        attr(out, "key", e.key);
        if (e.removed) {
          attr(out, "removed", "true");
          out += "/>";
          continue;
        }
        out += '>';
        if (m.representation == "TABLE") {
          for (const auto& [k, v] : e.cells) {
            out += "<Cell";
            attr(out, "key", k);
            out += '>';
            appendXmlEscaped(out, v);
            out += "</Cell>";
          }
        } else {
          appendXmlEscaped(out, e.value);
        }
        out += "</Entry>";
      }
      out += "</" + element + ">";
      return;
    }
  } else if (!m.representation.empty() && m.representation != "TIME_SERIES") {
    attr(out, "count", std::uint64_t{0});
  } else if (m.representation == "TIME_SERIES") {
    attr(out, "sampleCount", std::uint64_t{0});
  }
  out += '>';
  if (m.category == "SAMPLE" && value && std::holds_alternative<std::string>(*value)) {
    // A sample's value is a number: text a source sent later is kept in the journal but is
    // UNAVAILABLE here (docs/mtconnect-interface.md).
    out += "UNAVAILABLE";
  } else if (numeric != ValueKind::kText) {
    // A number by the schema (PartCount, LineNumber...): other text is kept in the journal but
    // is UNAVAILABLE here, as for samples.
    std::string text;
    appendValueText(text, row);
    out += fitsValueKind(numeric, text) ? text : "UNAVAILABLE";
  } else {
    appendValueText(out, row);
  }
  out += "</" + element + ">";
}

}  // namespace

void appendDataItemXml(std::string& out, const ItemMeta& m) {
  if (!m.fileXml.empty()) {
    out += m.fileXml;
    return;
  }
  out += "<DataItem";
  attr(out, "category", m.category);
  attr(out, "id", m.id);
  attr(out, "name", m.name);
  attr(out, "type", m.type);
  if (!m.subType.empty()) attr(out, "subType", m.subType);
  if (!m.units.empty()) attr(out, "units", m.units);
  if (!m.representation.empty()) attr(out, "representation", m.representation);
  out += "/>";
}

void printDevicesXml(std::string& out, const HeaderInfo& h, const Snapshot& s,
                     const std::vector<bool>* selected) {
  root(out, "Devices", h);
  header(out, h, 'D');
  out += "<Devices>";
  for (const auto& d : s.devices) {
    if (d.agent && !h.version.atLeast(1, 7)) continue;  // the Agent element begins in 1.7
    if (d.file) {
      appendFileDeviceXml(out, s, d, selected);
      continue;
    }
    const char* tag = d.agent ? "Agent" : "Device";
    out += '<';
    out += tag;
    attr(out, "id", d.id);
    attr(out, "name", d.name);
    attr(out, "uuid", d.uuid);
    out += '>';
    bool any = false;
    for (size_t i : d.items) {
      if ((selected && !(*selected)[i]) || !servedIn(s.items[i], h.version)) continue;
      if (!any) out += "<DataItems>";
      any = true;
      const auto changed = adaptation(s.items[i], h.version);
      appendDataItemXml(out, changed ? *changed : s.items[i]);
    }
    if (any) out += "</DataItems>";
    out += "</";
    out += tag;
    out += '>';
  }
  out += "</Devices></MTConnectDevices>\n";
}

std::vector<std::size_t> orderRows(const HeaderInfo& h, const Snapshot& s, std::vector<Row>& rows) {
  std::vector<std::size_t> deviceOf(s.items.size(), 0);
  for (size_t d = 0; d < s.devices.size(); ++d) {
    for (size_t i : s.devices[d].items) deviceOf[i] = d;
  }
  // What the document's version cannot carry is left out.
  std::erase_if(rows, [&](const Row& r) {
    return (s.devices[deviceOf[r.meta]].agent && !h.version.atLeast(1, 7)) ||
           !servedIn(s.items[r.meta], h.version);
  });
  auto blockOf = [&](const Row& r) {
    const auto& c = s.items[r.meta].category;
    return c == "SAMPLE" ? 0 : c == "EVENT" ? 1 : 2;
  };
  // A device file's items stream under their components (-1: the device itself).
  auto componentOf = [&](const Row& r) { return s.items[r.meta].component; };
  std::sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    const auto da = deviceOf[a.meta], db = deviceOf[b.meta];
    if (da != db) return da < db;
    const int ca = componentOf(a), cb = componentOf(b);
    if (ca != cb) return ca < cb;
    const int ba = blockOf(a), bb = blockOf(b);
    if (ba != bb) return ba < bb;
    return a.sequence < b.sequence;
  });
  return deviceOf;
}

void printStreamsXml(std::string& out, const HeaderInfo& h, const Snapshot& s,
                     std::vector<Row>& rows) {
  root(out, "Streams", h);
  header(out, h, 'S');
  out += "<Streams>";
  const std::vector<std::size_t> deviceOf = orderRows(h, s, rows);
  auto blockOf = [&](const Row& r) {
    const auto& c = s.items[r.meta].category;
    return c == "SAMPLE" ? 0 : c == "EVENT" ? 1 : 2;
  };
  auto componentOf = [&](const Row& r) { return s.items[r.meta].component; };
  // Each item as the version serves it, and what its value must be; by item, as needed.
  struct Served {
    std::optional<ItemMeta> adapted;
    ValueKind numeric = ValueKind::kText;
  };
  std::unordered_map<std::size_t, Served> changed;
  auto servedOf = [&](std::size_t meta) -> const Served& {
    auto it = changed.find(meta);
    if (it == changed.end()) {
      Served sv{adaptation(s.items[meta], h.version), ValueKind::kText};
      const ItemMeta& m = sv.adapted ? *sv.adapted : s.items[meta];
      if (m.category == "EVENT" && m.representation.empty())
        sv.numeric = eventValueKind(h.version, m.element);
      it = changed.emplace(meta, std::move(sv)).first;
    }
    return it->second;
  };
  size_t i = 0;
  while (i < rows.size()) {
    const size_t d = deviceOf[rows[i].meta];
    const DeviceMeta& dev = s.devices[d];
    out += "<DeviceStream";
    attr(out, "name", dev.name);
    attr(out, "uuid", dev.uuid);
    out += '>';
    while (i < rows.size() && deviceOf[rows[i].meta] == d) {
      const int c = componentOf(rows[i]);
      out += "<ComponentStream";
      if (c >= 0 && dev.file) {
        const auto& comp = dev.file->components[static_cast<size_t>(c)];
        attr(out, "component", comp.element);
        attr(out, "componentId", comp.id);
        if (!comp.name.empty()) attr(out, "name", comp.name);
      } else {
        attr(out, "component", dev.agent ? "Agent" : "Device");
        attr(out, "componentId", dev.id);
        attr(out, "name", dev.name);
      }
      out += '>';
      int open = -1;
      static const char* kBlocks[] = {"Samples", "Events", "Condition"};
      for (; i < rows.size() && deviceOf[rows[i].meta] == d && componentOf(rows[i]) == c; ++i) {
        const int b = blockOf(rows[i]);
        if (b != open) {
          if (open >= 0) fmt::format_to(std::back_inserter(out), "</{}>", kBlocks[open]);
          fmt::format_to(std::back_inserter(out), "<{}>", kBlocks[b]);
          open = b;
        }
        const Served& sv = servedOf(rows[i].meta);
        observation(out, sv.adapted ? *sv.adapted : s.items[rows[i].meta], rows[i], sv.numeric);
      }
      if (open >= 0) fmt::format_to(std::back_inserter(out), "</{}>", kBlocks[open]);
      out += "</ComponentStream>";
    }
    out += "</DeviceStream>";
  }
  out += "</Streams></MTConnectStreams>\n";
}

void printErrorXml(std::string& out, const HeaderInfo& h, const std::string& code,
                   const std::string& text) {
  root(out, "Error", h);
  header(out, h, 'E');
  out += "<Errors><Error";
  attr(out, "errorCode", code);
  out += '>';
  appendXmlEscaped(out, text);
  out += "</Error></Errors></MTConnectError>\n";
}

void printAssetsXml(std::string& out, const HeaderInfo& h, const std::vector<AssetEntry>& assets) {
  root(out, "Assets", h);
  header(out, h, 'A');
  out += "<Assets>";
  for (const auto& a : assets) out += a.document;  // the source's own XML, as it sent it
  out += "</Assets></MTConnectAssets>\n";
}

}  // namespace spindle::web::mtconnect
