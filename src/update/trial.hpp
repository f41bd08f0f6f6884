#pragma once
/// Whether a version on trial is healthy: its configuration is loaded (it runs), its journal
/// is open, and every uplink is connected, or fails with the same error as before the update
/// (an edge whose hub was down before the update is not blamed on the new version). Pure.

#include <optional>
#include <string>
#include <vector>

#include "control/health.hpp"
#include "update/update_state.hpp"

namespace spindle::update {

/// The uplinks of a health report, as the trial compares them.
std::vector<UplinkSnapshot> uplinkSnapshot(const control::HealthReport& report);

/// nullopt when healthy; otherwise what is still wrong ("uplink nats: not connected (...);
/// before the update: connected").
std::optional<std::string> trialProblem(const Trial& trial, const control::HealthReport& report);

}  // namespace spindle::update
