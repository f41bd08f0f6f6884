#pragma once
/// Options of control/ (the `control:` section of spindle.yaml). Control works over a channel
/// (control/channel.hpp); `channel: nats` is the NATS uplink's connection. Without a channel
/// control is off and a local file is the only configuration.

#include <string>
#include <vector>

#include "base/units.hpp"
#include "config/option_table.hpp"

namespace spindle::control {

struct ControlOptions {
  std::string channel = "nats";                        ///< the link control works over (kChannels)
  Duration healthInterval = std::chrono::seconds(10);  ///< 0s: no heartbeat
  bool diagnostics = true;
  bool configWatch = true;
  std::string configBucket = "spindle_config";
  Duration configRetry = std::chrono::seconds(5);
  int logLines = 1000;
  /// What a configuration from the cloud may name (local-only: never changed remotely).
  /// Hosts and networks of machines and servers (net/host_rules.hpp); empty: any host.
  std::vector<std::string> allowedHosts;
  /// The folder its `script:` files must be in; relative to the configuration file's folder.
  std::string scriptDir = "scripts";
};

/// The channels control can work over, and what each needs.
struct ChannelKind {
  const char* name;
  const char* needs;  ///< the configuration that provides it
};
inline constexpr ChannelKind kChannels[] = {{"nats", "uplinks: nats:"}};

const config::OptionTable<ControlOptions>& optionTable();
bool validate(const ControlOptions& options, const YAML::Node& block, config::Diagnostics& diags);

}  // namespace spindle::control
