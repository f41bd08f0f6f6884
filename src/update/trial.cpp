#include "update/trial.hpp"

namespace spindle::update {

std::vector<UplinkSnapshot> uplinkSnapshot(const control::HealthReport& report) {
  std::vector<UplinkSnapshot> out;
  for (const auto& u : report.uplinks) out.push_back({u.name, u.connected, u.lastError});
  return out;
}

std::optional<std::string> trialProblem(const Trial& trial, const control::HealthReport& report) {
  if (!report.journal) return "the journal is not open";
  for (const auto& u : report.uplinks) {
    if (u.connected) continue;
    const UplinkSnapshot* before = nullptr;
    for (const auto& b : trial.uplinksBefore) {
      if (b.name == u.name) before = &b;
    }
    if (before != nullptr && !before->connected && !u.lastError.empty() &&
        before->error == u.lastError) {
      continue;  // failing as it failed before the update
    }
    std::string problem = "uplink " + u.name + ": not connected";
    if (!u.lastError.empty()) problem += " (" + u.lastError + ")";
    if (before == nullptr) {
      problem += trial.uplinksBefore.empty() ? "; before the update: unknown, so it must connect"
                                             : "; it did not run before the update";
    } else if (before->connected) {
      problem += "; before the update: connected";
    } else {
      problem += "; before the update: " + before->error;
    }
    return problem;
  }
  return std::nullopt;
}

}  // namespace spindle::update
