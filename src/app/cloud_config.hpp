#pragma once
/// The cloud sections of spindle.yaml: `uplinks: nats:` (the NATS uplink) and `control:`
/// (heartbeats, diagnostics, configuration from the cloud). `control:` is refused when the
/// channel it names does not exist (`channel: nats` needs `uplinks: nats:`).

#include <optional>
#include <string>

#include "config/diagnostics.hpp"
#include "control/control_options.hpp"
#include "update/update_options.hpp"
#include "uplinks/nats/nats_options.hpp"
#include "uplinks/registry.hpp"

namespace spindle::app {

struct CloudOptions {
  std::optional<uplinks::nats::NatsOptions> nats;  ///< set when `uplinks: nats:` is present
  control::ControlOptions control;
  /// `update:` (update/update_options.hpp); unset when the section is absent.
  std::optional<update::UpdateOptions> update;
};

/// Takes the NATS uplink's options from `uplinks` (loaded by uplinks::loadUplinks) and loads
/// `control:` and `update:` from the root map into `out`; problems go to `diags`.
void loadCloudSections(const YAML::Node& root, const std::vector<uplinks::UplinkEntry>& entries,
                       CloudOptions& out, config::Diagnostics& diags);

}  // namespace spindle::app
