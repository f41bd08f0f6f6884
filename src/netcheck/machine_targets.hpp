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

/// Reads every enabled machine of a spindle.yaml root: `host` and `port`, or a `url`
/// (scheme://host:port/...). A missing port comes from `defaultPort(type)` (the collector's
/// registered default), then from sheetPort(). Machines without a host are skipped.
/// kInvalidArgument when `machines` is not a list.
Result<std::vector<MachineTarget>> machineTargets(
    const YAML::Node& root, const std::function<std::uint16_t(const std::string&)>& defaultPort);

}  // namespace spindle::netcheck
