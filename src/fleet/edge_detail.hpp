#pragma once
/// `spindle fleet show EDGE`: one edge's whole heartbeat in words: the summary of its row,
/// then its machines (state, rate, age of the last data, why), journal, uplinks,
/// configuration and update. Pure: a heartbeat in, text out.

#include <string>

#include <nlohmann/json.hpp>

#include "fleet/edge_row.hpp"

namespace spindle::fleet {

/// `row` is the heartbeat's row (classified); `beat` the heartbeat itself.
std::string renderDetail(const EdgeRow& row, const nlohmann::json& beat, TimestampNs now);

}  // namespace spindle::fleet
