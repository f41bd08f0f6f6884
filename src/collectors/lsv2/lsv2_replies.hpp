#pragma once
/// The typed payloads of LSV2 replies (S_VR, S_PR, S_RI, S_MB, S_DP), decoded and encoded
/// (the simulator answers with the encoders). Pure; every decoder checks every length and
/// returns an error value naming what does not fit. Layouts: docs/collectors/lsv2.md.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "collectors/lsv2/lsv2_codec.hpp"

namespace spindle::collectors::lsv2 {

/// R_RI info codes.
namespace info {
constexpr std::uint16_t kAxisLocation = 22;
constexpr std::uint16_t kExecutionMode = 23;
constexpr std::uint16_t kProgramStack = 24;
constexpr std::uint16_t kOverrides = 25;
constexpr std::uint16_t kProgramState = 26;
constexpr std::uint16_t kFirstError = 27;
constexpr std::uint16_t kNextError = 28;
constexpr std::uint16_t kCurrentTool = 51;
}  // namespace info

/// "axis location", "execution mode", ...; "run info 99" for others.
std::string runInfoName(std::uint16_t info);

// ---- S_VR: versions -----------------------------------------------------------------------

/// R_VR without a parameter: 3 strings (TNC 426/430: control, NC software, PLC), 4 (iTNC 530:
/// + option bits) or 5 (TNC 3x0/6x0/7: + SPLC before the option bits).
struct Versions {
  std::string control;
  std::string ncSoftware;
  std::string plc;
  std::string splc;
  std::string options;
  friend bool operator==(const Versions&, const Versions&) = default;
};
Result<Versions> decodeVersions(std::span<const std::uint8_t> payload);
Bytes encodeVersions(const Versions& v);
/// R_VR with a parameter: one string.
Result<std::string> decodeVersionText(std::span<const std::uint8_t> payload);

enum class ControlType {
  kUnknown,
  kItnc530,
  kTnc640,
  kTnc620,
  kTnc320,
  kTnc128,
  kTnc7,
  kCncPilot640,
  kManualPlus,
  kMillPlus,
  kTnc426,  ///< TNC 426/430: answers R_VR only without a parameter
};
/// From the first S_VR string, upper-cased without spaces ("iTNC530", "TNC 426/430M").
ControlType controlTypeOf(std::string_view control);
/// "iTNC 530", "TNC 640", "TNC 426/430", "unknown".
std::string controlTypeName(ControlType type);

/// What a control type is known to answer (docs/collectors/lsv2.md): the collector asks only
/// these, and still drops whatever a control refuses.
struct Capabilities {
  bool versionParameter = true;  ///< R_VR with a parameter
  bool ncErrors = false;         ///< R_RI 27/28
  bool currentTool = false;      ///< R_RI 51
  bool dataPaths = false;        ///< R_DP
};
Capabilities capabilitiesOf(ControlType type);

// ---- S_PR: system parameters --------------------------------------------------------------

struct Area {
  std::uint32_t start = 0;
  std::uint32_t count = 0;
  friend bool operator==(const Area&, const Area&) = default;
};

/// 120 bytes (124 on newer controls), all big-endian.
struct SystemParameters {
  Area markers, inputs, outputs, counters, timers, words, strings;
  std::uint8_t maxStringLength = 0;
  Area inputWords, outputWords;
  std::uint8_t lsv2Version = 0;
  std::uint8_t versionFlags = 0;
  std::uint16_t maxBlockLength = 0;
  std::uint32_t hardwareVersion = 0;
  std::uint32_t extendedFlags = 0;
  std::uint16_t maxTraceLine = 0;
  std::uint16_t scopeChannels = 0;
  std::uint32_t passwordKey = 0;
  std::size_t size = 120;  ///< 120 or 124
};
Result<SystemParameters> decodeSystemParameters(std::span<const std::uint8_t> payload);
Bytes encodeSystemParameters(const SystemParameters& p);

// ---- S_RI: run information ----------------------------------------------------------------

struct AxisPosition {
  std::string name;
  double position = 0;  ///< mm or degrees, as the control shows it
};
/// R_RI 22: byte 0 (unknown), byte 1 the axis count n, n positions as text, n names.
Result<std::vector<AxisPosition>> decodeAxisLocation(std::span<const std::uint8_t> payload);
Bytes encodeAxisLocation(const std::vector<AxisPosition>& axes, int decimals = 4);

/// R_RI 23: 0 manual, 1 MDI, 2 pass references, 3 single step, 4 automatic, 5 undefined.
Result<std::uint16_t> decodeExecutionMode(std::span<const std::uint8_t> payload);
std::string executionModeName(std::uint16_t mode);

/// R_RI 24: the line being executed, the selected main program and the current program.
struct ProgramStack {
  std::uint32_t line = 0;
  std::string mainProgram;
  std::string currentProgram;
};
Result<ProgramStack> decodeProgramStack(std::span<const std::uint8_t> payload);
Bytes encodeProgramStack(const ProgramStack& s);

/// R_RI 25: feed, spindle and rapid override in percent (sent in 1/100 %).
struct Overrides {
  double feed = 0, spindle = 0, rapid = 0;
};
Result<Overrides> decodeOverrides(std::span<const std::uint8_t> payload);
Bytes encodeOverrides(const Overrides& o);

/// R_RI 26: 0 started, 1 stopped, 2 finished, 3 cancelled, 4 interrupted, 5 error, 6 error
/// cleared, 7 idle, 8 undefined.
Result<std::uint16_t> decodeProgramState(std::span<const std::uint8_t> payload);
std::string programStateName(std::uint16_t state);

/// A u16 reply (23, 26).
Bytes encodeU16(std::uint16_t v);

/// R_RI 27/28: one NC error (iTNC 530); the end of the list is T_ER code 57.
struct NcError {
  std::uint16_t errorClass = 0;
  std::uint16_t group = 0;
  std::int32_t number = 0;
  std::string text;
  friend bool operator==(const NcError&, const NcError&) = default;
};
Result<NcError> decodeNcError(std::span<const std::uint8_t> payload);
Bytes encodeNcError(const NcError& e);

/// R_RI 51 (iTNC 530): the tool in the spindle; length and radius when sent (little-endian).
struct ToolInfo {
  std::uint32_t number = 0;
  std::uint16_t index = 0;
  std::uint16_t axis = 0;  ///< 0 X, 1 Y, 2 Z
  std::optional<double> length, radius;
};
Result<ToolInfo> decodeToolInfo(std::span<const std::uint8_t> payload);
Bytes encodeToolInfo(const ToolInfo& t);

// ---- S_MB: PLC memory; S_DP: data paths ---------------------------------------------------

/// A PLC operand: a marker (M), input (I), output (O), counter (C), timer (T): one byte each,
/// read as 0/1; a byte (B), word (W) or double word (D) at a byte address of the word area,
/// little-endian as the PLC holds it.
enum class Operand { kMarker, kInput, kOutput, kCounter, kTimer, kByte, kWord, kDouble };
std::size_t operandSize(Operand o);
/// The operand's R_MB byte address, from the areas of S_PR.
std::uint32_t operandAddress(const SystemParameters& p, Operand o, std::uint32_t number);
/// Values of `count` operands of type `o` in an S_MB payload (exactly count * size bytes).
Result<std::vector<std::int64_t>> decodeMemory(std::span<const std::uint8_t> payload, Operand o,
                                               std::size_t count);

using Scalar = std::variant<bool, std::int64_t, double, std::string>;
/// S_DP: u32 BE type (2 i16, 3 i32, 5 f64, 8 string, 11 bool, 16 i8, 17 u8) then the value,
/// numbers little-endian.
Result<Scalar> decodeDataPath(std::span<const std::uint8_t> payload);
Bytes encodeDataPath(const Scalar& value);

}  // namespace spindle::collectors::lsv2
