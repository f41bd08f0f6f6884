#include "app/cloud_config.hpp"

#include "net/host_rules.hpp"

namespace spindle::app {

void loadCloudSections(const YAML::Node& root, const std::string& text, CloudOptions& out,
                       config::Diagnostics& diags) {
  out.text = text;
  const YAML::Node uplinksBlock = root["uplinks"];
  if (uplinksBlock) {
    if (!uplinksBlock.IsMap()) {
      diags.add(uplinksBlock, "uplinks must be a map of uplink name: options",
                "e.g. uplinks: {nats: ...}");
    } else {
      for (const auto& kv : uplinksBlock) {
        if (kv.first.Scalar() != "nats") {
          diags.add(kv.first, "unknown uplink '" + kv.first.Scalar() + "'",
                    "available: nats (the file uplink is configured under output:)");
        }
      }
      if (uplinksBlock["nats"]) {
        const std::size_t before = diags.size();
        uplinks::nats::NatsOptions nats;
        uplinks::nats::optionTable().load(uplinksBlock["nats"], nats, diags, "uplinks.nats");
        if (diags.size() == before) uplinks::nats::validate(nats, uplinksBlock["nats"], diags);
        out.nats = std::move(nats);
      }
    }
  }
  if (out.nats) {
    const YAML::Node id = root["edge"] ? root["edge"]["id"] : YAML::Node();
    if (id && id.IsScalar() && !uplinks::nats::validSubjectToken(id.Scalar())) {
      diags.add(id, "edge.id '" + id.Scalar() + "' cannot name NATS subjects",
                "with uplinks: nats:, use 1-64 letters, digits, '-' or '_'");
    }
  }
  const YAML::Node controlBlock = root["control"];
  if (!controlBlock) return;
  if (!out.nats) {
    diags.add(controlBlock, "control: needs a NATS uplink",
              "add uplinks: nats: (control works over the edge's NATS connection)");
    return;
  }
  const std::size_t before = diags.size();
  control::optionTable().load(controlBlock, out.control, diags, "control");
  if (diags.size() == before) control::validate(out.control, controlBlock, diags);
  if (auto rules = net::HostRules::parse(out.control.allowedHosts); !rules) {
    diags.add(controlBlock["allowed_hosts"], "control.allowed_hosts: " + rules.error().message(),
              "networks (10.20.0.0/16), addresses, host names or *.domain");
  }
}

}  // namespace spindle::app
