#include "control/control_options.hpp"

#include <algorithm>

namespace spindle::control {
namespace {

bool validBucket(const std::string& name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

}  // namespace

const config::OptionTable<ControlOptions>& optionTable() {
  static const auto table = [] {
    config::OptionTable<ControlOptions> t;
    t.optional("channel", &ControlOptions::channel, "nats",
               "the link to the cloud control works over: nats (the connection of uplinks: "
               "nats:)");
    t.optional("health_interval", &ControlOptions::healthInterval, "10s",
               "heartbeat period on spindle.<edge>.health; 0s turns heartbeats off", {"0s", ""});
    t.optional("diagnostics", &ControlOptions::diagnostics, "true",
               "answer diagnostics requests on spindle.<edge>.diag.<command>");
    t.optional("config_watch", &ControlOptions::configWatch, "true",
               "apply the desired configuration from the NATS KV bucket (key = edge id)");
    t.optional("config_bucket", &ControlOptions::configBucket, "spindle_config",
               "KV bucket holding desired configurations");
    t.optional("config_retry", &ControlOptions::configRetry, "5s",
               "wait between attempts to reach the bucket", {"100ms", ""});
    t.optional("log_lines", &ControlOptions::logLines, "1000",
               "recent log lines kept in memory for the logs diagnostic", {"1", "100000"});
    t.optional("allowed_hosts", &ControlOptions::allowedHosts, "[] (any host)",
               "hosts a configuration from the cloud may name (machines, DNS and NTP servers): "
               "networks (10.20.0.0/16), addresses, names (mill-3.plant.local) and *.domain; "
               "names are matched as written, never resolved. Set only in the local file");
    t.optional("script_dir", &ControlOptions::scriptDir, "scripts",
               "the folder whose files a configuration from the cloud may name as script:, "
               "relative to the configuration file's folder. Set only in the local file");
    return t;
  }();
  return table;
}

bool validate(const ControlOptions& o, const YAML::Node& block, config::Diagnostics& diags) {
  const std::size_t before = diags.size();
  if (o.healthInterval.count() < 0) {
    diags.add(block["health_interval"], "health_interval cannot be negative");
  } else if (o.healthInterval.count() > 0 && o.healthInterval < std::chrono::seconds(1)) {
    diags.add(block["health_interval"], "health_interval must be at least 1s (or 0s for off)");
  }
  if (std::none_of(std::begin(kChannels), std::end(kChannels),
                   [&](const ChannelKind& k) { return o.channel == k.name; })) {
    std::string names;
    for (const auto& k : kChannels) names += (names.empty() ? "" : ", ") + std::string(k.name);
    diags.add(block["channel"], "unknown control channel '" + o.channel + "'",
              "channels: " + names);
  }
  if (!validBucket(o.configBucket)) {
    diags.add(block["config_bucket"], "config_bucket must be 1-64 letters, digits, '-' or '_'");
  }
  if (o.configRetry < std::chrono::milliseconds(100)) {
    diags.add(block["config_retry"], "config_retry must be at least 100ms");
  }
  if (o.logLines < 1 || o.logLines > 100000) {
    diags.add(block["log_lines"], "log_lines must be between 1 and 100000");
  }
  return diags.size() == before;
}

}  // namespace spindle::control
