// The NATS uplink's registration: `uplinks: nats:`. Its connection belongs to the cloud link
// (shared with control/), which offers it to uplinks as the service "nats.link".

#include "uplinks/nats/nats_link.hpp"
#include "uplinks/nats/nats_options.hpp"
#include "uplinks/registry.hpp"

namespace spindle::uplinks::nats {

void registerUplink(UplinkRegistry& registry) {
  UplinkType type;
  type.name = std::string(kConsumerName);
  type.description = "JetStream on the hub over the edge's NATS connection (TLS, leaf nodes)";
  type.defaultPort = 7422;
  type.options = optionTable().describe();
  type.load = [](const YAML::Node& block, config::Diagnostics& diags, const std::string& where) {
    NatsOptions options;
    const std::size_t before = diags.size();
    optionTable().load(block, options, diags, where);
    if (diags.size() == before) validate(options, block, diags);
    return std::any(options);
  };
  type.create = [](const std::any&, const UplinkEnv& env) -> Result<std::unique_ptr<Uplink>> {
    auto it = env.services.find("nats.link");
    if (it == env.services.end()) {
      return Error(ErrorCode::kInternal, "no NATS connection to publish on")
          .with("making the nats uplink");
    }
    auto* link = std::any_cast<NatsLink*>(it->second);
    return std::unique_ptr<Uplink>(link->makeUplink());
  };
  registry.add(std::move(type));
}

}  // namespace spindle::uplinks::nats
