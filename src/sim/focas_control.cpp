#include "sim/focas_control.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "sim/update_text.hpp"

namespace spindle::sim {
namespace {

namespace fc = collectors::focas;
using fc::Bytes;
using fc::Call;
namespace cmd = fc::cmd;
namespace ew = fc::ew;

constexpr std::size_t kAxes = 3;
constexpr std::array<const char*, kAxes> kAxisNames = {"X", "Y", "Z"};
/// Machine position = absolute + this offset (the work offset of G54), mm.
constexpr std::array<double, kAxes> kMachineOffset = {-250.0, -120.0, -310.0};
constexpr int kMaxRange = 100;     ///< parameters, diagnoses, macros per call
constexpr int kMaxPmcBytes = 256;  ///< bytes per PMC range read

fc::Timer timerOf(double seconds) {
  const auto ms = std::llround(seconds * 1000);
  return fc::Timer{static_cast<std::int32_t>(ms / 60000), static_cast<std::int32_t>(ms % 60000)};
}

}  // namespace

std::string_view focasSeriesName(FocasSeries series) {
  switch (series) {
    case FocasSeries::k0i:
      return "0i";
    case FocasSeries::k16i:
      return "16i";
    default:
      return "30i";
  }
}

Result<FocasSeries> parseFocasSeries(std::string_view text) {
  for (auto s : {FocasSeries::k0i, FocasSeries::k16i, FocasSeries::k30i}) {
    if (text == focasSeriesName(s)) return s;
  }
  return Error(ErrorCode::kInvalidArgument,
               "FOCAS series '" + std::string(text) + "' is not one of 0i, 16i, 30i");
}

FocasControl::FocasControl(MachineProfile profile, FocasSeries series, int paths)
    : m_series(series) {
  const int n = std::clamp(paths, 1, 4);
  for (int p = 0; p < n; ++p) {
    MachineProfile pp = profile;
    pp.index = profile.index * 4 + static_cast<std::uint32_t>(p);
    Path path{MachineModel(pp), {}, {}};
    for (auto& u : path.model.snapshot()) path.values[u.key] = u.text;
    path.lastParts = static_cast<int>(number(path, "partcount"));
    m_paths.push_back(std::move(path));
  }
}

std::uint16_t FocasControl::replyVersion() const {
  return m_series == FocasSeries::k30i ? fc::version::kReply30i : fc::version::kReply16i;
}

std::size_t FocasControl::slots() const { return m_series == FocasSeries::k16i ? 8 : 32; }

void FocasControl::step(std::chrono::milliseconds dt) {
  const double seconds = static_cast<double>(dt.count()) / 1000.0;
  m_seconds += seconds;
  for (Path& p : m_paths) {
    for (auto& u : p.model.step(dt)) p.values[u.key] = std::move(u.text);
    const bool active = value(p, "execution") == "ACTIVE";
    if (active) p.operatingSeconds += seconds;
    if (active && number(p, "Fact") > 0) p.cuttingSeconds += seconds;
    const int parts = static_cast<int>(number(p, "partcount"));
    if (parts != p.lastParts) p.cycleSeconds = 0;
    if (active) p.cycleSeconds += seconds;
    p.lastParts = parts;
  }
}

const std::string& FocasControl::value(const Path& path, std::string_view key) const {
  static const std::string kNone;
  const auto it = path.values.find(key);
  return it == path.values.end() ? kNone : it->second;
}

double FocasControl::number(const Path& path, std::string_view key) const {
  const std::string& t = value(path, key);
  double v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

void FocasControl::raiseAlarm(int path, std::int32_t number, std::string text) {
  if (path < 1 || path > paths()) return;
  m_paths[static_cast<std::size_t>(path - 1)].injected.push_back({number, 3, 0, std::move(text)});
}

void FocasControl::clearAlarms(int path) {
  if (path >= 1 && path <= paths()) m_paths[static_cast<std::size_t>(path - 1)].injected.clear();
}

double FocasControl::macro(std::int32_t n) const {
  const auto it = m_macros.find(n);
  return it == m_macros.end() ? std::nan("") : it->second;
}

fc::StatInfo FocasControl::statInfo(const Path& p) const {
  fc::StatInfo s;
  const std::string& mode = value(p, "mode");
  s.aut = mode == "AUTOMATIC" ? 1 : mode == "MANUAL_DATA_INPUT" ? 0 : 5;
  const std::string& ex = value(p, "execution");
  s.run = ex == "ACTIVE" ? 3 : ex == "FEED_HOLD" ? 2 : ex == "INTERRUPTED" ? 1 : 0;
  s.motion = ex == "ACTIVE" && number(p, "Fact") > 0 ? 1 : 0;
  // A tool change waits for the M06 finish signal: the block runs without axis motion.
  s.mstb = ex == "ACTIVE" && s.motion == 0 && number(p, "Sspeed") == 0 ? 1 : 0;
  s.emergency = value(p, "estop") == "TRIGGERED" ? 1 : 0;
  const bool fault = value(p, "system").rfind("FAULT", 0) == 0;
  s.alarm = fault || !p.injected.empty() ? 1 : 0;
  return s;
}

std::vector<fc::AlarmMessage> FocasControl::alarms(const Path& p) const {
  std::vector<fc::AlarmMessage> out = p.injected;
  const auto f = fields(value(p, "system"));
  if (f.size() >= 5 && f[0] == "FAULT") {
    out.push_back({digits(f[1]), 15, 0, std::string(f[4])});  // 15: external (EX) alarm
  }
  return out;
}

std::int16_t FocasControl::refusal(const Call& c) const {
  if (c.cls != 1) return ew::kOk;
  switch (m_series) {
    case FocasSeries::k16i:
      if (c.command == cmd::kParam30i || c.command == cmd::kDiag30i ||
          c.command == cmd::kProgramPath30i || c.command == cmd::kProgramName) {
        return ew::kFunc;
      }
      if (c.command == cmd::kPosition && c.args[0] == fc::position::kDistanceToGo) {
        return ew::kNoOpt;
      }
      return ew::kOk;
    case FocasSeries::k0i:
      if (c.command == cmd::kParam16i || c.command == cmd::kDiag16i ||
          c.command == cmd::kProgramPath30i) {
        return ew::kFunc;
      }
      return c.command == cmd::kExecBlock ? ew::kNoOpt : ew::kOk;
    default:
      return c.command == cmd::kParam16i || c.command == cmd::kDiag16i ? ew::kFunc : ew::kOk;
  }
}

fc::Reply FocasControl::answer(const Call& c) {
  fc::Reply r{c.cls, c.path, c.command, ew::kOk, 0, {}};
  if (c.path < 1 || c.path > paths()) {
    r.error = ew::kPath;
    return r;
  }
  r.error = refusal(c);
  if (r.error != ew::kOk) return r;
  Bytes out = payload(m_paths[c.path - 1u], c, r.error);
  if (r.error == ew::kOk) r.payload = std::move(out);
  return r;
}

Bytes FocasControl::payload(Path& p, const Call& c, std::int16_t& error) {
  const auto& a = c.args;
  if (c.cls == 2) {
    if (c.command == cmd::kPmcRange) return pmc(p, c, error);
    error = ew::kFunc;
    return {};
  }
  const std::string& program = value(p, "program");
  const int onum = digits(program);
  switch (c.command) {
    case cmd::kSysInfo: {
      fc::SysInfo s;
      s.addinfo = static_cast<std::int16_t>(paths() > 1 ? 0x0002 : 0);
      s.maxAxis = static_cast<std::int16_t>(slots());
      s.mtType = " M";
      s.axes = "03";
      s.cncType = m_series == FocasSeries::k0i ? " 0" : m_series == FocasSeries::k16i ? "16" : "31";
      s.series = m_series == FocasSeries::k0i    ? "D4F1"
                 : m_series == FocasSeries::k16i ? "B0H1"
                                                 : "G421";
      s.version = m_series == FocasSeries::k0i    ? "30.0"
                  : m_series == FocasSeries::k16i ? "15.0"
                                                  : "24.0";
      return fc::encodeSysInfo(s);
    }
    case cmd::kStatInfo:
      return fc::encodeStatInfo(statInfo(p));
    case cmd::kAlarmBits: {
      std::uint32_t bits = 0;
      for (const auto& m : alarms(p)) bits |= 1u << (static_cast<unsigned>(m.type) & 31u);
      return fc::encodeInt32(static_cast<std::int32_t>(bits));
    }
    case cmd::kAlarmMessages: {
      if (a[3] != 32 && a[3] != 64) break;
      auto list = alarms(p);
      if (a[1] >= 0 && list.size() > static_cast<std::size_t>(a[1]))
        list.resize(static_cast<std::size_t>(a[1]));
      return fc::encodeAlarmMessages(list, a[3]);
    }
    case cmd::kProgramNumber:
      return fc::encodeProgramNumbers({onum, onum});
    case cmd::kProgramName:
      return fc::encodeProgramName({onum, "O" + std::to_string(onum)});
    case cmd::kProgramPath30i:
      return fc::encodeText("//CNC_MEM/USER/PATH" + std::to_string(c.path) + "/O" +
                            std::to_string(onum));
    case cmd::kSequence:
      return fc::encodeInt32(static_cast<std::int32_t>(number(p, "line")));
    case cmd::kExecBlock: {
      std::string text = "N" + value(p, "line") + " G01 X" + value(p, "Xact") + " Y" +
                         value(p, "Yact") + " F" +
                         std::to_string(static_cast<int>(number(p, "Fact")));
      if (a[0] > 0 && text.size() > static_cast<std::size_t>(a[0]))
        text.resize(static_cast<std::size_t>(a[0]));
      return fc::encodeExecBlock({static_cast<std::int32_t>(number(p, "line")), text});
    }
    case cmd::kFeed:
      return fc::encodeNumbers(std::vector{fc::toNumber(number(p, "Fact"), 0)});
    case cmd::kSpindleSpeed:
      return fc::encodeNumbers(std::vector{fc::toNumber(number(p, "Sspeed"), 0)});
    case cmd::kPosition:
    case cmd::kServoLoad: {
      std::array<double, kAxes> v{};
      const std::array<const char*, kAxes> keys = {"Xact", "Yact", "Zact"};
      for (std::size_t i = 0; i < kAxes; ++i) v[i] = number(p, keys[i]);
      int decimals = 3;
      if (c.command == cmd::kServoLoad) {
        const double feed = number(p, "Fact");
        v = {std::round(feed / 60), std::round(feed / 80), std::round(number(p, "Sload") / 3)};
        decimals = 0;
      } else if (a[0] == fc::position::kMachine) {
        for (std::size_t i = 0; i < kAxes; ++i) v[i] += kMachineOffset[i];
      } else if (a[0] == fc::position::kDistanceToGo) {
        v = {0, 0, 0};
      } else if (a[0] != 0 && a[0] != 2 && a[0] != fc::position::kAbsolute &&
                 a[0] != fc::position::kRelative) {
        error = ew::kAttrib;
        return {};
      }
      const std::int32_t axis = c.command == cmd::kPosition ? a[1] : -1;
      std::vector<fc::Number> out;
      if (axis == -1) {
        for (std::size_t i = 0; i < slots(); ++i) {
          out.push_back(fc::toNumber(i < kAxes ? v[i] : 0.0, decimals));
        }
      } else if (axis >= 1 && axis <= static_cast<std::int32_t>(kAxes)) {
        out.push_back(fc::toNumber(v[static_cast<std::size_t>(axis - 1)], decimals));
      } else {
        error = ew::kNumber;
        return {};
      }
      return fc::encodeNumbers(out);
    }
    case cmd::kAxisNames:
      return fc::encodeNames(std::vector<std::string>(kAxisNames.begin(), kAxisNames.end()));
    case cmd::kSpindleNames:
      return fc::encodeNames(std::vector<std::string>{"S1"});
    case cmd::kFigure: {
      if (a[0] != 0) {  // only the axes' format is simulated
        error = ew::kNumber;
        return {};
      }
      // Metric IS-B linear axes (3 decimals); the 30i is set up for IS-C (4).
      const std::int16_t d = m_series == FocasSeries::k30i ? 4 : 3;
      return fc::encodeFigures(std::vector<fc::Figure>(kAxes, fc::Figure{d, d}));
    }
    case cmd::kAxisCount:
      return fc::encodeInt16(a[0] == 1 || a[0] == 3 ? 1 : static_cast<std::int16_t>(kAxes));
    case cmd::kParam16i:
    case cmd::kParam30i:
      return params(p, c, false, error);
    case cmd::kDiag16i:
    case cmd::kDiag30i:
      return params(p, c, true, error);
    case cmd::kMacroRead: {
      if (a[1] < a[0] || a[1] - a[0] >= kMaxRange) break;
      std::vector<fc::Number> out;
      for (std::int32_t n = a[0]; n <= a[1]; ++n) {
        const bool known = (n >= 1 && n <= 33) || (n >= 100 && n <= 199) ||
                           (n >= 500 && n <= 999) || n == 3901 || n == 3902;
        if (!known) {
          error = ew::kNumber;
          return {};
        }
        const double v = n == 3901 ? number(p, "partcount") : n == 3902 ? 500.0 : macro(n);
        out.push_back(fc::toNumber(v, 3));
      }
      return fc::encodeNumbers(out);
    }
    case cmd::kMacroWrite: {
      const std::int32_t n = a[0];
      if (c.payload.size() != fc::kNumberSize) break;
      if (!((n >= 100 && n <= 199) || (n >= 500 && n <= 999))) {
        error = ew::kNumber;
        return {};
      }
      if (m_writeProtected) {
        error = ew::kProt;
        return {};
      }
      const fc::Number v = fc::readNumber(c.payload);
      m_macros[n] = v.value();
      return {};
    }
    case cmd::kTimer: {
      const double t = a[0] == fc::timer::kPowerOn     ? m_seconds
                       : a[0] == fc::timer::kOperating ? p.operatingSeconds
                       : a[0] == fc::timer::kCutting   ? p.cuttingSeconds
                       : a[0] == fc::timer::kCycle     ? p.cycleSeconds
                                                       : -1;
      if (t < 0) {
        error = ew::kNumber;
        return {};
      }
      return fc::encodeTimer(timerOf(t));
    }
    case cmd::kDateTime: {
      // Power on at 2026-01-01 08:00:00; days roll over within January for the simulator.
      const auto s = static_cast<int>(m_seconds) + 8 * 3600;
      fc::DateTime d;
      if (a[0] == 0) {
        d = {2026, 1, 1 + (s / 86400) % 31, 0, 0, 0};
      } else {
        d = {0, 0, 0, (s / 3600) % 24, (s / 60) % 60, s % 60};
      }
      return fc::encodeDateTime(d);
    }
    default:
      error = ew::kFunc;
      return {};
  }
  error = ew::kLength;
  return {};
}

Bytes FocasControl::params(const Path& p, const Call& c, bool diagnosis,
                           std::int16_t& error) const {
  const auto& a = c.args;
  if (a[1] < a[0] || a[1] - a[0] >= kMaxRange) {
    error = ew::kLength;
    return {};
  }
  const fc::Layout layout = c.command == cmd::kParam16i || c.command == cmd::kDiag16i
                                ? fc::Layout::k16i
                                : fc::Layout::k30i;
  std::vector<fc::ParamRecord> records;
  for (std::int32_t n = a[0]; n <= a[1]; ++n) {
    // number -> (type, per-axis values or one value)
    std::vector<double> perAxis;
    double single = 0;
    std::uint16_t type = 3;
    bool known = true;
    if (!diagnosis) {
      switch (n) {
        case 6711:
          single = number(p, "partcount");
          break;
        case 6712:
          single = number(p, "partcount") + 1000;
          break;
        case 6713:
          single = 500;
          break;
        case 3111:
          single = 1;
          type = 0;
          break;
        case 1320:
          perAxis = {500000, 400000, 0};
          break;
        case 1420:
          perAxis = {24000, 24000, 15000};
          break;
        default:
          known = false;
      }
    } else {
      const double load = number(p, "Sload");
      switch (n) {
        case 308:
          perAxis = {30 + load / 10, 29 + load / 12, 31 + load / 8};
          type = 0;
          break;
        case 410:  // spindle load meter, percent
          single = load;
          type = 2;
          break;
        case 411:  // spindle motor speed, rpm
          single = number(p, "Sspeed");
          type = 2;
          break;
        default:
          known = false;
      }
    }
    if (!known) continue;
    fc::ParamRecord r{n, 0, type, {}};
    if (perAxis.empty()) {
      r.values.push_back(fc::toNumber(single, 0));
    } else if (a[2] == -1) {
      r.axis = -1;
      for (std::size_t i = 0; i < slots(); ++i) {
        r.values.push_back(i < perAxis.size() ? fc::toNumber(std::round(perAxis[i]), 0)
                                              : fc::Number{});
      }
    } else if (a[2] >= 1 && a[2] <= static_cast<std::int32_t>(perAxis.size())) {
      r.axis = static_cast<std::int16_t>(a[2]);
      r.values.push_back(fc::toNumber(std::round(perAxis[static_cast<std::size_t>(a[2] - 1)]), 0));
    } else {
      error = ew::kAttrib;
      return {};
    }
    records.push_back(std::move(r));
  }
  if (records.empty()) {
    error = ew::kNumber;
    return {};
  }
  return fc::encodeParams(records, layout);
}

Bytes FocasControl::pmc(const Path& p, const Call& c, std::int16_t& error) const {
  const auto& a = c.args;
  if (a[2] < 0 || a[2] > 9 || a[3] < 0 || a[3] > 2) {
    error = ew::kAttrib;
    return {};
  }
  if (a[0] < 0 || a[1] > 9999 || a[1] < a[0]) {
    error = ew::kNumber;
    return {};
  }
  const int count = a[1] - a[0] + 1;
  const int width = fc::pmcWidth(static_cast<fc::PmcType>(a[3]));
  if (count > kMaxPmcBytes || count % width != 0) {
    error = ew::kLength;
    return {};
  }
  const auto area = static_cast<fc::PmcArea>(a[2]);
  const auto st = statInfo(p);
  const auto parts = static_cast<std::uint32_t>(number(p, "partcount"));
  auto byteAt = [&](int addr) -> std::uint8_t {
    switch (area) {
      case fc::PmcArea::F:  // F0.5 STL (cycle start lamp), F0.4 SPL (feed hold lamp)
        return addr == 0
                   ? static_cast<std::uint8_t>((st.run == 3 ? 0x20 : 0) | (st.run == 2 ? 0x10 : 0))
                   : 0;
      case fc::PmcArea::D:  // D2204-D2205: 600 (word); D100-D103: the part count (long)
        if (addr == 2204) return 0x02;
        if (addr == 2205) return 0x58;
        if (addr >= 100 && addr <= 103) {
          return static_cast<std::uint8_t>(parts >> (8 * (103 - addr)));
        }
        return 0;
      case fc::PmcArea::G:  // G12 *FV0-7 feed override (inverted), G30 SOV0-7 spindle override
        if (addr == 12) return static_cast<std::uint8_t>(255 - static_cast<int>(number(p, "Fovr")));
        if (addr == 30) return static_cast<std::uint8_t>(number(p, "Sovr"));
        return 0;
      case fc::PmcArea::R:  // R100: execution as the run field
        return addr == 100 ? static_cast<std::uint8_t>(st.run) : 0;
      default:
        return 0;
    }
  };
  Bytes out;
  for (int addr = a[0]; addr <= a[1]; ++addr) out.push_back(byteAt(addr));
  return out;
}

}  // namespace spindle::sim
