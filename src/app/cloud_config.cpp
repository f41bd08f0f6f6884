#include "app/cloud_config.hpp"

#include "net/host_rules.hpp"
#include "uplinks/nats/nats_uplink.hpp"

namespace spindle::app {

void loadCloudSections(const YAML::Node& root, const std::vector<uplinks::UplinkEntry>& entries,
                       CloudOptions& out, config::Diagnostics& diags) {
  for (const auto& entry : entries) {
    if (entry.name == uplinks::nats::kConsumerName && entry.options.has_value()) {
      out.nats = std::any_cast<const uplinks::nats::NatsOptions&>(entry.options);
    }
  }
  if (out.nats) {
    const YAML::Node id = root["edge"] ? root["edge"]["id"] : YAML::Node();
    if (id && id.IsScalar() && !uplinks::nats::validSubjectToken(id.Scalar())) {
      diags.add(id, "edge.id '" + id.Scalar() + "' cannot name NATS subjects",
                "with uplinks: nats:, use 1-64 letters, digits, '-' or '_'");
    }
  }
  if (const YAML::Node updateBlock = root["update"]) {
    const std::size_t before = diags.size();
    update::UpdateOptions options;
    update::optionTable().load(updateBlock, options, diags, "update");
    if (diags.size() == before && update::validate(options, updateBlock, diags)) {
      out.update = std::move(options);
    }
  }
  const YAML::Node controlBlock = root["control"];
  if (!controlBlock) return;
  const std::size_t before = diags.size();
  control::optionTable().load(controlBlock, out.control, diags, "control");
  if (diags.size() == before) control::validate(out.control, controlBlock, diags);
  // The channel control works over must exist in this configuration.
  if (diags.size() == before && out.control.channel == "nats" && !out.nats) {
    diags.add(controlBlock, "control: works over channel 'nats', which needs a NATS uplink",
              "add uplinks: nats: (the channel is the edge's NATS connection)");
    return;
  }
  if (auto rules = net::HostRules::parse(out.control.allowedHosts); !rules) {
    diags.add(controlBlock["allowed_hosts"], "control.allowed_hosts: " + rules.error().message(),
              "networks (10.20.0.0/16), addresses, host names or *.domain");
  }
}

}  // namespace spindle::app
