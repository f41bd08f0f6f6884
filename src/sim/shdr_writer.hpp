#pragma once
/// SHDR line formatting: what an MTConnect adapter writes to its agent.

#include <string>
#include <string_view>
#include <vector>

#include "sim/machine_model.hpp"

namespace spindle::sim {

/// Formats one batch of updates, all stamped with `timestamp` ("2026-11-24T10:00:00.123456Z"):
/// the value updates together on one line "ts|key|text|key|text", then every condition and
/// message on a line of its own, in the order given. Each line ends with "\n". Carriage
/// returns and newlines inside a text become spaces so a value can never split a line.
/// Returns "" for no updates.
std::string formatShdrLines(std::string_view timestamp, const std::vector<Update>& updates);

}  // namespace spindle::sim
