#include "sim/mitsubishi_control.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>

#include "sim/update_text.hpp"

namespace spindle::sim {
namespace {

namespace mc = collectors::mitsubishi;
namespace dt = mc::data_type;
using mc::DataAddress;

/// Machine position = workpiece position + this offset (the work offset of G54), mm.
constexpr std::array<double, 3> kMachineOffset = {-250.0, -120.0, -310.0};
constexpr std::uint32_t kSpindles = 1;
constexpr const char* kBadOperation = "IDL:omg.org/CORBA/BAD_OPERATION:1.0";

std::string versionOf(mc::SystemType t) {
  switch (t) {
    case mc::SystemType::kM700L:
      return "BND-1012W000-D0 MITSUBISHI CNC 700L (simulated)";
    case mc::SystemType::kM700M:
      return "BND-1012W000-D0 MITSUBISHI CNC 700M (simulated)";
    case mc::SystemType::kM800L:
      return "BND-2005W000-B1 MITSUBISHI CNC 800L (simulated)";
    default:
      return "BND-2005W000-B1 MITSUBISHI CNC 800M (simulated)";
  }
}

}  // namespace

MitsubishiControl::MitsubishiControl(MachineProfile profile, mc::SystemType type, int partSystems)
    : m_type(type), m_axes(mc::defaultAxes(type)) {
  const int n = std::clamp(partSystems, 1, 4);
  for (int p = 0; p < n; ++p) {
    MachineProfile pp = profile;
    pp.index = profile.index * 4 + static_cast<std::uint32_t>(p);
    PartSystem ps{MachineModel(pp), {}, {}};
    for (auto& u : ps.model.snapshot()) ps.values[u.key] = u.text;
    m_systems.push_back(std::move(ps));
  }
  m_lastParts = static_cast<int>(number(m_systems.front(), "partcount"));
}

void MitsubishiControl::step(std::chrono::milliseconds dt) {
  const double seconds = static_cast<double>(dt.count()) / 1000.0;
  m_seconds += seconds;
  for (PartSystem& p : m_systems) {
    for (auto& u : p.model.step(dt)) p.values[u.key] = std::move(u.text);
  }
  const PartSystem& first = m_systems.front();
  const bool active = value(first, "execution") == "ACTIVE";
  if (active) m_automaticSeconds += seconds;
  if (active && number(first, "Fact") > 0) m_cuttingSeconds += seconds;
  const int parts = static_cast<int>(number(first, "partcount"));
  if (parts != m_lastParts) m_cycleSeconds = 0;
  if (active) m_cycleSeconds += seconds;
  m_lastParts = parts;
}

const std::string& MitsubishiControl::value(const PartSystem& p, std::string_view key) const {
  static const std::string kNone;
  const auto it = p.values.find(key);
  return it == p.values.end() ? kNone : it->second;
}

double MitsubishiControl::number(const PartSystem& p, std::string_view key) const {
  const std::string& t = value(p, key);
  double v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

double MitsubishiControl::axisValue(const PartSystem& p, std::size_t axis) const {
  // A lathe's X, Z, C follow the model's X, Z, Y; a machining centre's X, Y, Z its X, Y, Z.
  static constexpr std::array<const char*, 3> kMill = {"Xact", "Yact", "Zact"};
  static constexpr std::array<const char*, 3> kLathe = {"Xact", "Zact", "Yact"};
  return number(p, (mc::isLathe(m_type) ? kLathe : kMill)[axis]);
}

void MitsubishiControl::raiseAlarm(int system, std::int32_t number, std::string text) {
  if (system < 1 || system > partSystems()) return;
  m_systems[static_cast<std::size_t>(system - 1)].injected.push_back({number, 0, std::move(text)});
}

void MitsubishiControl::clearAlarms(int system) {
  if (system >= 1 && system <= partSystems()) {
    m_systems[static_cast<std::size_t>(system - 1)].injected.clear();
  }
}

std::vector<mc::AlarmRecord> MitsubishiControl::alarms(const PartSystem& p) const {
  std::vector<mc::AlarmRecord> out = p.injected;
  const auto f = fields(value(p, "system"));
  if (f.size() >= 5 && f[0] == "FAULT") out.push_back({digits(f[1]), 0, std::string(f[4])});
  return out;
}

mc::Reply MitsubishiControl::answer(const mc::Request& q, bool le) {
  mc::Reply r;
  r.requestId = q.requestId;
  r.littleEndian = le;
  r.resultAt = mc::kHeaderSize + 12;  // no service contexts, id, status
  auto refuse = [&](std::uint32_t status, std::uint32_t code, const std::string& id) {
    r.status = status;
    r.result = mc::encodeException(code, id, r.resultAt, le);
    return r;
  };
  const auto arg = [&](std::size_t i) { return i < q.args.size() ? q.args[i] : 0u; };
  if (q.operation == mc::operation::kGetData) {
    auto address = mc::dataAddressOf(q);
    if (!address)
      return refuse(mc::reply_status::kUserException, mc::ez_error::kArgumentTypeIllegal, "");
    const Answer a = data(*address);
    if (a.error != 0) return refuse(mc::reply_status::kUserException, a.error, "");
    r.result = mc::encodeDataResult(a.type, mc::encodeValue(a.type, a.value, le, a.decimals), le);
    return r;
  }
  const std::uint32_t system = arg(0);
  if (q.operation != mc::operation::kAlarms && q.operation != mc::operation::kProgramBlock) {
    return refuse(mc::reply_status::kSystemException, 0, kBadOperation);
  }
  if (system < 1 || system > m_systems.size()) {
    return refuse(mc::reply_status::kUserException, mc::ez_error::kSubSectionIllegal, "");
  }
  const PartSystem& p = m_systems[system - 1];
  if (q.operation == mc::operation::kAlarms) {
    const std::size_t count = std::clamp<std::uint32_t>(arg(1), 1, mc::kMaxAlarms);
    auto list = alarms(p);
    list.resize(count);  // the NC answers as many records as asked; unused ones are empty
    r.result = mc::encodeAlarms(list, le);
    return r;
  }
  const auto line = static_cast<std::int32_t>(number(p, "line"));
  std::vector<mc::BlockRecord> rows{{line, 1, 0,
                                     "N" + value(p, "line") + " G01 X" + value(p, "Xact") + " Y" +
                                         value(p, "Yact") + " F" +
                                         std::to_string(static_cast<int>(number(p, "Fact")))}};
  r.result = mc::encodeProgramBlock(rows, le);
  return r;
}

MitsubishiControl::Answer MitsubishiControl::data(const DataAddress& a) const {
  const auto systems = static_cast<std::int64_t>(m_systems.size());
  switch (a.section) {
    case 2:
      switch (a.subSection) {
        case 1:
          return {dt::kChar, systems};
        case 2:
          return {dt::kChar, static_cast<std::int64_t>(m_axes.size())};
        case 3:
          return {dt::kChar, static_cast<std::int64_t>(m_axes.size()) * systems + kSpindles};
        case 4:
          return {dt::kChar, std::int64_t{kSpindles}};
        case 5:
          return {dt::kChar, std::int64_t{0}};
        case 100:
          return {dt::kChar, std::int64_t{mc::isLathe(m_type) ? 1 : 0}};
        default:
          return {0, {}, 0, mc::ez_error::kSubSectionIllegal};
      }
    case 40: {
      const double s = a.subSection == 1     ? m_seconds
                       : a.subSection == 2   ? m_automaticSeconds
                       : a.subSection == 3   ? m_automaticSeconds
                       : a.subSection == 8   ? m_cycleSeconds
                       : a.subSection == 100 ? m_cuttingSeconds
                                             : -1;
      if (s < 0) return {0, {}, 0, mc::ez_error::kSubSectionIllegal};
      return {dt::kLong, static_cast<std::int64_t>(s)};
    }
    case 53:
    case 54:
    case 55:
      return plc(a);
    case 67:
      if (a.subSection == 1) return {dt::kString, versionOf(m_type)};
      if (a.subSection == 2) return {dt::kString, std::string("PLC 1.00 (simulated)")};
      return {0, {}, 0, mc::ez_error::kSubSectionIllegal};
    case 68:
      if (a.subSection == 1) return {dt::kString, versionOf(m_type)};
      return {0, {}, 0, mc::ez_error::kSubSectionIllegal};
    case 21:
    case 33:
    case 34:
    case 35:
    case 37:
    case 42:
    case 45:
    case 59:
    case 63:
    case 126:
    case 127:
      if (a.system < 1 || a.system > m_systems.size()) {
        return {0, {}, 0, mc::ez_error::kSubSectionIllegal};
      }
      return systemData(m_systems[a.system - 1], a);
    default:
      return {0, {}, 0, mc::ez_error::kSectionIllegal};
  }
}

MitsubishiControl::Answer MitsubishiControl::systemData(const PartSystem& p,
                                                        const DataAddress& a) const {
  const Answer illegal{0, {}, 0, mc::ez_error::kSubSectionIllegal};
  const std::string& ex = value(p, "execution");
  const std::string program = value(p, "program").substr(0, value(p, "program").find('.'));
  // Per-axis data: exactly one bit of an axis this NC has.
  const bool oneAxis = std::popcount(a.axisFlag) == 1;
  const auto axis = static_cast<std::size_t>(std::countr_zero(a.axisFlag));
  const bool axisOk = oneAxis && axis < m_axes.size();
  switch (a.section * 10000 + a.subSection) {
    case 210001:
      return {dt::kLong, static_cast<std::int64_t>(number(p, "tool"))};
    case 330001:
      return {dt::kFloatBin, number(p, "Fact"), 3};
    case 340001:
      if (a.axisFlag != 1) return illegal;  // one spindle
      return {dt::kDLong, std::llround(number(p, "Sspeed"))};
    case 350010: {
      // 0 RST, 1 EMG, 2 RDY, 3 AUT, 7 HLD
      const std::int64_t run = value(p, "estop") == "TRIGGERED" ? 1
                               : ex == "ACTIVE"                 ? 3
                               : ex == "FEED_HOLD"              ? 7
                               : ex == "INTERRUPTED"            ? 0
                                                                : 2;
      return {dt::kShort, run};
    }
    case 350011: {
      const std::string& mode = value(p, "mode");  // 0 MEM, 3 MDI, 6 JOG
      return {dt::kShort, std::int64_t{mode == "AUTOMATIC"           ? 0
                                       : mode == "MANUAL_DATA_INPUT" ? 3
                                                                     : 6}};
    }
    case 350020:
      return {dt::kDLong, std::int64_t{ex == "ACTIVE" || ex == "FEED_HOLD" ? 1 : 0}};
    case 370001:
    case 370002:
    case 370003:
    case 370004:
    case 370005:
    case 370006: {
      if (!axisOk) return illegal;
      double v = axisValue(p, axis);
      if (a.subSection == 2) v += kMachineOffset[axis];
      if (a.subSection == 6) v = 0;
      return {dt::kFloatBin, v, 3};
    }
    case 420001: {
      const double fovr = std::max(1.0, number(p, "Fovr"));
      return {dt::kFloatBin, std::round(number(p, "Fact") * 100 / fovr), 3};
    }
    case 420002:
    case 420003:
    case 420004:
      return {dt::kFloatBin, 0.0, 3};
    case 450100:
      return {dt::kString, "M01:\\PRG\\USER\\" + program};
    case 450101:
      return {dt::kString, program};
    case 450102:
    case 450103:
      return {dt::kDLong, static_cast<std::int64_t>(number(p, "line"))};
    case 450201:
      return {dt::kString, std::string()};
    case 450202:
    case 450203:
      return {dt::kDLong, std::int64_t{0}};
    case 590004: {
      if (!axisOk) return illegal;
      const double feed = number(p, "Fact");
      const std::array<double, 3> load = {feed / 60, feed / 80, number(p, "Sload") / 3};
      return {dt::kShort, std::llround(load[axis])};
    }
    case 630004:
      if (a.axisFlag != 1) return illegal;
      return {dt::kDLong, std::llround(number(p, "Sload"))};
    case 1268002:
      return {dt::kLong, static_cast<std::int64_t>(number(p, "partcount"))};
    case 1270001:
      if (!axisOk) return illegal;
      return {dt::kString, m_axes[axis]};
    default:
      return illegal;
  }
}

MitsubishiControl::Answer MitsubishiControl::plc(const DataAddress& a) const {
  const Answer illegal{0, {}, 0, mc::ez_error::kSubSectionIllegal};
  if (a.section == 55) {  // R registers (word): 100000 + n
    if (a.subSection < 100000 || a.subSection > 199999) return illegal;
    const std::uint32_t r = a.subSection - 100000;
    for (std::size_t s = 0; s < m_systems.size(); ++s) {
      // R2500 + 200 (s-1): cutting feed override; R7008 + 50 (s-1): spindle override.
      if (r == 2500 + 200 * s) return {dt::kShort, std::llround(number(m_systems[s], "Fovr"))};
      if (r == 7008 + 50 * s) return {dt::kShort, std::llround(number(m_systems[s], "Sovr"))};
    }
    if (r == 536) return {dt::kShort, std::llround(number(m_systems.front(), "tool"))};
    return {dt::kShort, std::int64_t{0}};
  }
  // Y devices: 10000 + the hexadecimal address; bits (53) or bytes (54).
  if (a.subSection < 10000 || a.subSection > 10000 + 0xFFFF) return illegal;
  const std::uint32_t y = a.subSection - 10000;
  // YC67 / Y188F: the overrides are set through R registers (1), not codes.
  const bool method = y == 0xC67 || y == 0x188F;
  return {a.section == 53 ? dt::kChar : dt::kUChar, std::int64_t{method ? 1 : 0}};
}

}  // namespace spindle::sim
