#pragma once
/// The FOCAS commands this client speaks natively: their codes, how to build each call, and a
/// typed decoder (client) and encoder (simulator) for each reply payload. Pure, like the codec.
/// Layouts: docs/collectors/focas.md (all big-endian; decoders reject payloads of the wrong
/// size with a message naming the command).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "collectors/focas/focas_codec.hpp"

namespace spindle::collectors::focas {

namespace cmd {
constexpr std::uint16_t kParam16i = 0x000E;
constexpr std::uint16_t kMacroRead = 0x0015;
constexpr std::uint16_t kMacroWrite = 0x0016;
constexpr std::uint16_t kSysInfo = 0x0018;
constexpr std::uint16_t kStatInfo = 0x0019;
constexpr std::uint16_t kAlarmBits = 0x001A;
constexpr std::uint16_t kFigure = 0x001B;  ///< number format (a1 kind: 0 axes)
constexpr std::uint16_t kProgramNumber = 0x001C;
constexpr std::uint16_t kSequence = 0x001D;
constexpr std::uint16_t kExecBlock = 0x0020;
constexpr std::uint16_t kAlarmMessages = 0x0023;
constexpr std::uint16_t kFeed = 0x0024;
constexpr std::uint16_t kSpindleSpeed = 0x0025;
constexpr std::uint16_t kPosition = 0x0026;
constexpr std::uint16_t kDiag16i = 0x0030;
constexpr std::uint16_t kDateTime = 0x0045;
constexpr std::uint16_t kServoLoad = 0x0056;
constexpr std::uint16_t kAxisNames = 0x0089;
constexpr std::uint16_t kSpindleNames = 0x008A;
constexpr std::uint16_t kParam30i = 0x008D;
constexpr std::uint16_t kDiag30i = 0x0093;
constexpr std::uint16_t kParamInfo = 0x00A0;
constexpr std::uint16_t kAxisCount = 0x00A4;
constexpr std::uint16_t kProgramPath30i = 0x00B9;
constexpr std::uint16_t kProgramName = 0x00CF;
constexpr std::uint16_t kTimer = 0x0120;
constexpr std::uint16_t kPmcRange = 0x8001;  ///< class 2
}  // namespace cmd

/// "statinfo", "pmc range"; "command 0x0040" for codes this client does not decode.
std::string commandName(std::uint16_t cls, std::uint16_t command);

/// Position kinds (argument a1 of 0x26) as this client uses them (see docs: the mapping is
/// the one seen on 16i/160i and 30i dumps).
namespace position {
constexpr std::int32_t kMachine = 1;
constexpr std::int32_t kAbsolute = 4;
constexpr std::int32_t kRelative = 6;
constexpr std::int32_t kDistanceToGo = 7;
}  // namespace position

/// Timer kinds (a1 of 0x120).
namespace timer {
constexpr std::int32_t kPowerOn = 0;
constexpr std::int32_t kOperating = 1;
constexpr std::int32_t kCutting = 2;
constexpr std::int32_t kCycle = 3;
}  // namespace timer

/// PMC areas (a3 of 0x8001) and data types (a4).
enum class PmcArea : std::int32_t {
  G = 0,
  F = 1,
  Y = 2,
  X = 3,
  A = 4,
  R = 5,
  T = 6,
  K = 7,
  C = 8,
  D = 9
};
enum class PmcType : std::int32_t { kByte = 0, kWord = 1, kLong = 2 };
int pmcWidth(PmcType type);

/// Which parameter/diagnosis record layout: 16i (4-byte slots, 8 of them) or 30i (8-byte
/// numbers, 32 of them).
enum class Layout { k16i, k30i };
std::size_t slotCount(Layout layout);

Call call(std::uint16_t command, std::uint16_t path = 1, std::int32_t a1 = 0, std::int32_t a2 = 0,
          std::int32_t a3 = 0, std::int32_t a4 = 0);
/// Parameters/diagnoses `first`..`last` of `axis` (-1 all, 0 none, n axis n).
Call paramCall(Layout layout, bool diagnosis, std::uint16_t path, std::int32_t first,
               std::int32_t last, std::int32_t axis = -1);
/// PMC bytes `first`..`first + count*width - 1` of `area` read as `type`.
Call pmcCall(std::uint16_t path, PmcArea area, PmcType type, std::int32_t first, int count);
/// Alarm messages: all types, at most `max` of them, text of `textLength` (32 or 64) bytes.
Call alarmMessagesCall(std::uint16_t path, int max, int textLength = 64);
/// Writes macro variable `number` (8-byte number payload).
Call macroWriteCall(std::uint16_t path, std::int32_t number, const Number& value);

struct SysInfo {
  std::int16_t addinfo = 0;
  std::int16_t maxAxis = 0;
  std::string cncType;  ///< " 0", "16", "30" (2 chars, space-padded)
  std::string mtType;   ///< " M", " T"
  std::string series;   ///< 4 chars
  std::string version;  ///< 4 chars
  std::string axes;     ///< 2 chars: the number of controlled axes as text
  friend bool operator==(const SysInfo&, const SysInfo&) = default;
};

struct StatInfo {
  std::int16_t aut = 0, run = 0, motion = 0, mstb = 0, emergency = 0, alarm = 0, edit = 0;
  friend bool operator==(const StatInfo&, const StatInfo&) = default;
};

struct AlarmMessage {
  std::int32_t number = 0;
  std::int32_t type = 0;
  std::int32_t axis = 0;
  std::string text;
  friend bool operator==(const AlarmMessage&, const AlarmMessage&) = default;
};

struct ProgramNumbers {
  std::int32_t running = 0;
  std::int32_t main = 0;
};

struct ProgramName {
  std::int32_t number = 0;
  std::string name;
};

struct ExecBlock {
  std::int32_t block = 0;
  std::string text;
};

/// One parameter or diagnosis record. `values` holds one value for a single or one-axis
/// record (axis >= 0) and every slot for an all-axes record (axis -1). On the 16i layout each
/// 4-byte slot becomes a Number with exponent 0.
struct ParamRecord {
  std::int32_t number = 0;
  std::int16_t axis = 0;
  std::uint16_t type = 0;  ///< 0 bit, 1 byte, 2 word, 3 long, 4 real
  std::vector<Number> values;
};

/// Parameter information (0xA0, 30i): the neighbours of `number` in the parameter table and
/// the raw attribute words (their meaning is not public).
struct ParamInfo {
  std::int32_t previous = 0;
  std::int32_t next = 0;
  std::int32_t number = 0;
  std::uint16_t attributes[8] = {};
};

struct Timer {
  std::int32_t minutes = 0;
  std::int32_t msec = 0;
  double seconds() const { return minutes * 60.0 + msec / 1000.0; }
};

struct DateTime {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

/// The number format of one axis (0x1B kind 0, cnc_getfigure): decimal places as programmed
/// (input) and as shown and read (output); 3 on metric IS-B, 4 on IS-C and inch.
struct Figure {
  std::int16_t input = 0;
  std::int16_t output = 0;
  friend bool operator==(const Figure&, const Figure&) = default;
};

Result<SysInfo> decodeSysInfo(std::span<const std::uint8_t> payload);
Result<StatInfo> decodeStatInfo(std::span<const std::uint8_t> payload);
Result<std::uint32_t> decodeAlarmBits(std::span<const std::uint8_t> payload);
/// Entries of 16 + `textLength` bytes; text cut to its msg_len (at most textLength).
Result<std::vector<AlarmMessage>> decodeAlarmMessages(std::span<const std::uint8_t> payload,
                                                      int textLength);
Result<ProgramNumbers> decodeProgramNumbers(std::span<const std::uint8_t> payload);
Result<ProgramName> decodeProgramName(std::span<const std::uint8_t> payload);
/// NUL-terminated (or payload-long) text: the 30i main program path.
Result<std::string> decodeText(std::span<const std::uint8_t> payload);
Result<std::int32_t> decodeInt32(std::span<const std::uint8_t> payload);
Result<std::int16_t> decodeInt16(std::span<const std::uint8_t> payload);
Result<ExecBlock> decodeExecBlock(std::span<const std::uint8_t> payload);
/// A run of 8-byte numbers (feed, speed, positions, servo load, macros).
Result<std::vector<Number>> decodeNumbers(std::span<const std::uint8_t> payload);
/// 4 bytes per axis or spindle: name and suffix characters.
Result<std::vector<std::string>> decodeNames(std::span<const std::uint8_t> payload);
Result<std::vector<ParamRecord>> decodeParams(std::span<const std::uint8_t> payload, Layout layout);
/// PMC data of `type`: bytes unsigned, words and longs signed.
Result<std::vector<std::int32_t>> decodePmc(std::span<const std::uint8_t> payload, PmcType type);
Result<ParamInfo> decodeParamInfo(std::span<const std::uint8_t> payload);
Result<Timer> decodeTimer(std::span<const std::uint8_t> payload);
/// Six int16 (year month day hour minute second), big-endian; falls back to little-endian
/// when the big-endian date is impossible and the other reading is not (seen in one dump).
Result<DateTime> decodeDateTime(std::span<const std::uint8_t> payload);
/// int32 count, then count pairs of int16 (input, output decimals), each 0..9.
Result<std::vector<Figure>> decodeFigures(std::span<const std::uint8_t> payload);

Bytes encodeSysInfo(const SysInfo& s);
Bytes encodeStatInfo(const StatInfo& s);
Bytes encodeAlarmMessages(std::span<const AlarmMessage> alarms, int textLength);
Bytes encodeProgramNumbers(const ProgramNumbers& p);
Bytes encodeProgramName(const ProgramName& p);
Bytes encodeText(const std::string& text);
Bytes encodeInt32(std::int32_t v);
Bytes encodeInt16(std::int16_t v);
Bytes encodeExecBlock(const ExecBlock& e);
Bytes encodeNumbers(std::span<const Number> numbers);
Bytes encodeNames(std::span<const std::string> names);
Bytes encodeParams(std::span<const ParamRecord> records, Layout layout);
Bytes encodePmc(std::span<const std::int32_t> values, PmcType type);
Bytes encodeTimer(const Timer& t);
Bytes encodeDateTime(const DateTime& d);
Bytes encodeFigures(std::span<const Figure> figures);

}  // namespace spindle::collectors::focas
