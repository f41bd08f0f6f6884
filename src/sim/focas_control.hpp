#pragma once
/// FocasControl: a simulated FANUC control as a pure state machine. Each path follows its own
/// shared MachineModel (mode, execution, program, line, parts, feed, spindle, positions,
/// alarms) and answers FOCAS calls with the reply a control of the configured series gives:
/// the 0i, 16i and 30i differ in the reply version, the parameter layout, and which calls
/// they refuse with EW_FUNC or EW_NOOPT (docs/collectors/focas.md, "Simulator"). No I/O, no
/// clocks: time arrives as the step size.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/focas/focas_codec.hpp"
#include "collectors/focas/focas_commands.hpp"
#include "sim/machine_model.hpp"

namespace spindle::sim {

enum class FocasSeries { k0i, k16i, k30i };

/// "0i", "16i", "30i"; parseFocasSeries accepts the same.
std::string_view focasSeriesName(FocasSeries series);
Result<FocasSeries> parseFocasSeries(std::string_view text);

class FocasControl {
 public:
  /// `paths` 1..4; path p runs the model of machine index `profile.index * 4 + p - 1`.
  FocasControl(MachineProfile profile, FocasSeries series, int paths);

  void step(std::chrono::milliseconds dt);

  /// The answer to one call (any path, any class). Never throws; unknown calls: EW_FUNC.
  collectors::focas::Reply answer(const collectors::focas::Call& call);

  std::uint16_t replyVersion() const;
  FocasSeries series() const { return m_series; }
  int paths() const { return static_cast<int>(m_paths.size()); }

  /// Test knobs: an operator alarm with text on `path` (shown until cleared), and macro writes
  /// refused with EW_PROT.
  void raiseAlarm(int path, std::int32_t number, std::string text);
  void clearAlarms(int path);
  void setWriteProtected(bool on) { m_writeProtected = on; }
  /// Macro variable `n` (vacant: NaN).
  double macro(std::int32_t n) const;

 private:
  struct Path {
    MachineModel model;
    std::map<std::string, std::string, std::less<>> values;
    std::vector<collectors::focas::AlarmMessage> injected;
    double operatingSeconds = 0;
    double cuttingSeconds = 0;
    double cycleSeconds = 0;
    int lastParts = 0;
  };

  collectors::focas::Bytes payload(Path& path, const collectors::focas::Call& call,
                                   std::int16_t& error);
  /// EW_FUNC / EW_NOOPT for calls this series refuses; EW_OK otherwise.
  std::int16_t refusal(const collectors::focas::Call& call) const;
  const std::string& value(const Path& path, std::string_view key) const;
  double number(const Path& path, std::string_view key) const;
  collectors::focas::StatInfo statInfo(const Path& path) const;
  std::vector<collectors::focas::AlarmMessage> alarms(const Path& path) const;
  collectors::focas::Bytes params(const Path& path, const collectors::focas::Call& call,
                                  bool diagnosis, std::int16_t& error) const;
  collectors::focas::Bytes pmc(const Path& path, const collectors::focas::Call& call,
                               std::int16_t& error) const;
  std::size_t slots() const;

  FocasSeries m_series;
  std::vector<Path> m_paths;
  std::map<std::int32_t, double> m_macros;
  bool m_writeProtected = false;
  double m_seconds = 0;  ///< since power on
};

}  // namespace spindle::sim
