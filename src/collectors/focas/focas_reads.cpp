#include "collectors/focas/focas_reads.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace spindle::collectors::focas {
namespace {

std::optional<std::int32_t> integer(std::string_view text) {
  std::int32_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

model::Value numberValue(const Number& n) {
  if (n.vacant()) return model::Unavailable{};
  if (n.exponent == 0 && n.base != 0) return static_cast<std::int64_t>(n.mantissa);
  const double v = n.value();
  if (v != v) return model::Unavailable{};
  return v;
}

Error malformed(std::string_view key, const std::string& why) {
  return Error(ErrorCode::kInvalidArgument, "key '" + std::string(key) + "': " + why);
}

constexpr std::string_view kTimerKeys[] = {"timer_power_on", "timer_operating", "timer_cutting",
                                           "timer_cycle"};

std::string positionSuffix(std::int32_t type) {
  return type == position::kMachine        ? "_machine"
         : type == position::kDistanceToGo ? "_dtg"
         : type == position::kRelative     ? "_rel"
                                           : "_abs";
}

}  // namespace

std::string pathPrefix(std::uint16_t path) {
  return path == 1 ? std::string() : "p" + std::to_string(path) + "_";
}

std::string programName(std::int32_t number) { return "O" + std::to_string(number); }

Call ScriptRead::toCall(Layout layout) const {
  switch (what) {
    case What::kParam:
    case What::kDiag:
      return paramCall(layout, what == What::kDiag, path, number, number, axis);
    case What::kMacro:
      return call(cmd::kMacroRead, path, number, number);
    default:
      return pmcCall(path, area, type, number, 1);
  }
}

Result<std::optional<ScriptRead>> parseReadKey(std::string_view key) {
  ScriptRead r;
  r.key = std::string(key);
  std::string_view rest = key;
  if (rest.size() > 2 && rest[0] == 'p' && rest[1] >= '1' && rest[1] <= '9') {
    const auto us = rest.find('_');
    const auto n = us == std::string_view::npos ? std::nullopt : integer(rest.substr(1, us - 1));
    if (n && *n >= 1 && *n <= 10 && !rest.starts_with("pmc_")) {
      r.path = static_cast<std::uint16_t>(*n);
      rest.remove_prefix(us + 1);
    }
  }
  auto numberAxis = [&](std::string_view body) -> Status {
    const auto us = body.find('_');
    const auto n = integer(body.substr(0, us));
    const auto axis = us == std::string_view::npos ? std::optional<std::int32_t>(0)
                                                   : integer(body.substr(us + 1));
    if (!n || *n < 0 || !axis || *axis < 0 || *axis > 32) {
      return malformed(key, "expected <number> or <number>_<axis>, e.g. param_6711, diag_308_1");
    }
    r.number = *n;
    r.axis = *axis;
    return okStatus();
  };
  if (rest.starts_with("param_")) {
    r.what = ScriptRead::What::kParam;
    if (auto s = numberAxis(rest.substr(6)); !s) return std::move(s).error();
  } else if (rest.starts_with("diag_")) {
    r.what = ScriptRead::What::kDiag;
    if (auto s = numberAxis(rest.substr(5)); !s) return std::move(s).error();
  } else if (rest.starts_with("macro_")) {
    r.what = ScriptRead::What::kMacro;
    const auto n = integer(rest.substr(6));
    if (!n || *n < 0) return malformed(key, "expected macro_<number>, e.g. macro_500");
    r.number = *n;
  } else if (rest.starts_with("pmc_")) {
    r.what = ScriptRead::What::kPmc;
    std::string_view body = rest.substr(4);
    const std::string_view areas = "GFYXARTKCD";
    const auto us = body.find('_');
    const auto area = body.empty() ? std::string_view::npos : areas.find(body[0]);
    const auto address =
        us == std::string_view::npos ? std::nullopt : integer(body.substr(1, us - 1));
    const std::string_view type = us == std::string_view::npos ? "" : body.substr(us + 1);
    if (area == std::string_view::npos || !address || *address < 0 || *address > 65535 ||
        (type != "byte" && type != "word" && type != "long")) {
      return malformed(key,
                       "expected pmc_<G|F|Y|X|A|R|T|K|C|D><address>_<byte|word|long>, e.g. "
                       "pmc_D2204_word");
    }
    r.area = static_cast<PmcArea>(area);
    r.number = *address;
    r.type = type == "byte" ? PmcType::kByte : type == "word" ? PmcType::kWord : PmcType::kLong;
  } else {
    return std::optional<ScriptRead>();
  }
  return std::optional<ScriptRead>(std::move(r));
}

Result<Call> macroWriteFor(std::string_view key, const model::Value& value,
                           const std::vector<std::uint16_t>& paths) {
  auto read = parseReadKey(key);
  if (!read) return std::move(read).error();
  if (!read->has_value() || (*read)->what != ScriptRead::What::kMacro) {
    return Error(ErrorCode::kInvalidArgument,
                 "'" + std::string(key) +
                     "' is no macro variable; FOCAS writes go to macro_<n> (p<n>_macro_<n>)");
  }
  const ScriptRead& r = **read;
  if (std::find(paths.begin(), paths.end(), r.path) == paths.end()) {
    return Error(ErrorCode::kInvalidArgument, "'" + r.key + "' is on path " +
                                                  std::to_string(r.path) +
                                                  ", which this machine does not read");
  }
  double v = 0;
  if (const auto* d = std::get_if<double>(&value)) {
    v = *d;
  } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
    v = static_cast<double>(*i);
  } else if (const auto* b = std::get_if<bool>(&value)) {
    v = *b ? 1.0 : 0.0;
  } else {
    return Error(ErrorCode::kInvalidArgument, "'" + r.key + "' holds a number");
  }
  // A macro variable holds about 9 significant digits (a 32-bit mantissa).
  if (!std::isfinite(v) || std::abs(v) > 2147483647.0) {
    return Error(ErrorCode::kInvalidArgument,
                 "'" + r.key + "' cannot hold " + std::to_string(v) + " (beyond +-2147483647)");
  }
  int decimals = 0;
  while (decimals < 8) {
    const double scaled = v * std::pow(10.0, decimals);
    if (std::abs(scaled - std::round(scaled)) < 1e-6) break;
    ++decimals;
  }
  return macroWriteCall(r.path, r.number, toNumber(v, decimals));
}

Result<model::Value> scriptValue(const ScriptRead& read, const Reply& reply, Layout layout) {
  using What = ScriptRead::What;
  if (read.what == What::kPmc) {
    auto v = decodePmc(reply.payload, read.type);
    if (!v) return std::move(v).error();
    if (v->size() != 1) return Error(ErrorCode::kProtocol, "pmc: expected one value");
    return model::Value(static_cast<std::int64_t>(v->front()));
  }
  if (read.what == What::kMacro) {
    auto v = decodeNumbers(reply.payload);
    if (!v) return std::move(v).error();
    if (v->size() != 1) return Error(ErrorCode::kProtocol, "macro: expected one value");
    const Number& n = v->front();
    if (n.vacant()) return model::Value(model::Unavailable{});
    return model::Value(n.value());
  }
  auto records = decodeParams(reply.payload, layout);
  if (!records) return std::move(records).error();
  for (const auto& rec : *records) {
    if (rec.number == read.number && !rec.values.empty()) return numberValue(rec.values.front());
  }
  return Error(ErrorCode::kProtocol, "no record for number " + std::to_string(read.number));
}

std::vector<Call> fastCalls(std::uint16_t path) {
  return {call(cmd::kStatInfo, path),     call(cmd::kProgramNumber, path),
          call(cmd::kSequence, path),     call(cmd::kFeed, path),
          call(cmd::kSpindleSpeed, path), call(cmd::kPosition, path, position::kAbsolute, -1),
          call(cmd::kServoLoad, path, 1), call(cmd::kAlarmBits, path)};
}

std::vector<Call> slowCalls(std::uint16_t path, int maxAlarms) {
  std::vector<Call> out = {alarmMessagesCall(path, maxAlarms, 64),
                           call(cmd::kPosition, path, position::kMachine, -1),
                           call(cmd::kPosition, path, position::kDistanceToGo, -1),
                           call(cmd::kExecBlock, path, 128),
                           call(cmd::kProgramName, path),
                           call(cmd::kProgramPath30i, path)};
  for (std::int32_t t = timer::kPowerOn; t <= timer::kCycle; ++t) {
    out.push_back(call(cmd::kTimer, path, t));
  }
  return out;
}

std::vector<std::string> keysOf(const Call& c, const std::vector<std::string>& axes) {
  const std::string p = pathPrefix(c.path);
  switch (c.command) {
    case cmd::kStatInfo:
      return {p + "aut",       p + "run",   p + "motion", p + "mstb",
              p + "emergency", p + "alarm", p + "edit"};
    case cmd::kProgramNumber:
      return {p + "program", p + "main_program"};
    case cmd::kSequence:
      return {p + "sequence"};
    case cmd::kFeed:
      return {p + "feed"};
    case cmd::kSpindleSpeed:
      return {p + "spindle_speed"};
    case cmd::kAlarmBits:
      return {p + "alarm_bits"};
    case cmd::kExecBlock:
      return {p + "block"};
    case cmd::kProgramName:
      return {p + "program_name"};
    case cmd::kProgramPath30i:
      return {p + "program_path"};
    case cmd::kTimer:
      if (c.args[0] >= 0 && c.args[0] < 4) return {p + std::string(kTimerKeys[c.args[0]])};
      return {};
    case cmd::kDateTime:  // the control's clock (local time), whatever path asks
      return {c.args[0] == 0 ? "cnc_date" : "cnc_time"};
    case cmd::kFigure: {
      std::vector<std::string> out;
      for (const auto& a : axes) out.push_back(p + a + "_decimals");
      return out;
    }
    case cmd::kPosition:
    case cmd::kServoLoad: {
      const std::string suffix = c.command == cmd::kServoLoad ? "_load" : positionSuffix(c.args[0]);
      std::vector<std::string> out;
      for (const auto& a : axes) out.push_back(p + a + suffix);
      return out;
    }
    default:
      return {};
  }
}

Result<std::vector<Reading>> readings(const Call& c, const Reply& r,
                                      const std::vector<std::string>& axes) {
  const auto keys = keysOf(c, axes);
  std::vector<Reading> out;
  auto event = [&](std::size_t i, model::Value v) {
    out.push_back({keys.at(i), std::move(v), model::Kind::kEvent});
  };
  auto sample = [&](std::size_t i, model::Value v) {
    out.push_back({keys.at(i), std::move(v), model::Kind::kSample});
  };
  auto fail = [](Error e) -> Result<std::vector<Reading>> { return e; };
  switch (c.command) {
    case cmd::kStatInfo: {
      auto s = decodeStatInfo(r.payload);
      if (!s) return fail(std::move(s).error());
      const std::int16_t f[] = {s->aut,       s->run,   s->motion, s->mstb,
                                s->emergency, s->alarm, s->edit};
      for (std::size_t i = 0; i < 7; ++i) event(i, std::int64_t{f[i]});
      return out;
    }
    case cmd::kProgramNumber: {
      auto n = decodeProgramNumbers(r.payload);
      if (!n) return fail(std::move(n).error());
      event(0, programName(n->running));
      event(1, programName(n->main));
      return out;
    }
    case cmd::kSequence:
    case cmd::kAlarmBits: {
      auto v = decodeInt32(r.payload);
      if (!v) return fail(std::move(v).error());
      event(0, std::int64_t{*v});
      return out;
    }
    case cmd::kFeed:
    case cmd::kSpindleSpeed: {
      auto v = decodeNumbers(r.payload);
      if (!v) return fail(std::move(v).error());
      if (v->size() != 1) return Error(ErrorCode::kProtocol, "expected one number");
      sample(0, numberValue(v->front()));
      return out;
    }
    case cmd::kPosition:
    case cmd::kServoLoad: {
      auto v = decodeNumbers(r.payload);
      if (!v) return fail(std::move(v).error());
      for (std::size_t i = 0; i < keys.size(); ++i) {
        sample(i, i < v->size() ? numberValue((*v)[i]) : model::Value(model::Unavailable{}));
      }
      return out;
    }
    case cmd::kExecBlock: {
      auto b = decodeExecBlock(r.payload);
      if (!b) return fail(std::move(b).error());
      event(0, b->text);
      return out;
    }
    case cmd::kProgramName: {
      auto n = decodeProgramName(r.payload);
      if (!n) return fail(std::move(n).error());
      event(0, n->name);
      return out;
    }
    case cmd::kProgramPath30i: {
      auto t = decodeText(r.payload);
      if (!t) return fail(std::move(t).error());
      event(0, *t);
      return out;
    }
    case cmd::kTimer: {
      auto t = decodeTimer(r.payload);
      if (!t) return fail(std::move(t).error());
      if (!keys.empty()) sample(0, t->seconds());
      return out;
    }
    case cmd::kDateTime: {
      auto d = decodeDateTime(r.payload);
      if (!d) return fail(std::move(d).error());
      char text[32];
      if (c.args[0] == 0) {
        std::snprintf(text, sizeof text, "%04d-%02d-%02d", d->year, d->month, d->day);
      } else {
        std::snprintf(text, sizeof text, "%02d:%02d:%02d", d->hour, d->minute, d->second);
      }
      event(0, std::string(text));
      return out;
    }
    case cmd::kFigure: {
      auto f = decodeFigures(r.payload);
      if (!f) return fail(std::move(f).error());
      for (std::size_t i = 0; i < keys.size() && i < f->size(); ++i) {
        event(i, std::int64_t{(*f)[i].output});
      }
      return out;
    }
    default:
      return out;
  }
}

}  // namespace spindle::collectors::focas
