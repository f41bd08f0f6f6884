#pragma once
/// What the lsv2 collector reports for each R_RI reply: its keys and values (README.md lists
/// them). Pure: the collector emits them, tests check them without a connection.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "model/observation.hpp"

namespace spindle::collectors::lsv2 {

struct KeyedValue {
  std::string key;
  model::Value value;
  model::Kind kind = model::Kind::kEvent;
};

/// The values of one R_RI reply (22 axes, 23 execution mode, 24 program stack, 25 overrides,
/// 26 program state, 51 tool); an error for a payload that does not decode or another number.
Result<std::vector<KeyedValue>> runInfoValues(std::uint16_t info,
                                              std::span<const std::uint8_t> payload);

/// The keys that R_RI `info` gives, for UNAVAILABLE when the control refuses it; `axes` are the
/// axis names last seen (22).
std::vector<std::string> runInfoKeys(std::uint16_t info, const std::vector<std::string>& axes);

/// The axis name of a key of R_RI 22 ("X_pos" -> "X").
std::string axisOfKey(const std::string& key);

}  // namespace spindle::collectors::lsv2
