// The XML half of StreamsDecoder::decode: MTConnectStreams (1.1-2.x) and MTConnectError.

#include <algorithm>
#include <charconv>
#include <numeric>

#include <pugixml.hpp>

#include "collectors/mtconnect_agent/mtconnect_codec.hpp"
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

std::uint64_t toU64(const char* text) {
  std::uint64_t v = 0;
  std::from_chars(text, text + std::char_traits<char>::length(text), v);
  return v;
}

bool isJson(std::string_view body) {
  for (char c : body) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{';
  }
  return false;
}

std::shared_ptr<const model::DataSet> dataSetValue(const pugi::xml_node& e, bool table,
                                                   bool reset) {
  auto set = std::make_shared<model::DataSet>();
  set->reset = reset;
  for (const auto& entry : e.children()) {
    if (localName(entry.name()) != "Entry") continue;
    model::DataSetEntry out;
    out.key = entry.attribute("key").value();
    out.removed = std::string_view(entry.attribute("removed").value()) == "true";
    if (table) {
      for (const auto& cell : entry.children()) {
        if (localName(cell.name()) == "Cell")
          out.cells.emplace_back(cell.attribute("key").value(), cell.child_value());
      }
    } else {
      out.value = entry.child_value();
    }
    set->entries.push_back(std::move(out));
  }
  return set;
}

}  // namespace

/// Puts the decoded observations in ascending sequence order (agents group them by component).
void sortBySequence(StreamsOutput& out) {
  if (std::is_sorted(out.sequences.begin(), out.sequences.end())) return;
  std::vector<std::uint32_t> order(out.sequences.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return out.sequences[a] < out.sequences[b];
  });
  model::Batch obs;
  std::vector<std::uint64_t> seqs;
  obs.reserve(order.size());
  seqs.reserve(order.size());
  for (auto i : order) {
    obs.push_back(std::move(out.observations[i]));
    seqs.push_back(out.sequences[i]);
  }
  out.observations.swap(obs);
  out.sequences.swap(seqs);
}

Status StreamsDecoder::decode(std::string& body, TimestampNs arrival, StreamsOutput& out) {
  out.clear();
  ++m_stats.documents;
  if (isJson(body)) {
    auto status = jsonv2::decodeStreams(*this, body, arrival, out);
    if (!status) return status;
  } else {
    pugi::xml_document xml;
    const auto parsed = xml.load_buffer_inplace(body.data(), body.size(), kParseOptions);
    if (!parsed) {
      return Error(ErrorCode::kProtocol, std::string("not well-formed XML: ") +
                                             parsed.description() + " at byte " +
                                             std::to_string(parsed.offset));
    }
    const auto root = xml.document_element();
    const std::string_view rootName = localName(root.name());
    if (rootName == "MTConnectError") {
      out.type = DocumentType::kError;
      // parseErrors wants the original text; the in-place parse has altered `body`.
      for (const auto& child : root.children()) {
        const std::string_view n = localName(child.name());
        auto add = [&](const pugi::xml_node& e) {
          std::string code = e.attribute("errorCode").value();
          if (code.empty()) {
            for (char c : localName(e.name())) {
              if (c >= 'A' && c <= 'Z' && !code.empty()) code += '_';
              code += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
            }
          }
          std::string text = e.child_value();
          if (text.empty()) text = e.child("ErrorMessage").child_value();
          out.errors.push_back(AgentError{std::move(code), std::move(text)});
        };
        if (n == "Error") add(child);
        if (n == "Errors") {
          for (const auto& e : child.children())
            if (e.type() == pugi::node_element) add(e);
        }
        if (n == "Header") {
          out.header.instanceId = toU64(child.attribute("instanceId").value());
          out.header.bufferSize = toU64(child.attribute("bufferSize").value());
          out.header.version = child.attribute("version").value();
        }
      }
      if (out.errors.empty()) out.errors.push_back(AgentError{"UNKNOWN", "empty error document"});
      return okStatus();
    }
    if (rootName != "MTConnectStreams") {
      return Error(ErrorCode::kProtocol, "expected MTConnectStreams or MTConnectError, got <" +
                                             std::string(root.name()) + ">");
    }
    out.type = DocumentType::kStreams;
    for (const auto& attr : root.attributes()) {
      const std::string_view n(attr.name()), v(attr.value());
      if ((n == "xmlns" || n.starts_with("xmlns:")) && v.find("MTConnectStreams") != v.npos) {
        out.header.schemaVersion = std::string(v.substr(v.rfind(':') + 1));
        break;
      }
    }
    for (const auto& section : root.children()) {
      const std::string_view sn = localName(section.name());
      if (sn == "Header") {
        out.header.instanceId = toU64(section.attribute("instanceId").value());
        out.header.bufferSize = toU64(section.attribute("bufferSize").value());
        out.header.firstSequence = toU64(section.attribute("firstSequence").value());
        out.header.lastSequence = toU64(section.attribute("lastSequence").value());
        out.header.nextSequence = toU64(section.attribute("nextSequence").value());
        out.header.version = section.attribute("version").value();
        out.header.deviceModelChangeTime = section.attribute("deviceModelChangeTime").value();
        continue;
      }
      if (sn != "Streams") continue;
      for (const auto& device : section.children()) {
        if (localName(device.name()) != "DeviceStream") continue;
        if (!wantsDevice(device.attribute("name").value(), device.attribute("uuid").value()))
          continue;
        out.deviceSeen = true;
        for (const auto& component : device.children()) {
          if (localName(component.name()) != "ComponentStream") continue;
          for (const auto& block : component.children()) {
            const std::string_view category = localName(block.name());
            if (category != "Samples" && category != "Events" && category != "Condition") continue;
            for (const auto& e : block.children()) {
              if (e.type() != pugi::node_element) continue;
              decodeXmlElement(&e, category, arrival, out);
            }
          }
        }
      }
    }
  }
  if (out.type == DocumentType::kStreams) sortBySequence(out);
  m_stats.observations += out.observations.size();
  m_stats.rejected += out.rejections.size();
  return okStatus();
}

void StreamsDecoder::decodeXmlElement(const void* node, std::string_view category,
                                      TimestampNs arrival, StreamsOutput& out) {
  const auto& e = *static_cast<const pugi::xml_node*>(node);
  Raw raw;
  raw.element = localName(e.name());
  raw.category = category;
  for (const auto& attr : e.attributes()) {
    const std::string_view n(attr.name());
    if (n == "dataItemId") {
      raw.id = attr.value();
    } else if (n == "timestamp") {
      raw.timestamp = attr.value();
    } else if (n == "sequence") {
      raw.sequence = toU64(attr.value());
    } else if (n == "name") {
      raw.name = attr.value();
    } else if (n == "resetTriggered") {
      raw.resetTriggered = true;
    }
  }
  if (raw.id.empty() && raw.name.empty()) {
    out.rejections.push_back(Rejection{"observation without dataItemId", std::string(raw.element)});
    return;
  }
  const Slot slot = slotFor(raw);
  if (slot.refused) {
    out.rejections.push_back(
        Rejection{"new data item beyond max_items or max_keys", std::string(raw.id)});
    return;
  }
  const char* text = e.child_value();
  switch (slot.kind) {
    case model::Kind::kCondition: {
      const auto level = levelFromElement(raw.element);
      if (!level) {
        out.rejections.push_back(Rejection{
            "unknown condition element <" + std::string(raw.element) + ">", std::string(raw.id)});
        return;
      }
      auto c = std::make_shared<model::Condition>();
      c->level = *level;
      c->nativeCode = e.attribute("nativeCode").value();
      c->nativeSeverity = e.attribute("nativeSeverity").value();
      c->qualifier = e.attribute("qualifier").value();
      c->text = text;
      push(raw, slot, std::shared_ptr<const model::Condition>(std::move(c)), out, arrival);
      return;
    }
    case model::Kind::kMessage: {
      if (isUnavailableText(text)) {
        push(raw, slot, model::Unavailable{}, out, arrival);
        return;
      }
      auto m = std::make_shared<model::Message>();
      m->nativeCode = e.attribute("nativeCode").value();
      m->text = text;
      push(raw, slot, std::shared_ptr<const model::Message>(std::move(m)), out, arrival);
      return;
    }
    case model::Kind::kTimeSeries: {
      if (isUnavailableText(text)) {
        push(raw, slot, model::Unavailable{}, out, arrival);
        return;
      }
      double rate = 0;
      const std::string_view r = e.attribute("sampleRate").value();
      std::from_chars(r.data(), r.data() + r.size(), rate);
      auto ts = timeSeriesValue(text, rate);
      if (!ts) {
        out.rejections.push_back(
            Rejection{"time series with a value that is not a number", std::string(raw.id)});
        return;
      }
      push(raw, slot,
           std::shared_ptr<const model::TimeSeries>(
               std::make_shared<model::TimeSeries>(std::move(*ts))),
           out, arrival);
      return;
    }
    case model::Kind::kDataSet:
    case model::Kind::kTable:
      if (isUnavailableText(text)) {
        push(raw, slot, model::Unavailable{}, out, arrival);
        return;
      }
      push(raw, slot, dataSetValue(e, slot.kind == model::Kind::kTable, raw.resetTriggered), out,
           arrival);
      return;
    case model::Kind::kSample: {
      auto v = sampleValue(text);
      if (!v) {
        out.rejections.push_back(
            Rejection{"sample value '" + std::string(text).substr(0, 60) + "' is not a number",
                      std::string(raw.element) + " " + std::string(raw.id)});
        return;
      }
      push(raw, slot, std::move(*v), out, arrival);
      return;
    }
    default:
      push(raw, slot, eventValue(text), out, arrival);
      return;
  }
}

}  // namespace spindle::collectors::mtconnect_agent
