#pragma once
/// MitsubishiControl: a simulated Mitsubishi M700/M800-series NC as a pure state machine. Each
/// part system follows its own shared MachineModel and answers the EZSocket requests
/// (mochaGetData for the documented sections, the current alarms, the executing block) with
/// the replies an NC gives: a user exception "section number illegal" (0x80040191) for a
/// section it does not know, "sub-section number illegal" (0x80040192) for an unknown
/// sub-section, axis or part system, and a CORBA BAD_OPERATION system exception for an
/// operation it does not serve (docs/collectors/mitsubishi.md, "Simulator"). The system type
/// sets the machine type, the axis names and the version text. No I/O, no clocks: time
/// arrives as the step size.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/mitsubishi/mitsubishi_codec.hpp"
#include "collectors/mitsubishi/mitsubishi_reads.hpp"
#include "sim/machine_model.hpp"

namespace spindle::sim {

class MitsubishiControl {
 public:
  /// `partSystems` 1..4; part system p runs the model of machine `profile.index * 4 + p - 1`.
  MitsubishiControl(MachineProfile profile, collectors::mitsubishi::SystemType type,
                    int partSystems);

  void step(std::chrono::milliseconds dt);

  /// The reply to one request, in the given byte order (its id echoed). Never throws.
  collectors::mitsubishi::Reply answer(const collectors::mitsubishi::Request& request,
                                       bool littleEndian);

  collectors::mitsubishi::SystemType type() const { return m_type; }
  int partSystems() const { return static_cast<int>(m_systems.size()); }
  const std::vector<std::string>& axes() const { return m_axes; }

  /// Test knobs: an alarm with text on part system `system` (shown until cleared).
  void raiseAlarm(int system, std::int32_t number, std::string text);
  void clearAlarms(int system);

 private:
  struct PartSystem {
    MachineModel model;
    std::map<std::string, std::string, std::less<>> values;
    std::vector<collectors::mitsubishi::AlarmRecord> injected;
  };
  using Value = collectors::mitsubishi::Value;

  /// The value at `address`, with its type and decimals; the error code when there is none.
  struct Answer {
    std::uint32_t type = 0;
    Value value;
    int decimals = 3;
    std::uint32_t error = 0;  ///< an EZSocket error code (user exception) when not 0
  };
  Answer data(const collectors::mitsubishi::DataAddress& address) const;
  Answer systemData(const PartSystem& p, const collectors::mitsubishi::DataAddress& a) const;
  Answer plc(const collectors::mitsubishi::DataAddress& a) const;
  std::vector<collectors::mitsubishi::AlarmRecord> alarms(const PartSystem& p) const;
  const std::string& value(const PartSystem& p, std::string_view key) const;
  double number(const PartSystem& p, std::string_view key) const;
  double axisValue(const PartSystem& p, std::size_t axis) const;

  collectors::mitsubishi::SystemType m_type;
  std::vector<PartSystem> m_systems;
  std::vector<std::string> m_axes;
  double m_seconds = 0;  ///< since power on
  double m_automaticSeconds = 0;
  double m_cuttingSeconds = 0;
  double m_cycleSeconds = 0;
  int m_lastParts = 0;
};

}  // namespace spindle::sim
