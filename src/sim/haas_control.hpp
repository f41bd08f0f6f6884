#pragma once
/// HaasControl: a simulated Haas control as a pure state machine. It follows the shared
/// MachineModel (mode, execution, program, parts, tool, spindle, positions, alarms) and answers
/// Q-commands with the reply text a Haas control gives. No I/O, no clocks: time arrives as the
/// step size, so the same seed and steps give the same answers.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "sim/machine_model.hpp"

namespace spindle::sim {

class HaasControl {
 public:
  explicit HaasControl(MachineProfile profile);

  /// Advances the model by `dt` and keeps the hour meters, tool changes and cycle times.
  void step(std::chrono::milliseconds dt);

  /// The reply text (no framing) to one command line: "Q500", "?Q600 3027", "q104". `ngc`:
  /// the NGC's Q600 reply without the variable number, and its SERIAL NUMBER label. Commands
  /// the control does not know are answered "UNKNOWN COMMAND".
  std::string answer(std::string_view command, bool ngc) const;

  /// The value of macro or system variable `n` as the control prints it.
  double variable(std::int64_t n) const;

  /// The model's current value of `key` (MachineModel::keys()).
  const std::string& value(std::string_view key) const;

 private:
  MachineModel m_model;
  std::map<std::string, std::string, std::less<>> m_values;
  double m_elapsedMs = 0;      ///< since power on
  double m_seconds = 0;        ///< since power on
  double m_motionSeconds = 0;  ///< while executing
  double m_cycleStart = -1;    ///< when the running cycle started, -1 when none
  double m_lastCycle = 0;
  double m_previousCycle = 0;
  std::int64_t m_toolChanges = 0;
};

/// "hhhhh:mm:ss" as Haas prints hour meters.
std::string haasHours(double seconds);

}  // namespace spindle::sim
