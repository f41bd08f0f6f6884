#pragma once
/// Reading the current offer once, for `spindle update check|apply` (a process of its own, so a
/// connection of its own; the running edge watches the same keys over its control channel).

#include <optional>
#include <string>

#include "base/error.hpp"
#include "base/units.hpp"
#include "update/update_options.hpp"
#include "uplinks/nats/nats_options.hpp"

namespace spindle::update {

struct Offer {
  std::string key;       ///< "edge.<id>" or the channel
  std::string envelope;  ///< the value
};

/// Connects with `nats` (as edge `edgeId`), reads `edge.<edgeId>` and then the channel's key
/// from `options.bucket`; nullopt when neither holds an offer. kTimeout when no connection
/// within `timeout`, kNotFound when the bucket does not exist.
Result<std::optional<Offer>> readOffer(const uplinks::nats::NatsOptions& nats,
                                       const std::string& edgeId, const UpdateOptions& options,
                                       Duration timeout);

}  // namespace spindle::update
