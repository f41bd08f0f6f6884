#pragma once
/// The Q-commands a Haas control answers, and what their replies mean: typed readings out of
/// a reply's text. Pure (no sockets, no clocks, no logging).
///
/// Replies are matched by their label (the first comma-separated field), never by their
/// position in the stream: an NGC control sends every reply to both of its clients, and a late
/// reply after a timeout must not be taken for the next command's.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/observation.hpp"

namespace spindle::collectors::haas {

/// How commands are written: classic controls take "Q100\r\n", NGC controls "?Q100\r\n".
enum class Framing : std::uint8_t { kClassic, kNgc };

/// One command to send. `code` is 100..600; `variable` is Q600's macro or system variable.
struct Query {
  int code = 0;
  std::int64_t variable = -1;
  std::string key;  ///< Q600: the key its value is reported under ("macro_5021")

  /// The bytes to send, line end included.
  std::string encode(Framing framing) const;
  /// "Q500", "Q600 5021".
  std::string name() const;
};

/// The Q-commands polled on every round (Q600 comes from the script), and those asked once per
/// connection (serial number, software version, model).
std::span<const int> pollCodes();
std::span<const int> identityCodes();
bool isKnownCode(int code);

/// The Q600 variable a script key asks for: "macro_5021" and "var_5021" both mean #5021
/// (1..99999); nullopt for other keys.
std::optional<std::int64_t> variableOfKey(std::string_view key);

struct Reading {
  std::string key;
  model::Value value;
  model::Kind kind = model::Kind::kEvent;
};

struct Decoded {
  enum class Match : std::uint8_t {
    kAnswer,     ///< the reply answers the query; `readings` hold its values
    kRefused,    ///< the control answered UNKNOWN / INVALID / '?': `detail` says so
    kNotOurs,    ///< another command's reply (another NGC client's, or a late one)
    kMalformed,  ///< the label matches but the fields do not: `detail` says why
  };
  Match match = Match::kNotOurs;
  std::string detail;
  std::vector<Reading> readings;
};

/// What the reply text (as the parser gives it: no STX/ETB, no '>' prefix) says in answer to
/// `query`. Spacing, padding and letter case of labels are tolerated.
Decoded decodeReply(const Query& query, std::string_view text);

/// "06282:17:13" (hours:minutes:seconds, any number of hour digits) in seconds.
std::optional<std::int64_t> parseHours(std::string_view text);

/// Keys of the readings (docs/collectors/haas.md lists them with their commands).
namespace keys {
inline constexpr std::string_view kSerial = "serial_number";
inline constexpr std::string_view kSoftware = "software_version";
inline constexpr std::string_view kModel = "model";
inline constexpr std::string_view kMode = "mode";
inline constexpr std::string_view kToolChanges = "tool_changes";
inline constexpr std::string_view kTool = "tool_number";
inline constexpr std::string_view kPowerOn = "power_on_time";
inline constexpr std::string_view kMotion = "motion_time";
inline constexpr std::string_view kLastCycle = "last_cycle_time";
inline constexpr std::string_view kPreviousCycle = "previous_cycle_time";
inline constexpr std::string_view kM30First = "m30_count_1";
inline constexpr std::string_view kM30Second = "m30_count_2";
inline constexpr std::string_view kProgram = "program";
inline constexpr std::string_view kStatus = "status";
inline constexpr std::string_view kParts = "parts";
}  // namespace keys

}  // namespace spindle::collectors::haas
