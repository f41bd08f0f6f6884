#pragma once
/// What the focas collector asks and what the answers mean, as keys and values. Pure: the
/// collector sends the calls and emits the readings.
///
/// Keys of path 1 are plain (`run`, `feed`, `X_abs`); keys of path n > 1 start with `p<n>_`.
/// A script asks for more with keys (docs/collectors/focas.md): `param_<n>`, `param_<n>_<axis>`,
/// `diag_<n>`, `diag_<n>_<axis>`, `macro_<n>`, `pmc_<area><address>_<byte|word|long>`.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "collectors/focas/focas_codec.hpp"
#include "collectors/focas/focas_commands.hpp"
#include "model/observation.hpp"

namespace spindle::collectors::focas {

/// The key prefix of `path`: "" for 1, "p2_" for 2.
std::string pathPrefix(std::uint16_t path);

struct Reading {
  std::string key;
  model::Value value;
  model::Kind kind = model::Kind::kEvent;
};

/// One item the script asks for.
struct ScriptRead {
  enum class What { kParam, kDiag, kMacro, kPmc };
  std::string key;
  std::uint16_t path = 1;
  What what = What::kParam;
  std::int32_t number = 0;  ///< parameter, diagnosis, macro number; PMC byte address
  std::int32_t axis = 0;    ///< parameters and diagnoses: 0 none, n axis n
  PmcArea area = PmcArea::D;
  PmcType type = PmcType::kByte;

  Call toCall(Layout layout) const;
};

/// The read a key names; nothing for keys that are not reads (`run`, `part_count`); an error
/// for a key that looks like a read but is malformed (`param_x`, `pmc_Q1_word`).
Result<std::optional<ScriptRead>> parseReadKey(std::string_view key);

/// The call that writes `value` to the macro variable `key` names (`macro_<n>`,
/// `p<n>_macro_<n>`): a number, or a boolean as 1/0, with the fewest decimals that hold it.
/// Error for any other key, a path not in `paths`, or a value that is no finite number.
Result<Call> macroWriteFor(std::string_view key, const model::Value& value,
                           const std::vector<std::uint16_t>& paths);

/// The value of a script read from its answer (EW_OK only).
Result<model::Value> scriptValue(const ScriptRead& read, const Reply& reply, Layout layout);

/// The fixed calls of one path: the fast group (status, program, sequence, feed, spindle
/// speed, absolute positions, servo loads, alarm bits) and the slow one (alarm messages with
/// text, machine positions, distance to go, executing block, program name and path, timers).
std::vector<Call> fastCalls(std::uint16_t path);
std::vector<Call> slowCalls(std::uint16_t path, int maxAlarms);

/// What one answer of a fixed call says (EW_OK only). Alarm messages are not readings: the
/// collector turns them into conditions (decodeAlarmMessages).
Result<std::vector<Reading>> readings(const Call& call, const Reply& reply,
                                      const std::vector<std::string>& axes);

/// The keys a fixed call reports (to make them UNAVAILABLE when it fails or is refused).
std::vector<std::string> keysOf(const Call& call, const std::vector<std::string>& axes);

/// "O1234" for program number 1234.
std::string programName(std::int32_t number);

}  // namespace spindle::collectors::focas
