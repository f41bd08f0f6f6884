#include "model/json_encoder.hpp"

#include <charconv>
#include <cmath>

namespace spindle::model {
namespace {

void appendNumber(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ptr);
}

void appendNumber(std::string& out, std::int64_t v) {
  char buf[24];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ptr);
}

void appendField(std::string& out, const char* name, std::string_view text) {
  out += ",\"";
  out += name;
  out += "\":";
  appendJsonString(out, text);
}

struct ValueWriter {
  std::string& out;

  void operator()(const Unavailable&) { out += "\"UNAVAILABLE\""; }
  void operator()(bool v) { out += v ? "true" : "false"; }
  void operator()(std::int64_t v) { appendNumber(out, v); }
  void operator()(double v) { appendNumber(out, v); }
  void operator()(const std::string& v) { appendJsonString(out, v); }
  void operator()(const std::vector<double>& v) {
    out += '[';
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out += ',';
      appendNumber(out, v[i]);
    }
    out += ']';
  }
  void operator()(const std::shared_ptr<const Condition>& c) {
    appendJsonString(out, toString(c->level));
    appendField(out, "native_code", c->nativeCode);
    appendField(out, "native_severity", c->nativeSeverity);
    appendField(out, "qualifier", c->qualifier);
    appendField(out, "text", c->text);
  }
  void operator()(const std::shared_ptr<const Message>& m) {
    appendJsonString(out, m->text);
    appendField(out, "native_code", m->nativeCode);
  }
  void operator()(const std::shared_ptr<const TimeSeries>& t) {
    (*this)(t->samples);
    out += ",\"sample_rate\":";
    appendNumber(out, t->sampleRate);
  }
  void operator()(const std::shared_ptr<const DataSet>& d) {
    out += '{';
    bool first = true;
    for (const auto& e : d->entries) {
      if (!first) out += ',';
      first = false;
      appendJsonString(out, e.key);
      out += ':';
      if (e.removed) {
        out += "null";
      } else if (!e.cells.empty()) {
        out += '{';
        for (size_t i = 0; i < e.cells.size(); ++i) {
          if (i) out += ',';
          appendJsonString(out, e.cells[i].first);
          out += ':';
          appendJsonString(out, e.cells[i].second);
        }
        out += '}';
      } else {
        appendJsonString(out, e.value);
      }
    }
    out += '}';
    if (d->reset) out += ",\"reset\":true";
  }
  void operator()(const std::shared_ptr<const Asset>& a) {
    static constexpr const char* kActions[] = {"add", "remove", "remove_all"};
    appendJsonString(out, a->document);
    appendField(out, "action", kActions[static_cast<int>(a->action)]);
    appendField(out, "asset_id", a->id);
    appendField(out, "asset_type", a->type);
  }
};

}  // namespace

void appendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  // Runs of characters that need no escape are appended whole.
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

void appendJsonLine(std::string& out, const Observation& obs, const ItemCatalog& catalog) {
  const DataItem& item = catalog.item(obs.item);
  out += "{\"machine\":";
  appendJsonString(out, catalog.machineName(obs.machine));
  out += ",\"item\":";
  appendJsonString(out, item.key);
  out += ",\"ts\":\"";
  appendTimestamp(out, obs.timestamp);
  out += "\",\"kind\":\"";
  out += toString(obs.kind);
  out += "\",\"value\":";
  std::visit(ValueWriter{out}, obs.value);
  if (obs.flags & kFlagUntrustedClock) out += ",\"untrusted_clock\":true";
  if (obs.flags & kFlagResetTriggered) out += ",\"reset_triggered\":true";
  if (obs.flags & kFlagArrivalTime) out += ",\"arrival_time\":true";
  out += "}\n";
}

}  // namespace spindle::model
