#include "collectors/lsv2/lsv2_replies.hpp"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "collectors/lsv2/lsv2_bytes.hpp"

namespace spindle::collectors::lsv2 {

namespace {

Error tooShort(const std::string& what, std::size_t have, std::size_t want) {
  return Error(ErrorCode::kProtocol,
               what + ": " + std::to_string(have) + " bytes, want " + std::to_string(want));
}

void putString(Bytes& out, std::string_view s) {
  out.insert(out.end(), s.begin(), s.end());
  out.push_back(0);
}

/// The NUL-terminated string at `at`; moves `at` past its NUL. Error when no NUL follows.
Result<std::string> takeString(std::span<const std::uint8_t> p, std::size_t& at, const char* what) {
  for (std::size_t i = at; i < p.size(); ++i) {
    if (p[i] == 0) {
      std::string s(p.begin() + static_cast<std::ptrdiff_t>(at),
                    p.begin() + static_cast<std::ptrdiff_t>(i));
      at = i + 1;
      return s;
    }
  }
  return Error(ErrorCode::kProtocol, std::string(what) + " has no terminating NUL");
}

Result<std::uint16_t> exactU16(std::span<const std::uint8_t> p, const char* what) {
  if (p.size() != 2) return tooShort(what, p.size(), 2);
  return be16(p, 0);
}

Area area(std::span<const std::uint8_t> p, std::size_t at) {
  return Area{be32(p, at), be32(p, at + 4)};
}

void putArea(Bytes& out, const Area& a) {
  put32(out, a.start);
  put32(out, a.count);
}

std::string normalized(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ' ') continue;
    out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  }
  return out;
}

}  // namespace

std::string runInfoName(std::uint16_t i) {
  switch (i) {
    case info::kAxisLocation:
      return "axis location";
    case info::kExecutionMode:
      return "execution mode";
    case info::kProgramStack:
      return "program stack";
    case info::kOverrides:
      return "overrides";
    case info::kProgramState:
      return "program state";
    case info::kFirstError:
      return "first NC error";
    case info::kNextError:
      return "next NC error";
    case info::kCurrentTool:
      return "current tool";
    default:
      return "run info " + std::to_string(i);
  }
}

Result<Versions> decodeVersions(std::span<const std::uint8_t> payload) {
  std::size_t end = payload.size();
  while (end > 0 && payload[end - 1] == 0) --end;  // the last string's NUL and padding
  auto parts = splitStrings(payload.subspan(0, end));
  if (parts.size() < 3 || parts.size() > 5) {
    return Error(ErrorCode::kProtocol,
                 "S_VR holds " + std::to_string(parts.size()) + " strings, want 3 to 5");
  }
  Versions v{parts[0], parts[1], parts[2], {}, {}};
  if (parts.size() == 4) v.options = parts[3];
  if (parts.size() == 5) {
    v.splc = parts[3];
    v.options = parts[4];
  }
  return v;
}

Bytes encodeVersions(const Versions& v) {
  Bytes out;
  putString(out, v.control);
  putString(out, v.ncSoftware);
  putString(out, v.plc);
  if (!v.splc.empty()) putString(out, v.splc);
  if (!v.options.empty()) putString(out, v.options);
  if (v.splc.empty() && v.options.empty()) out.push_back(0);  // as the TNC 426 pads it
  return out;
}

Result<std::string> decodeVersionText(std::span<const std::uint8_t> payload) {
  std::size_t at = 0;
  return takeString(payload, at, "S_VR string");
}

ControlType controlTypeOf(std::string_view control) {
  const std::string n = normalized(control);
  auto starts = [&](std::string_view p) { return n.rfind(p, 0) == 0; };
  if (starts("ITNC530")) return ControlType::kItnc530;
  if (starts("TNC640")) return ControlType::kTnc640;
  if (starts("TNC620")) return ControlType::kTnc620;
  if (starts("TNC320")) return ControlType::kTnc320;
  if (starts("TNC128")) return ControlType::kTnc128;
  if (starts("TNC426") || starts("TNC430")) return ControlType::kTnc426;
  if (starts("TNC7")) return ControlType::kTnc7;
  if (starts("CNCPILOT640")) return ControlType::kCncPilot640;
  if (starts("MANUALPLUS")) return ControlType::kManualPlus;
  if (starts("MILLPLUS")) return ControlType::kMillPlus;
  return ControlType::kUnknown;
}

std::string controlTypeName(ControlType t) {
  switch (t) {
    case ControlType::kItnc530:
      return "iTNC 530";
    case ControlType::kTnc640:
      return "TNC 640";
    case ControlType::kTnc620:
      return "TNC 620";
    case ControlType::kTnc320:
      return "TNC 320";
    case ControlType::kTnc128:
      return "TNC 128";
    case ControlType::kTnc7:
      return "TNC7";
    case ControlType::kCncPilot640:
      return "CNC PILOT 640";
    case ControlType::kManualPlus:
      return "MANUALplus";
    case ControlType::kMillPlus:
      return "MillPlus";
    case ControlType::kTnc426:
      return "TNC 426/430";
    default:
      return "unknown";
  }
}

Capabilities capabilitiesOf(ControlType t) {
  switch (t) {
    case ControlType::kItnc530:
      return Capabilities{true, true, true, true};
    case ControlType::kTnc426:
      return Capabilities{false, false, false, false};
    case ControlType::kUnknown:  // asked once; what it refuses is dropped
      return Capabilities{true, true, true, false};
    default:
      return Capabilities{true, false, false, false};
  }
}

Result<SystemParameters> decodeSystemParameters(std::span<const std::uint8_t> p) {
  if (p.size() != 120 && p.size() != 124) {
    return Error(ErrorCode::kProtocol,
                 "S_PR of " + std::to_string(p.size()) + " bytes, want 120 or 124");
  }
  SystemParameters s;
  s.markers = area(p, 0);
  s.inputs = area(p, 8);
  s.outputs = area(p, 16);
  s.counters = area(p, 24);
  s.timers = area(p, 32);
  s.words = area(p, 40);
  s.strings = area(p, 48);
  s.maxStringLength = p[56];
  s.inputWords = area(p, 64);
  s.outputWords = area(p, 72);
  s.lsv2Version = p[96];
  s.versionFlags = p[97];
  s.maxBlockLength = be16(p, 98);
  s.hardwareVersion = be32(p, 104);
  s.extendedFlags = be32(p, 108);
  s.maxTraceLine = be16(p, 112);
  s.scopeChannels = be16(p, 114);
  s.passwordKey = be32(p, 116);
  s.size = p.size();
  return s;
}

Bytes encodeSystemParameters(const SystemParameters& s) {
  Bytes out;
  for (const Area& a : {s.markers, s.inputs, s.outputs, s.counters, s.timers, s.words, s.strings}) {
    putArea(out, a);
  }
  out.push_back(s.maxStringLength);
  out.resize(64, 0);
  putArea(out, s.inputWords);
  putArea(out, s.outputWords);
  out.resize(96, 0);
  out.push_back(s.lsv2Version);
  out.push_back(s.versionFlags);
  put16(out, s.maxBlockLength);
  out.resize(104, 0);
  put32(out, s.hardwareVersion);
  put32(out, s.extendedFlags);
  put16(out, s.maxTraceLine);
  put16(out, s.scopeChannels);
  put32(out, s.passwordKey);
  out.resize(s.size == 124 ? 124 : 120, 0);
  return out;
}

Result<std::vector<AxisPosition>> decodeAxisLocation(std::span<const std::uint8_t> p) {
  if (p.size() < 2) return tooShort("axis location", p.size(), 2);
  const std::size_t n = p[1];
  std::vector<AxisPosition> axes(n);
  std::size_t at = 2;
  for (std::size_t i = 0; i < n; ++i) {
    auto text = takeString(p, at, "axis position");
    if (!text) return std::move(text).error();
    const char* first = text->data();
    const char* last = first + text->size();
    const auto [end, ec] = std::from_chars(first, last, axes[i].position);
    if (text->empty() || ec != std::errc() || end != last || !std::isfinite(axes[i].position)) {
      return Error(ErrorCode::kProtocol, "axis position '" + *text + "' is not a number");
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    auto name = takeString(p, at, "axis name");
    if (!name) return std::move(name).error();
    if (name->empty())
      return Error(ErrorCode::kProtocol, "axis " + std::to_string(i) + " has no name");
    axes[i].name = std::move(*name);
  }
  if (at != p.size()) {
    return Error(ErrorCode::kProtocol,
                 std::to_string(p.size() - at) + " bytes after the " + std::to_string(n) + " axes");
  }
  return axes;
}

Bytes encodeAxisLocation(const std::vector<AxisPosition>& axes, int decimals) {
  Bytes out{0, static_cast<std::uint8_t>(axes.size())};
  for (const auto& a : axes) {
    char text[48];
    std::snprintf(text, sizeof text, "%.*f", decimals, a.position);
    putString(out, text);
  }
  for (const auto& a : axes) putString(out, a.name);
  return out;
}

Result<std::uint16_t> decodeExecutionMode(std::span<const std::uint8_t> p) {
  return exactU16(p, "execution mode");
}

std::string executionModeName(std::uint16_t m) {
  static constexpr const char* kNames[] = {"MANUAL",      "MDI",       "PASS_REFERENCES",
                                           "SINGLE_STEP", "AUTOMATIC", "UNDEFINED"};
  return m < 6 ? kNames[m] : "MODE_" + std::to_string(m);
}

Result<ProgramStack> decodeProgramStack(std::span<const std::uint8_t> p) {
  if (p.size() < 4) return tooShort("program stack", p.size(), 4);
  ProgramStack s;
  s.line = be32(p, 0);
  std::size_t at = 4;
  auto main = takeString(p, at, "main program");
  if (!main) return std::move(main).error();
  auto current = takeString(p, at, "current program");
  if (!current) return std::move(current).error();
  s.mainProgram = std::move(*main);
  s.currentProgram = std::move(*current);
  return s;
}

Bytes encodeProgramStack(const ProgramStack& s) {
  Bytes out;
  put32(out, s.line);
  putString(out, s.mainProgram);
  putString(out, s.currentProgram);
  return out;
}

Result<Overrides> decodeOverrides(std::span<const std::uint8_t> p) {
  if (p.size() != 12) return tooShort("overrides", p.size(), 12);
  return Overrides{be32(p, 0) / 100.0, be32(p, 4) / 100.0, be32(p, 8) / 100.0};
}

Bytes encodeOverrides(const Overrides& o) {
  Bytes out;
  for (double v : {o.feed, o.spindle, o.rapid}) {
    put32(out, static_cast<std::uint32_t>(std::lround(std::max(0.0, v) * 100)));
  }
  return out;
}

Result<std::uint16_t> decodeProgramState(std::span<const std::uint8_t> p) {
  return exactU16(p, "program state");
}

std::string programStateName(std::uint16_t s) {
  static constexpr const char* kNames[] = {"STARTED",       "STOPPED",     "FINISHED",
                                           "CANCELLED",     "INTERRUPTED", "ERROR",
                                           "ERROR_CLEARED", "IDLE",        "UNDEFINED"};
  return s < 9 ? kNames[s] : "STATE_" + std::to_string(s);
}

Bytes encodeU16(std::uint16_t v) {
  Bytes out;
  put16(out, v);
  return out;
}

Result<NcError> decodeNcError(std::span<const std::uint8_t> p) {
  if (p.size() < 9) return tooShort("NC error", p.size(), 9);
  NcError e;
  e.errorClass = be16(p, 0);
  e.group = be16(p, 2);
  e.number = static_cast<std::int32_t>(be32(p, 4));
  std::size_t at = 8;
  auto text = takeString(p, at, "NC error text");
  if (!text) return std::move(text).error();
  e.text = std::move(*text);
  return e;
}

Bytes encodeNcError(const NcError& e) {
  Bytes out;
  put16(out, e.errorClass);
  put16(out, e.group);
  put32(out, static_cast<std::uint32_t>(e.number));
  putString(out, e.text);
  return out;
}

Result<ToolInfo> decodeToolInfo(std::span<const std::uint8_t> p) {
  if (p.size() != 8 && p.size() != 24) {
    return Error(ErrorCode::kProtocol,
                 "current tool of " + std::to_string(p.size()) + " bytes, want 8 or 24");
  }
  ToolInfo t{be32(p, 0), be16(p, 4), be16(p, 6), std::nullopt, std::nullopt};
  if (p.size() == 24) {
    t.length = std::bit_cast<double>(le64(p, 8));
    t.radius = std::bit_cast<double>(le64(p, 16));
  }
  return t;
}

Bytes encodeToolInfo(const ToolInfo& t) {
  Bytes out;
  put32(out, t.number);
  put16(out, t.index);
  put16(out, t.axis);
  if (t.length && t.radius) {
    putLe(out, std::bit_cast<std::uint64_t>(*t.length), 8);
    putLe(out, std::bit_cast<std::uint64_t>(*t.radius), 8);
  }
  return out;
}

std::size_t operandSize(Operand o) {
  return o == Operand::kWord ? 2 : o == Operand::kDouble ? 4 : 1;
}

std::uint32_t operandAddress(const SystemParameters& p, Operand o, std::uint32_t n) {
  switch (o) {
    case Operand::kMarker:
      return p.markers.start + n;
    case Operand::kInput:
      return p.inputs.start + n;
    case Operand::kOutput:
      return p.outputs.start + n;
    case Operand::kCounter:
      return p.counters.start + n;
    case Operand::kTimer:
      return p.timers.start + n;
    default:
      return p.words.start + n;  // B, W, D: byte addresses of the word area
  }
}

Result<std::vector<std::int64_t>> decodeMemory(std::span<const std::uint8_t> p, Operand o,
                                               std::size_t count) {
  const std::size_t size = operandSize(o);
  if (p.size() != count * size) return tooShort("S_MB", p.size(), count * size);
  std::vector<std::int64_t> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t at = i * size;
    switch (o) {
      case Operand::kWord:
        out.push_back(static_cast<std::int16_t>(p[at] | (p[at + 1] << 8)));
        break;
      case Operand::kDouble:
        out.push_back(static_cast<std::int32_t>(
            std::uint32_t{p[at]} | (std::uint32_t{p[at + 1]} << 8) |
            (std::uint32_t{p[at + 2]} << 16) | (std::uint32_t{p[at + 3]} << 24)));
        break;
      case Operand::kByte:
        out.push_back(p[at]);
        break;
      default:
        out.push_back(p[at] != 0 ? 1 : 0);
    }
  }
  return out;
}

Result<Scalar> decodeDataPath(std::span<const std::uint8_t> p) {
  if (p.size() < 4) return tooShort("S_DP", p.size(), 4);
  const std::uint32_t type = be32(p, 0);
  const auto v = p.subspan(4);
  auto need = [&](std::size_t n) -> Status {
    if (v.size() != n) return tooShort("S_DP type " + std::to_string(type), v.size(), n);
    return okStatus();
  };
  auto le = [&](std::size_t n) {
    std::uint64_t x = 0;
    for (std::size_t i = 0; i < n; ++i) x |= std::uint64_t{v[i]} << (8 * i);
    return x;
  };
  Status fits = okStatus();
  switch (type) {
    case 2:
      if (fits = need(2); !fits) break;
      return Scalar(std::int64_t{static_cast<std::int16_t>(le(2))});
    case 3:
      if (fits = need(4); !fits) break;
      return Scalar(std::int64_t{static_cast<std::int32_t>(le(4))});
    case 5:
      if (fits = need(8); !fits) break;
      return Scalar(std::bit_cast<double>(le(8)));
    case 8: {
      std::size_t at = 0;
      auto s = takeString(v, at, "S_DP string");
      if (!s) return std::move(s).error();
      return Scalar(std::move(*s));
    }
    case 11:
      if (fits = need(1); !fits) break;
      return Scalar(v[0] != 0);
    case 16:
      if (fits = need(1); !fits) break;
      return Scalar(std::int64_t{static_cast<std::int8_t>(v[0])});
    case 17:
      if (fits = need(1); !fits) break;
      return Scalar(std::int64_t{v[0]});
    default:
      return Error(ErrorCode::kProtocol, "S_DP value type " + std::to_string(type) + " unknown");
  }
  return std::move(fits).error();
}

Bytes encodeDataPath(const Scalar& value) {
  Bytes out;
  if (const auto* b = std::get_if<bool>(&value)) {
    put32(out, 11);
    out.push_back(*b ? 1 : 0);
  } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
    put32(out, 3);
    putLe(out, static_cast<std::uint32_t>(static_cast<std::int32_t>(*i)), 4);
  } else if (const auto* d = std::get_if<double>(&value)) {
    put32(out, 5);
    putLe(out, std::bit_cast<std::uint64_t>(*d), 8);
  } else {
    put32(out, 8);
    putString(out, std::get<std::string>(value));
  }
  return out;
}

}  // namespace spindle::collectors::lsv2
