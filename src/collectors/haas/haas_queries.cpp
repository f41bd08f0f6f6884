#include "collectors/haas/haas_queries.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace spindle::collectors::haas {
namespace {

constexpr std::array<int, 10> kPollCodes{104, 200, 201, 300, 301, 303, 304, 402, 403, 500};
constexpr std::array<int, 3> kIdentityCodes{100, 101, 102};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> splitFields(std::string_view text) {
  std::vector<std::string_view> out;
  while (true) {
    const auto comma = text.find(',');
    out.push_back(trim(text.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

/// A label compared without case, spaces or dots: "P.O. TIME" and "PO time" are one label.
std::string labelOf(std::string_view field) {
  std::string out;
  for (char c : field) {
    if (c == ' ' || c == '.' || c == '\t') continue;
    out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::optional<double> parseNumber(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<std::int64_t> parseInteger(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!text.empty() && ec == std::errc() && ptr == text.data() + text.size()) return value;
  // "4.000": some controls print counters as decimals.
  if (const auto d = parseNumber(text); d && *d == std::floor(*d) && std::fabs(*d) < 9.0e15) {
    return static_cast<std::int64_t>(*d);
  }
  return std::nullopt;
}

/// The label a query's reply carries (normalized by labelOf).
bool labelAnswers(int code, const std::string& label) {
  switch (code) {
    case 100:
      return label == "SERIALNUMBER" || label == "S/N" || label == "SERIALNO";
    case 101:
      return label.rfind("SOFTWARE", 0) == 0;
    case 102:
      return label == "MODEL";
    case 104:
      return label == "MODE";
    case 200:
      return label == "TOOLCHANGES";
    case 201:
      return label == "USINGTOOL";
    case 300:
      return label == "POTIME";
    case 301:
      return label == "CSTIME";
    case 303:
      return label == "LASTCYCLE";
    case 304:
      return label == "PREVCYCLE";
    case 402:
      return label == "M30#1";
    case 403:
      return label == "M30#2";
    case 500:
      return label == "PROGRAM" || label.rfind("STATUS", 0) == 0;
    case 600:
      return label == "MACRO";
    default:
      return false;
  }
}

bool isRefusal(std::string_view text, const std::string& label) {
  return trim(text) == "?" || label.rfind("UNKNOWN", 0) == 0 || label.rfind("INVALID", 0) == 0;
}

Decoded malformed(std::string detail) {
  Decoded d;
  d.match = Decoded::Match::kMalformed;
  d.detail = std::move(detail);
  return d;
}

Decoded answer(std::vector<Reading> readings) {
  Decoded d;
  d.match = Decoded::Match::kAnswer;
  d.readings = std::move(readings);
  return d;
}

Decoded decodeQ500(const std::vector<std::string_view>& f) {
  const std::string label = labelOf(f[0]);
  if (label.rfind("STATUS", 0) == 0) {
    // "STATUS, BUSY" or "STATUS BUSY": running; program and parts are not given.
    std::string_view status = f.size() > 1 ? f[1] : trim(f[0].substr(6));
    if (status.empty()) return malformed("Q500 STATUS without a status");
    return answer({{std::string(keys::kStatus), upper(status), model::Kind::kEvent}});
  }
  if (f.size() < 3 || f[1].empty() || f[2].empty()) {
    return malformed("Q500 needs PROGRAM, <program>, <status>[, PARTS, <count>]");
  }
  std::vector<Reading> out{{std::string(keys::kProgram), std::string(f[1]), model::Kind::kEvent},
                           {std::string(keys::kStatus), upper(f[2]), model::Kind::kEvent}};
  for (std::size_t i = 3; i + 1 < f.size(); ++i) {
    if (labelOf(f[i]) != "PARTS") continue;
    const auto parts = parseInteger(f[i + 1]);
    if (!parts) return malformed("Q500 PARTS is not a number: '" + std::string(f[i + 1]) + "'");
    out.push_back({std::string(keys::kParts), *parts, model::Kind::kEvent});
  }
  return answer(std::move(out));
}

Decoded decodeQ600(const Query& q, const std::vector<std::string_view>& f) {
  // Classic: MACRO, <n>, <value>; NGC: MACRO, <value>.
  if (f.size() != 2 && f.size() != 3) return malformed("Q600 needs MACRO, [<variable>,] <value>");
  if (f.size() == 3) {
    const auto n = parseNumber(f[1]);
    if (!n) return malformed("Q600 variable number is not a number: '" + std::string(f[1]) + "'");
    if (*n != static_cast<double>(q.variable)) return {};  // another variable's answer
  }
  const std::string_view text = f.back();
  if (text.empty()) return answer({{q.key, model::Unavailable{}, model::Kind::kSample}});
  const auto value = parseNumber(text);
  if (!value) return malformed("Q600 value is not a number: '" + std::string(text) + "'");
  return answer({{q.key, *value, model::Kind::kSample}});
}

}  // namespace

std::string Query::encode(Framing framing) const {
  return (framing == Framing::kNgc ? "?" : "") + name() + "\r\n";
}

std::string Query::name() const {
  std::string out = "Q" + std::to_string(code);
  if (code == 600) out += " " + std::to_string(variable);
  return out;
}

std::span<const int> pollCodes() { return kPollCodes; }
std::span<const int> identityCodes() { return kIdentityCodes; }

bool isKnownCode(int code) {
  if (code == 600) return true;
  for (int c : kPollCodes) {
    if (c == code) return true;
  }
  for (int c : kIdentityCodes) {
    if (c == code) return true;
  }
  return false;
}

std::optional<std::int64_t> variableOfKey(std::string_view key) {
  std::string_view digits;
  if (key.rfind("macro_", 0) == 0) {
    digits = key.substr(6);
  } else if (key.rfind("var_", 0) == 0) {
    digits = key.substr(4);
  } else {
    return std::nullopt;
  }
  std::int64_t n = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size()) {
    return std::nullopt;
  }
  if (n < 1 || n > 99999) return std::nullopt;
  return n;
}

std::optional<std::int64_t> parseHours(std::string_view text) {
  text = trim(text);
  std::int64_t parts[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    const auto colon = i < 2 ? text.find(':') : text.size();
    if (colon == std::string_view::npos) return std::nullopt;
    const std::string_view p = trim(text.substr(0, colon));
    const auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), parts[i]);
    if (p.empty() || ec != std::errc() || ptr != p.data() + p.size() || parts[i] < 0) {
      return std::nullopt;
    }
    text.remove_prefix(i < 2 ? colon + 1 : colon);
  }
  if (parts[1] > 59 || parts[2] > 59 || parts[0] > 100'000'000) return std::nullopt;
  return parts[0] * 3600 + parts[1] * 60 + parts[2];
}

Decoded decodeReply(const Query& q, std::string_view text) {
  const auto f = splitFields(text);
  const std::string label = labelOf(f[0]);
  if (isRefusal(text, label)) {
    Decoded d;
    d.match = Decoded::Match::kRefused;
    d.detail = "the control answered " + q.name() + " with '" + std::string(trim(text)) + "'";
    return d;
  }
  if (!labelAnswers(q.code, label)) return {};
  if (q.code == 500) return decodeQ500(f);
  if (q.code == 600) return decodeQ600(q, f);
  if (f.size() < 2 || f[1].empty()) return malformed(q.name() + " reply has no value");
  const std::string_view v = f[1];
  auto one = [](std::string_view key, model::Value value, model::Kind kind) {
    return answer({{std::string(key), std::move(value), kind}});
  };
  switch (q.code) {
    case 100:
      return one(keys::kSerial, std::string(v), model::Kind::kEvent);
    case 101:
      return one(keys::kSoftware, std::string(v), model::Kind::kEvent);
    case 102:
      return one(keys::kModel, std::string(v), model::Kind::kEvent);
    case 104: {
      std::string_view mode = v;
      if (mode.size() >= 2 && mode.front() == '(' && mode.back() == ')') {
        mode = trim(mode.substr(1, mode.size() - 2));
      }
      return one(keys::kMode, upper(mode), model::Kind::kEvent);
    }
    case 300:
    case 301:
    case 303:
    case 304: {
      const auto seconds = parseHours(v);
      if (!seconds)
        return malformed(q.name() + " time is not hours:mm:ss: '" + std::string(v) + "'");
      const std::string_view key = q.code == 300   ? keys::kPowerOn
                                   : q.code == 301 ? keys::kMotion
                                   : q.code == 303 ? keys::kLastCycle
                                                   : keys::kPreviousCycle;
      return one(key, *seconds, model::Kind::kSample);
    }
    default: {
      const auto n = parseInteger(v);
      if (!n) return malformed(q.name() + " count is not a number: '" + std::string(v) + "'");
      const std::string_view key = q.code == 200   ? keys::kToolChanges
                                   : q.code == 201 ? keys::kTool
                                   : q.code == 402 ? keys::kM30First
                                                   : keys::kM30Second;
      return one(key, *n, model::Kind::kEvent);
    }
  }
}

}  // namespace spindle::collectors::haas
