#include "sim/haas_control.hpp"

#include <cmath>

#include <fmt/format.h>

namespace spindle::sim {
namespace {

std::string upper(std::string_view text) {
  std::string out;
  for (char c : text) out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string haasHours(double seconds) {
  const auto total = static_cast<std::int64_t>(seconds);
  return fmt::format("{:05}:{:02}:{:02}", total / 3600, (total / 60) % 60, total % 60);
}

HaasControl::HaasControl(MachineProfile profile) : m_model(std::move(profile)) {
  for (auto& u : m_model.snapshot()) m_values[u.key] = std::move(u.text);
}

void HaasControl::step(std::chrono::milliseconds dt) {
  const std::string oldTool = m_values["tool"];
  const std::string oldParts = m_values["partcount"];
  for (auto& u : m_model.step(dt)) m_values[u.key] = std::move(u.text);
  // Kept in milliseconds, whole at a time scale of 1, so the meters never drift below a second.
  const double ms = static_cast<double>(dt.count()) * m_model.profile().timeScale;
  m_elapsedMs += ms;
  m_seconds = m_elapsedMs / 1000.0;
  const double seconds = ms / 1000.0;
  const bool active = m_values["execution"] == "ACTIVE";
  if (active) m_motionSeconds += seconds;
  if (active && m_cycleStart < 0) m_cycleStart = m_seconds - seconds;
  if (m_values["tool"] != oldTool) ++m_toolChanges;
  if (m_values["partcount"] != oldParts && m_cycleStart >= 0) {
    m_previousCycle = m_lastCycle;
    m_lastCycle = m_seconds - m_cycleStart;
    m_cycleStart = -1;
  }
}

const std::string& HaasControl::value(std::string_view key) const {
  static const std::string kNone;
  const auto it = m_values.find(key);
  return it == m_values.end() ? kNone : it->second;
}

double HaasControl::variable(std::int64_t n) const {
  auto number = [this](std::string_view key) {
    const std::string& text = value(key);
    return text.empty() ? 0.0 : std::strtod(text.c_str(), nullptr);
  };
  switch (n) {
    case 3027:
      return number("Sspeed");
    case 1098:
      return number("Sload");
    case 3026:
      return number("tool");
    case 5021:
    case 5041:
      return number("Xact");
    case 5022:
    case 5042:
      return number("Yact");
    case 5023:
    case 5043:
      return number("Zact");
    case 3020:
      return std::floor(m_seconds);
    default:
      return 0.0;
  }
}

std::string HaasControl::answer(std::string_view command, bool ngc) const {
  std::string line = upper(trim(command));
  if (!line.empty() && line.front() == '?') line.erase(0, 1);
  if (line.size() < 2 || line.front() != 'Q') return "UNKNOWN COMMAND";
  const std::string_view rest = trim(std::string_view(line).substr(1));
  const auto space = rest.find(' ');
  const std::string code(rest.substr(0, space));
  const std::string& mode = value("mode");
  const std::string& execution = value("execution");
  if (code == "100") return ngc ? "SERIAL NUMBER, 1234567" : "S/N, 12345678";
  if (code == "101") return "SOFTWARE VERSION, 100.20.000.1010";
  if (code == "102") return "MODEL, VF-2";
  if (code == "104") {
    return mode == "MANUAL"              ? "MODE, (JOG)"
           : mode == "MANUAL_DATA_INPUT" ? "MODE, (MDI)"
                                         : "MODE, (MEM)";
  }
  if (code == "200") return fmt::format("TOOL CHANGES, {}", m_toolChanges);
  if (code == "201") return "USING TOOL, " + value("tool");
  if (code == "300") return "P.O. TIME, " + haasHours(m_seconds);
  if (code == "301") return "C.S. TIME, " + haasHours(m_motionSeconds);
  if (code == "303") return "LAST CYCLE, " + haasHours(m_lastCycle);
  if (code == "304") return "PREV CYCLE, " + haasHours(m_previousCycle);
  if (code == "402") return "M30 #1, " + value("partcount");
  if (code == "403") return "M30 #2, " + value("partcount");
  if (code == "500") {
    if (execution == "ACTIVE") return "STATUS, BUSY";
    const char* status = value("system").rfind("FAULT", 0) == 0 ? "ALARM ON"
                         : execution == "FEED_HOLD"             ? "FEED HOLD"
                                                                : "IDLE";
    std::string_view program = value("program");
    if (const auto dot = program.find('.'); dot != std::string_view::npos) {
      program = program.substr(0, dot);
    }
    return fmt::format("PROGRAM, {}, {}, PARTS, {}", program, status, value("partcount"));
  }
  if (code == "600" && space != std::string_view::npos) {
    const std::string number(trim(rest.substr(space + 1)));
    char* end = nullptr;
    const long long n = std::strtoll(number.c_str(), &end, 10);
    if (number.empty() || *end != '\0' || n < 1 || n > 99999) return "INVALID VARIABLE";
    if (ngc) return fmt::format("MACRO, {:.6f}", variable(n));
    return fmt::format("MACRO, {}, {:.6f}", n, variable(n));
  }
  return "UNKNOWN COMMAND";
}

}  // namespace spindle::sim
