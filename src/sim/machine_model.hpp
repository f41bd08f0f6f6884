#pragma once
/// MachineModel: one simulated CNC machine as a pure state machine. No I/O, no clocks: time
/// arrives as the step size, randomness comes from a seeded Rng, so the same profile and the
/// same sequence of steps always produce the same updates.

#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/rng.hpp"

namespace spindle::sim {

struct MachineProfile {
  std::string name;
  std::uint64_t seed = 1;
  bool flaky = false;      ///< asks for its connections to be dropped every 30-90 s (simulated)
  double timeScale = 1.0;  ///< simulated seconds per step second; 2.0 runs everything twice as fast
  std::uint32_t index = 0;  ///< machine number, mixed into the seed so machines differ
};

/// How an update is written on the wire: values share a line, conditions and messages do not.
enum class UpdateKind { kValue, kCondition, kMessage };

/// One key's new value. `text` is everything after the key, already SHDR-formatted:
/// "1200.5", "FAULT|E1002|2|HIGH|Spindle overload", "M100|Tool change required".
struct Update {
  std::string key;
  std::string text;
  UpdateKind kind = UpdateKind::kValue;

  bool operator==(const Update&) const = default;
};

class MachineModel {
 public:
  /// Every key the model emits, in the order snapshot() reports them.
  static constexpr std::size_t kKeyCount = 18;
  static std::span<const std::string_view> keys();

  /// Starts idle (READY, spindle stopped, no alarm) at the home position.
  explicit MachineModel(MachineProfile profile);

  /// Advances simulated time by dt * profile.timeScale, internally in sub-steps of at most
  /// 100 ms, and returns the keys whose value changed (messages: every new message), in
  /// keys() order. Changes that revert within one step are not reported.
  std::vector<Update> step(std::chrono::milliseconds dt);

  /// Every key's current value, in keys() order. Before the first message the message key
  /// reads "|UNAVAILABLE" (no native code, text UNAVAILABLE).
  std::vector<Update> snapshot() const;

  /// True once each time the flaky machine wants its connections dropped; always false for a
  /// machine whose profile is not flaky.
  bool takeDisconnectRequest();

  const MachineProfile& profile() const { return m_profile; }

 private:
  enum class Phase { kIdle, kActive, kFeedHold, kInterrupted, kCompleted, kEstop, kEstopReset };
  enum class BlockKind { kCut, kRapid, kToolChange };

  void advance(double seconds);
  void updateOverrides(double seconds);
  void updateEstop(double seconds);
  void updateAlarm(double seconds);
  void updatePhase(double seconds);
  void updateBlock(double seconds);
  void updateSpindle(double seconds);
  void updateFlaky(double seconds);

  void enterIdle();
  void startCycle();
  void finishCycle();
  void beginBlock(int line);
  void planMotion(BlockKind kind);
  void postMessage(std::string_view code, std::string text);
  double toolSpeed(int tool) const;

  std::array<std::string, kKeyCount> texts() const;
  std::string_view executionText() const;
  bool faultActive() const;

  MachineProfile m_profile;
  Rng m_rng;

  Phase m_phase = Phase::kIdle;
  double m_phaseLeft = 0;  ///< seconds until the current timed phase ends
  std::string_view m_mode;
  int m_program = 0;  ///< index into the program table
  int m_line = 0;
  int m_partCount = 0;
  int m_tool = 1;
  int m_nextTool = 1;       ///< tool being loaded by a tool-change block
  int m_toolStep = 0;       ///< how many of the program's tools have been loaded this cycle
  int m_feedHoldLine = -1;  ///< block at which this cycle pauses, -1 for none
  bool m_estop = false;

  BlockKind m_block = BlockKind::kCut;
  double m_blockElapsed = 0;
  double m_blockLength = 1;  ///< seconds at 100 % feed override
  double m_feed = 0;         ///< programmed feed of the block, mm/min
  double m_fact = 0;         ///< reported path feed, mm/min
  std::array<double, 3> m_pos{0, 0, 0};
  std::array<double, 3> m_from{0, 0, 0};
  std::array<double, 3> m_to{0, 0, 0};

  double m_spindleTarget = 0;  ///< programmed rpm before override
  double m_spindle = 0;        ///< actual rpm
  double m_load = 0;           ///< percent
  double m_speedNoise = 0;     ///< relative jitter of the reported speed
  int m_sovr = 100;
  int m_fovr = 100;

  int m_alarm = -1;  ///< index into the alarm table, -1 when none is active
  double m_alarmLeft = 0;
  double m_nextAlarm = 0;
  double m_nextEstop = 0;
  double m_nextOverride = 0;
  double m_nextDrop = 0;
  bool m_dropRequested = false;

  std::string m_message = "|UNAVAILABLE";
  bool m_messagePending = false;
  std::array<std::string, kKeyCount> m_reported;
};

}  // namespace spindle::sim
