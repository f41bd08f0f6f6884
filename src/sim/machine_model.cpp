#include "sim/machine_model.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "sim/machine_catalog.hpp"

namespace spindle::sim {
namespace {

constexpr std::array<std::string_view, MachineModel::kKeyCount> kKeys = {
    "avail", "mode", "execution", "program", "line", "partcount", "Sspeed", "Sload",  "Sovr",
    "Fact",  "Fovr", "tool",      "estop",   "Xact", "Yact",      "Zact",   "system", "message",
};
constexpr std::size_t kSystem = 16;
constexpr std::size_t kMessage = 17;
static_assert(kKeys[kSystem] == "system" && kKeys[kMessage] == "message");

constexpr double kMaxSubstep = 0.1;  ///< s; keeps big steps from skipping phases
constexpr double kToolChangeSeconds = 2.5;
constexpr double kToolSwapAt = 1.2;     ///< s into a tool change when the tool number flips
constexpr double kSpindleAccel = 3000;  ///< rpm/s
constexpr double kSpindleDecel = 8000;  ///< rpm/s
constexpr std::array<double, 3> kMin = {-250, -200, -120};  ///< travel limits, mm
constexpr std::array<double, 3> kMax = {250, 200, 0};

/// A uniformly chosen element of a small table.
template <typename T, std::size_t N>
T pick(Rng& rng, const std::array<T, N>& table) {
  return table[static_cast<std::size_t>(rng.between(0, static_cast<int>(N) - 1))];
}

// Only +-*/, sqrt and round below: IEEE 754 makes those exact, so the output does not depend on
// which libm computes it (sin, cos, pow and hypot may differ in the last bit).

/// Fixed decimals without "-0.000"; fmt formats exactly, so the text is the same everywhere.
std::string fixed(double value, int decimals) {
  constexpr std::array<double, 4> kScales = {1, 10, 100, 1000};
  const double scale = kScales[static_cast<std::size_t>(decimals)];
  double rounded = std::round(value * scale) / scale;
  if (rounded == 0.0) rounded = 0.0;
  return fmt::format("{:.{}f}", rounded, decimals);
}

}  // namespace

std::span<const std::string_view> MachineModel::keys() { return kKeys; }

MachineModel::MachineModel(MachineProfile profile)
    : m_profile(std::move(profile)), m_rng(m_profile.seed, m_profile.index) {
  m_nextAlarm = m_rng.uniform(20, 90);
  m_nextEstop = m_rng.uniform(240, 720);
  m_nextOverride = m_rng.uniform(10, 40);
  m_nextDrop = m_rng.uniform(30, 90);
  enterIdle();
  m_reported = texts();
}

std::vector<Update> MachineModel::step(std::chrono::milliseconds dt) {
  double remaining = std::max<double>(0, static_cast<double>(dt.count())) / 1000.0;
  remaining *= m_profile.timeScale;
  while (remaining > 1e-9) {
    const double h = std::min(remaining, kMaxSubstep);
    advance(h);
    remaining -= h;
  }

  auto now = texts();
  std::vector<Update> out;
  for (std::size_t i = 0; i < kKeyCount; ++i) {
    if (i == kMessage) {
      if (m_messagePending) out.push_back({"message", now[i], UpdateKind::kMessage});
    } else if (now[i] != m_reported[i]) {
      const auto kind = i == kSystem ? UpdateKind::kCondition : UpdateKind::kValue;
      out.push_back({std::string(kKeys[i]), now[i], kind});
    }
  }
  m_messagePending = false;
  m_reported = std::move(now);
  return out;
}

std::vector<Update> MachineModel::snapshot() const {
  auto now = texts();
  std::vector<Update> out;
  out.reserve(kKeyCount);
  for (std::size_t i = 0; i < kKeyCount; ++i) {
    auto kind = UpdateKind::kValue;
    if (i == kSystem) kind = UpdateKind::kCondition;
    if (i == kMessage) kind = UpdateKind::kMessage;
    out.push_back({std::string(kKeys[i]), std::move(now[i]), kind});
  }
  return out;
}

bool MachineModel::takeDisconnectRequest() { return std::exchange(m_dropRequested, false); }

void MachineModel::advance(double seconds) {
  updateEstop(seconds);
  updateAlarm(seconds);
  updateOverrides(seconds);
  updatePhase(seconds);
  updateSpindle(seconds);
  updateFlaky(seconds);
}

void MachineModel::updateOverrides(double seconds) {
  m_nextOverride -= seconds;
  if (m_nextOverride > 0) return;
  m_nextOverride = m_rng.uniform(15, 45);
  m_fovr = pick(m_rng, kFeedOverrides);
  m_sovr = pick(m_rng, kSpindleOverrides);
}

void MachineModel::updateEstop(double seconds) {
  if (m_phase == Phase::kEstop || m_phase == Phase::kEstopReset) return;
  m_nextEstop -= seconds;
  if (m_nextEstop > 0) return;
  m_nextEstop = m_rng.uniform(240, 720);
  m_phase = Phase::kEstop;
  m_phaseLeft = m_rng.uniform(6, 15);
  m_estop = true;
  m_spindle = 0;  // an emergency stop brakes the spindle at once, no ramp
  m_spindleTarget = 0;
  m_load = 0;
  m_fact = 0;
  postMessage("M900", "Emergency stop pressed");
}

void MachineModel::updateAlarm(double seconds) {
  if (m_alarm >= 0) {
    m_alarmLeft -= seconds;
    if (m_alarmLeft > 0) return;
    m_alarm = -1;
    m_nextAlarm = m_rng.uniform(45, 150);
    if (m_phase == Phase::kInterrupted) m_phase = Phase::kActive;
    return;
  }
  m_nextAlarm -= seconds;
  if (m_nextAlarm > 0) return;
  m_alarm = m_rng.between(0, static_cast<int>(kAlarms.size()) - 1);
  m_alarmLeft = m_rng.uniform(5, 20);
  if (faultActive() && (m_phase == Phase::kActive || m_phase == Phase::kFeedHold)) {
    m_phase = Phase::kInterrupted;
  }
  if (m_alarm == kToolLifeAlarm) postMessage("M100", "Tool change required");
}

void MachineModel::updatePhase(double seconds) {
  switch (m_phase) {
    case Phase::kIdle:
      m_fact = 0;
      m_spindleTarget = 0;
      if (!faultActive()) m_phaseLeft -= seconds;  // a FAULT blocks cycle start
      if (m_phaseLeft <= 0) startCycle();
      break;
    case Phase::kActive:
      updateBlock(seconds);
      break;
    case Phase::kFeedHold:  // axes stop, the spindle keeps turning
      m_fact = 0;
      m_phaseLeft -= seconds;
      if (m_phaseLeft <= 0) m_phase = Phase::kActive;
      break;
    case Phase::kInterrupted:  // left when the FAULT clears, see updateAlarm()
      m_fact = 0;
      m_spindleTarget = 0;
      break;
    case Phase::kCompleted:
      m_phaseLeft -= seconds;
      if (m_phaseLeft <= 0) enterIdle();
      break;
    case Phase::kEstop:
      m_phaseLeft -= seconds;
      if (m_phaseLeft <= 0) {
        m_estop = false;
        m_phase = Phase::kEstopReset;
        m_phaseLeft = m_rng.uniform(1, 3);
      }
      break;
    case Phase::kEstopReset:
      m_phaseLeft -= seconds;
      if (m_phaseLeft <= 0) enterIdle();
      break;
  }
}

void MachineModel::updateBlock(double seconds) {
  if (m_block == BlockKind::kToolChange) {
    m_fact = 0;
    m_spindleTarget = 0;
    m_blockElapsed += seconds;
    if (m_blockElapsed >= kToolSwapAt && m_tool != m_nextTool) {
      m_tool = m_nextTool;
      if (m_rng.chance(0.3)) postMessage("M101", fmt::format("Tool T{} life 90% used", m_tool));
    }
    if (m_blockElapsed >= kToolChangeSeconds) beginBlock(m_line + 1);
    return;
  }
  m_spindleTarget = toolSpeed(m_tool);
  m_fact = m_feed * m_fovr / 100.0;
  m_blockElapsed += seconds * m_fovr / 100.0;
  const double fraction = std::min(1.0, m_blockElapsed / m_blockLength);
  for (std::size_t axis = 0; axis < 3; ++axis) {
    m_pos[axis] = m_from[axis] + (m_to[axis] - m_from[axis]) * fraction;
  }
  if (fraction >= 1.0) beginBlock(m_line + 1);
}

void MachineModel::updateSpindle(double seconds) {
  const bool stopped = m_phase == Phase::kEstop || m_phase == Phase::kEstopReset;
  const double target = stopped ? 0.0 : m_spindleTarget * m_sovr / 100.0;
  if (m_spindle < target) {
    m_spindle = std::min(target, m_spindle + kSpindleAccel * seconds);
  } else {
    m_spindle = std::max(target, m_spindle - kSpindleDecel * seconds);
  }
  if (m_spindle < 1.0) {
    m_load = 0;
    m_speedNoise = 0;
    return;
  }
  const bool cutting = m_phase == Phase::kActive && m_block == BlockKind::kCut;
  double base = cutting ? 20.0 + 0.025 * m_fact : 5.0;
  if (m_spindle != target) base += 10.0;  // accelerating or braking costs torque
  const double wanted = base + 4.0 * m_rng.noise();
  m_load = std::clamp(m_load + (wanted - m_load) * std::min(1.0, seconds * 5.0), 0.0, 150.0);
  m_speedNoise = 0.002 * m_rng.noise();
}

void MachineModel::updateFlaky(double seconds) {
  if (!m_profile.flaky) return;
  m_nextDrop -= seconds;
  if (m_nextDrop > 0) return;
  m_dropRequested = true;
  m_nextDrop = m_rng.uniform(30, 90);
}

void MachineModel::enterIdle() {
  m_phase = Phase::kIdle;
  m_phaseLeft = m_rng.uniform(4, 10);
  m_spindleTarget = 0;
  m_fact = 0;
  const double pick = m_rng.unit();  // between cycles the operator sometimes takes over
  m_mode = pick < 0.2 ? "MANUAL" : pick < 0.3 ? "MANUAL_DATA_INPUT" : "AUTOMATIC";
}

void MachineModel::startCycle() {
  m_program = m_rng.between(0, static_cast<int>(kPrograms.size()) - 1);
  m_mode = "AUTOMATIC";
  m_phase = Phase::kActive;
  m_toolStep = 0;
  m_feedHoldLine = -1;
  if (m_rng.chance(0.35)) m_feedHoldLine = m_rng.between(3, kPrograms[m_program].blocks - 2);
  beginBlock(1);
}

void MachineModel::finishCycle() {
  m_phase = Phase::kCompleted;
  m_phaseLeft = m_rng.uniform(2, 4);
  m_partCount += 1;
  m_spindleTarget = 0;
  m_fact = 0;
  if (m_rng.chance(0.15)) postMessage("M200", "Measure part before next cycle");
}

void MachineModel::beginBlock(int line) {
  const Program& program = kPrograms[m_program];
  if (line > program.blocks) {
    finishCycle();
    return;
  }
  m_line = line;
  m_blockElapsed = 0;
  // Tool k of the program is loaded at the first block of the k-th part of the program.
  if (m_toolStep < program.toolCount &&
      line >= 1 + m_toolStep * program.blocks / program.toolCount) {
    m_nextTool = program.tools[m_toolStep];
    m_toolStep += 1;
    if (m_nextTool != m_tool) {
      m_block = BlockKind::kToolChange;
      m_fact = 0;
      return;
    }
  }
  planMotion(m_rng.chance(0.25) ? BlockKind::kRapid : BlockKind::kCut);
  if (line == m_feedHoldLine) {
    m_phase = Phase::kFeedHold;
    m_phaseLeft = m_rng.uniform(2, 6);
  }
}

void MachineModel::planMotion(BlockKind kind) {
  const bool rapid = kind == BlockKind::kRapid;
  m_block = kind;
  m_feed = rapid ? m_rng.uniform(6000, 9000) : m_rng.uniform(300, 1500);
  const double seconds = rapid ? m_rng.uniform(0.3, 0.8) : m_rng.uniform(0.6, 1.6);
  double dx = 0;
  double dy = 0;
  double norm = 0;
  while (norm < 0.1 || norm > 1.0) {  // a uniform direction in the XY plane, by rejection
    dx = m_rng.uniform(-1, 1);
    dy = m_rng.uniform(-1, 1);
    norm = std::sqrt(dx * dx + dy * dy);
  }
  const double dz = rapid ? m_rng.uniform(-10, 10) : m_rng.uniform(-3, 3);
  const double length = m_feed / 60.0 * seconds;
  const std::array<double, 3> delta = {dx / norm * length, dy / norm * length, dz};

  auto target = [&](double sign) {
    std::array<double, 3> to{};
    for (std::size_t axis = 0; axis < 3; ++axis) {
      to[axis] = std::clamp(m_pos[axis] + sign * delta[axis], kMin[axis], kMax[axis]);
    }
    return to;
  };
  auto distance = [&](const std::array<double, 3>& to) {
    const double x = to[0] - m_pos[0];
    const double y = to[1] - m_pos[1];
    const double z = to[2] - m_pos[2];
    return std::sqrt(x * x + y * y + z * z);
  };
  m_from = m_pos;
  m_to = target(1.0);
  if (distance(m_to) < 0.5 * length) m_to = target(-1.0);  // hit a limit: go the other way
  m_blockLength = std::max(0.2, distance(m_to) / (m_feed / 60.0));
}

void MachineModel::postMessage(std::string_view code, std::string text) {
  m_message = fmt::format("{}|{}", code, text);
  m_messagePending = true;
}

double MachineModel::toolSpeed(int tool) const {
  // Each tool has its own cutting speed, 2000-9950 rpm in 50 rpm steps.
  return 2000.0 + static_cast<double>((tool * 1531) % 160) * 50.0;
}

bool MachineModel::faultActive() const { return m_alarm >= 0 && kAlarms[m_alarm].level == "FAULT"; }

std::string_view MachineModel::executionText() const {
  switch (m_phase) {
    case Phase::kIdle:
      return "READY";
    case Phase::kActive:
      return "ACTIVE";
    case Phase::kFeedHold:
      return "FEED_HOLD";
    case Phase::kInterrupted:
      return "INTERRUPTED";
    case Phase::kCompleted:
      return "PROGRAM_COMPLETED";
    case Phase::kEstop:
    case Phase::kEstopReset:
      return "STOPPED";
  }
  return "READY";
}

std::array<std::string, MachineModel::kKeyCount> MachineModel::texts() const {
  std::string condition = "NORMAL||||";
  if (m_alarm >= 0) {
    const Alarm& a = kAlarms[static_cast<std::size_t>(m_alarm)];
    condition = fmt::format("{}|{}|{}|{}|{}", a.level, a.code, a.severity, a.qualifier, a.text);
  }
  return {// in kKeys order
          "AVAILABLE",
          std::string(m_mode),
          std::string(executionText()),
          std::string(kPrograms[static_cast<std::size_t>(m_program)].name),
          std::to_string(m_line),
          std::to_string(m_partCount),
          fixed(m_spindle * (1.0 + m_speedNoise), 1),
          fixed(m_load, 1),
          std::to_string(m_sovr),
          fixed(m_fact, 1),
          std::to_string(m_fovr),
          std::to_string(m_tool),
          m_estop ? "TRIGGERED" : "ARMED",
          fixed(m_pos[0], 3),
          fixed(m_pos[1], 3),
          fixed(m_pos[2], 3),
          std::move(condition),
          m_message};
}

}  // namespace spindle::sim
