#pragma once
/// The machine side of netcheck: each configured machine's protocol port, as the edge must
/// reach it through any firewall between the edge and the machine network.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "base/error.hpp"

namespace spindle::netcheck {

struct MachineTarget {
  std::string id;
  std::string type;  ///< the collector type
  std::string host;
  std::uint16_t port = 0;
};

/// The port the requirements sheet gives for a protocol that is not a collector yet (focas
/// 8193, modbus_tcp 502, ...), or 0. Collectors' ports come from their registration.
std::uint16_t sheetPort(const std::string& type);

/// The port a collector connects to for a machine block, as the collector's options resolve
/// it (an explicit port, a url, a vendor default); 0 when the type is no collector.
using ResolvedPort = std::function<std::uint16_t(const std::string& type, const YAML::Node& block)>;

/// Reads every enabled machine of a spindle.yaml root: `host`, or the host of a `url`
/// (scheme://host:port/...). The port is the one `spindle run` connects to: `resolvedPort`
/// (collectors::Registry::resolvedPort), then for the protocols that are no collector yet an
/// explicit `port` or sheetPort(). Machines without a host or a port are skipped.
/// kInvalidArgument when `machines` is not a list.
Result<std::vector<MachineTarget>> machineTargets(const YAML::Node& root,
                                                  const ResolvedPort& resolvedPort);

}  // namespace spindle::netcheck
