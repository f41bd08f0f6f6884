#include "collectors/focas/focas_commands.hpp"

#include <algorithm>
#include <cstdio>

#include "collectors/focas/focas_bytes.hpp"

namespace spindle::collectors::focas {
namespace {

using Span = std::span<const std::uint8_t>;

Error wrongSize(const char* what, std::size_t got, const std::string& expected) {
  return Error(ErrorCode::kProtocol, std::string(what) + ": payload of " + std::to_string(got) +
                                         " bytes, expected " + expected);
}

/// Text of a fixed field: up to the first NUL, as sent (space padding kept).
std::string field(Span b, std::size_t at, std::size_t n) {
  std::string s;
  for (std::size_t i = at; i < at + n && b[i] != 0; ++i) s.push_back(static_cast<char>(b[i]));
  return s;
}

void putField(Bytes& out, const std::string& s, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(i < s.size() ? static_cast<std::uint8_t>(s[i]) : std::uint8_t{0});
  }
}

std::int16_t s16(Span b, std::size_t at) { return static_cast<std::int16_t>(be16(b, at)); }
std::int32_t s32(Span b, std::size_t at) { return static_cast<std::int32_t>(be32(b, at)); }

}  // namespace

std::string commandName(std::uint16_t cls, std::uint16_t command) {
  if (cls == 2 && command == cmd::kPmcRange) return "pmc range";
  if (cls == 1) {
    switch (command) {
      case cmd::kParam16i:
        return "parameter (16i)";
      case cmd::kMacroRead:
        return "macro read";
      case cmd::kMacroWrite:
        return "macro write";
      case cmd::kSysInfo:
        return "sysinfo";
      case cmd::kStatInfo:
        return "statinfo";
      case cmd::kAlarmBits:
        return "alarm bits";
      case cmd::kProgramNumber:
        return "program number";
      case cmd::kSequence:
        return "sequence number";
      case cmd::kExecBlock:
        return "executing block";
      case cmd::kAlarmMessages:
        return "alarm messages";
      case cmd::kFeed:
        return "actual feed";
      case cmd::kSpindleSpeed:
        return "actual spindle speed";
      case cmd::kPosition:
        return "position";
      case cmd::kDiag16i:
        return "diagnosis (16i)";
      case cmd::kDateTime:
        return "date/time";
      case cmd::kFigure:
        return "number format";
      case cmd::kServoLoad:
        return "servo load";
      case cmd::kAxisNames:
        return "axis names";
      case cmd::kSpindleNames:
        return "spindle names";
      case cmd::kParam30i:
        return "parameter (30i)";
      case cmd::kDiag30i:
        return "diagnosis (30i)";
      case cmd::kParamInfo:
        return "parameter info";
      case cmd::kAxisCount:
        return "axis count";
      case cmd::kProgramPath30i:
        return "program path (30i)";
      case cmd::kProgramName:
        return "program name";
      case cmd::kTimer:
        return "timer";
      default:
        break;
    }
  }
  char text[32];
  std::snprintf(text, sizeof text, "command %u/0x%04x", unsigned{cls}, unsigned{command});
  return text;
}

int pmcWidth(PmcType type) { return type == PmcType::kLong ? 4 : type == PmcType::kWord ? 2 : 1; }

std::size_t slotCount(Layout layout) { return layout == Layout::k16i ? 8 : 32; }

namespace {
std::size_t slotSize(Layout layout) { return layout == Layout::k16i ? 4 : kNumberSize; }
std::size_t recordSize(Layout layout) { return 8 + slotCount(layout) * slotSize(layout); }
}  // namespace

Call call(std::uint16_t command, std::uint16_t path, std::int32_t a1, std::int32_t a2,
          std::int32_t a3, std::int32_t a4) {
  Call c;
  c.command = command;
  c.path = path;
  c.args = {a1, a2, a3, a4, 0};
  return c;
}

Call paramCall(Layout layout, bool diagnosis, std::uint16_t path, std::int32_t first,
               std::int32_t last, std::int32_t axis) {
  const std::uint16_t code = diagnosis ? (layout == Layout::k16i ? cmd::kDiag16i : cmd::kDiag30i)
                                       : (layout == Layout::k16i ? cmd::kParam16i : cmd::kParam30i);
  return call(code, path, first, last, axis);
}

Call pmcCall(std::uint16_t path, PmcArea area, PmcType type, std::int32_t first, int count) {
  Call c = call(cmd::kPmcRange, path, first, first + count * pmcWidth(type) - 1,
                static_cast<std::int32_t>(area), static_cast<std::int32_t>(type));
  c.cls = 2;
  return c;
}

Call alarmMessagesCall(std::uint16_t path, int max, int textLength) {
  return call(cmd::kAlarmMessages, path, -1, max, 2, textLength);
}

Call macroWriteCall(std::uint16_t path, std::int32_t number, const Number& value) {
  Call c = call(cmd::kMacroWrite, path, number, number);
  appendNumber(c.payload, value);
  c.args[4] = static_cast<std::int32_t>(c.payload.size());
  return c;
}

Result<SysInfo> decodeSysInfo(Span p) {
  if (p.size() != 18) return wrongSize("sysinfo", p.size(), "18");
  return SysInfo{s16(p, 0),      s16(p, 2),       field(p, 4, 2), field(p, 6, 2),
                 field(p, 8, 4), field(p, 12, 4), field(p, 16, 2)};
}

Result<StatInfo> decodeStatInfo(Span p) {
  if (p.size() != 14) return wrongSize("statinfo", p.size(), "14");
  return StatInfo{s16(p, 0), s16(p, 2), s16(p, 4), s16(p, 6), s16(p, 8), s16(p, 10), s16(p, 12)};
}

Result<std::uint32_t> decodeAlarmBits(Span p) {
  if (p.size() != 4) return wrongSize("alarm bits", p.size(), "4");
  return be32(p, 0);
}

Result<std::vector<AlarmMessage>> decodeAlarmMessages(Span p, int textLength) {
  if (textLength <= 0 || textLength > 256) {
    return Error(ErrorCode::kInvalidArgument, "alarm text length " + std::to_string(textLength));
  }
  const std::size_t entry = 16 + static_cast<std::size_t>(textLength);
  if (p.size() % entry != 0) {
    return wrongSize("alarm messages", p.size(), "a multiple of " + std::to_string(entry));
  }
  std::vector<AlarmMessage> out;
  for (std::size_t at = 0; at < p.size(); at += entry) {
    const std::int32_t len = s32(p, at + 12);
    if (len < 0 || len > textLength) {
      return Error(ErrorCode::kProtocol, "alarm messages: text length " + std::to_string(len) +
                                             " outside 0.." + std::to_string(textLength));
    }
    out.push_back({s32(p, at), s32(p, at + 4), s32(p, at + 8),
                   field(p, at + 16, static_cast<std::size_t>(len))});
  }
  return out;
}

Result<ProgramNumbers> decodeProgramNumbers(Span p) {
  if (p.size() != 8) return wrongSize("program number", p.size(), "8");
  return ProgramNumbers{s32(p, 0), s32(p, 4)};
}

Result<ProgramName> decodeProgramName(Span p) {
  if (p.size() < 4 || p.size() > 4 + 256) return wrongSize("program name", p.size(), "4..260");
  return ProgramName{s32(p, 0), field(p, 4, p.size() - 4)};
}

Result<std::string> decodeText(Span p) {
  if (p.size() > 1024) return wrongSize("text", p.size(), "at most 1024");
  return field(p, 0, p.size());
}

Result<std::int32_t> decodeInt32(Span p) {
  if (p.size() != 4) return wrongSize("int32", p.size(), "4");
  return s32(p, 0);
}

Result<std::int16_t> decodeInt16(Span p) {
  if (p.size() != 2) return wrongSize("int16", p.size(), "2");
  return s16(p, 0);
}

Result<ExecBlock> decodeExecBlock(Span p) {
  if (p.size() < 4 || p.size() > 4 + 1024) return wrongSize("executing block", p.size(), "4..1028");
  return ExecBlock{s32(p, 0), field(p, 4, p.size() - 4)};
}

Result<std::vector<Number>> decodeNumbers(Span p) {
  if (p.size() % kNumberSize != 0) return wrongSize("numbers", p.size(), "a multiple of 8");
  std::vector<Number> out;
  out.reserve(p.size() / kNumberSize);
  for (std::size_t at = 0; at < p.size(); at += kNumberSize) {
    out.push_back(readNumber(p.subspan(at, kNumberSize)));
  }
  return out;
}

Result<std::vector<std::string>> decodeNames(Span p) {
  if (p.size() % 4 != 0) return wrongSize("names", p.size(), "a multiple of 4");
  std::vector<std::string> out;
  for (std::size_t at = 0; at < p.size(); at += 4) {
    std::string name = field(p, at, 2);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    out.push_back(std::move(name));
  }
  return out;
}

Result<std::vector<ParamRecord>> decodeParams(Span p, Layout layout) {
  const std::size_t size = recordSize(layout);
  if (p.empty() || p.size() % size != 0) {
    return wrongSize(layout == Layout::k16i ? "parameter (16i layout)" : "parameter (30i layout)",
                     p.size(), "a multiple of " + std::to_string(size));
  }
  std::vector<ParamRecord> out;
  for (std::size_t at = 0; at < p.size(); at += size) {
    ParamRecord r{s32(p, at), s16(p, at + 4), be16(p, at + 6), {}};
    // A single or one-axis record fills the first slot only; the rest may hold stale bytes.
    const std::size_t n = r.axis == -1 ? slotCount(layout) : 1;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t slot = at + 8 + i * slotSize(layout);
      r.values.push_back(layout == Layout::k16i ? Number{s32(p, slot), 10, 0}
                                                : readNumber(p.subspan(slot, kNumberSize)));
    }
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<std::int32_t>> decodePmc(Span p, PmcType type) {
  const auto w = static_cast<std::size_t>(pmcWidth(type));
  if (p.empty() || p.size() % w != 0) {
    return wrongSize("pmc range", p.size(), "a multiple of " + std::to_string(w));
  }
  std::vector<std::int32_t> out;
  for (std::size_t at = 0; at < p.size(); at += w) {
    out.push_back(w == 1 ? std::int32_t{p[at]} : w == 2 ? std::int32_t{s16(p, at)} : s32(p, at));
  }
  return out;
}

Result<ParamInfo> decodeParamInfo(Span p) {
  if (p.size() != 28) return wrongSize("parameter info", p.size(), "28");
  ParamInfo info{s32(p, 0), s32(p, 4), s32(p, 8), {}};
  for (std::size_t i = 0; i < 8; ++i) info.attributes[i] = be16(p, 12 + 2 * i);
  return info;
}

Result<Timer> decodeTimer(Span p) {
  if (p.size() != 8) return wrongSize("timer", p.size(), "8");
  const Timer t{s32(p, 0), s32(p, 4)};
  if (t.minutes < 0 || t.msec < 0 || t.msec >= 60000) {
    return Error(ErrorCode::kProtocol, "timer: " + std::to_string(t.minutes) + " min " +
                                           std::to_string(t.msec) + " ms is not a duration");
  }
  return t;
}

Result<DateTime> decodeDateTime(Span p) {
  if (p.size() != 12) return wrongSize("date/time", p.size(), "12");
  auto read = [&](bool little) {
    auto v = [&](std::size_t at) {
      return little ? p[at] | (p[at + 1] << 8) : (p[at] << 8) | p[at + 1];
    };
    return DateTime{v(0), v(2), v(4), v(6), v(8), v(10)};
  };
  auto plausible = [](const DateTime& d) {
    return d.year >= 1970 && d.year <= 2200 && d.month >= 1 && d.month <= 12 && d.day >= 1 &&
           d.day <= 31;
  };
  const DateTime big = read(false);
  const bool dateSent = big.year != 0 || big.month != 0 || big.day != 0;
  if (!dateSent || plausible(big)) return big;
  DateTime little = read(true);
  if (plausible(little)) return little;
  return Error(ErrorCode::kProtocol, "date/time: " + std::to_string(big.year) + "-" +
                                         std::to_string(big.month) + "-" + std::to_string(big.day) +
                                         " is not a date");
}

Result<std::vector<Figure>> decodeFigures(Span p) {
  if (p.size() < 4) return wrongSize("number format", p.size(), "at least 4");
  const std::int32_t count = s32(p, 0);
  if (count < 0 || count > 32 || p.size() != 4 + 4 * static_cast<std::size_t>(count)) {
    return Error(ErrorCode::kProtocol, "number format: " + std::to_string(count) +
                                           " axes in a payload of " + std::to_string(p.size()) +
                                           " bytes");
  }
  std::vector<Figure> out;
  for (std::size_t at = 4; at < p.size(); at += 4) {
    const Figure f{s16(p, at), s16(p, at + 2)};
    if (f.input < 0 || f.input > 9 || f.output < 0 || f.output > 9) {
      return Error(ErrorCode::kProtocol, "number format: " + std::to_string(f.input) + "/" +
                                             std::to_string(f.output) + " decimals are not 0..9");
    }
    out.push_back(f);
  }
  return out;
}

Bytes encodeSysInfo(const SysInfo& s) {
  Bytes out;
  put16(out, static_cast<std::uint16_t>(s.addinfo));
  put16(out, static_cast<std::uint16_t>(s.maxAxis));
  putField(out, s.cncType, 2);
  putField(out, s.mtType, 2);
  putField(out, s.series, 4);
  putField(out, s.version, 4);
  putField(out, s.axes, 2);
  return out;
}

Bytes encodeStatInfo(const StatInfo& s) {
  Bytes out;
  for (std::int16_t v : {s.aut, s.run, s.motion, s.mstb, s.emergency, s.alarm, s.edit}) {
    put16(out, static_cast<std::uint16_t>(v));
  }
  return out;
}

Bytes encodeAlarmMessages(std::span<const AlarmMessage> alarms, int textLength) {
  Bytes out;
  const auto n = static_cast<std::size_t>(textLength);
  for (const AlarmMessage& a : alarms) {
    put32(out, static_cast<std::uint32_t>(a.number));
    put32(out, static_cast<std::uint32_t>(a.type));
    put32(out, static_cast<std::uint32_t>(a.axis));
    put32(out, static_cast<std::uint32_t>(std::min(a.text.size(), n)));
    putField(out, a.text, n);
  }
  return out;
}

Bytes encodeProgramNumbers(const ProgramNumbers& p) {
  Bytes out;
  put32(out, static_cast<std::uint32_t>(p.running));
  put32(out, static_cast<std::uint32_t>(p.main));
  return out;
}

Bytes encodeProgramName(const ProgramName& p) {
  Bytes out;
  put32(out, static_cast<std::uint32_t>(p.number));
  putField(out, p.name, 36);
  return out;
}

Bytes encodeText(const std::string& text) {
  Bytes out;
  putField(out, text, text.size() + 1);
  return out;
}

Bytes encodeInt32(std::int32_t v) {
  Bytes out;
  put32(out, static_cast<std::uint32_t>(v));
  return out;
}

Bytes encodeInt16(std::int16_t v) {
  Bytes out;
  put16(out, static_cast<std::uint16_t>(v));
  return out;
}

Bytes encodeExecBlock(const ExecBlock& e) {
  Bytes out = encodeInt32(e.block);
  putField(out, e.text, e.text.size());
  return out;
}

Bytes encodeNumbers(std::span<const Number> numbers) {
  Bytes out;
  out.reserve(numbers.size() * kNumberSize);
  for (const Number& n : numbers) appendNumber(out, n);
  return out;
}

Bytes encodeNames(std::span<const std::string> names) {
  Bytes out;
  for (const std::string& n : names) putField(out, n, 4);
  return out;
}

Bytes encodeParams(std::span<const ParamRecord> records, Layout layout) {
  Bytes out;
  for (const ParamRecord& r : records) {
    put32(out, static_cast<std::uint32_t>(r.number));
    put16(out, static_cast<std::uint16_t>(r.axis));
    put16(out, r.type);
    for (std::size_t i = 0; i < slotCount(layout); ++i) {
      const Number n = i < r.values.size() ? r.values[i] : Number{};
      if (layout == Layout::k16i) {
        put32(out, static_cast<std::uint32_t>(n.mantissa));
      } else {
        appendNumber(out, n);
      }
    }
  }
  return out;
}

Bytes encodePmc(std::span<const std::int32_t> values, PmcType type) {
  Bytes out;
  for (std::int32_t v : values) {
    if (type == PmcType::kByte) out.push_back(static_cast<std::uint8_t>(v));
    if (type == PmcType::kWord) put16(out, static_cast<std::uint16_t>(v));
    if (type == PmcType::kLong) put32(out, static_cast<std::uint32_t>(v));
  }
  return out;
}

Bytes encodeTimer(const Timer& t) {
  Bytes out = encodeInt32(t.minutes);
  put32(out, static_cast<std::uint32_t>(t.msec));
  return out;
}

Bytes encodeFigures(std::span<const Figure> figures) {
  Bytes out;
  put32(out, static_cast<std::uint32_t>(figures.size()));
  for (const auto& f : figures) {
    put16(out, static_cast<std::uint16_t>(f.input));
    put16(out, static_cast<std::uint16_t>(f.output));
  }
  return out;
}

Bytes encodeDateTime(const DateTime& d) {
  Bytes out;
  for (int v : {d.year, d.month, d.day, d.hour, d.minute, d.second}) {
    put16(out, static_cast<std::uint16_t>(v));
  }
  return out;
}

}  // namespace spindle::collectors::focas
