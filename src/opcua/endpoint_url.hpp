#pragma once
/// OPC UA endpoint URLs: "opc.tcp://host[:port][/path]" (Part 6, 7.1). The host may be a name,
/// an IPv4 address or an IPv6 address in brackets; the port is 4840 when absent.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace spindle::opcua {

inline constexpr std::uint16_t kDefaultPort = 4840;

struct EndpointUrl {
  std::string host;  ///< without brackets
  std::uint16_t port = kDefaultPort;
  std::string path;  ///< "" or "/..."
};

/// kInvalidArgument naming what is wrong ("... must start with opc.tcp://").
Result<EndpointUrl> parseEndpointUrl(std::string_view url);

}  // namespace spindle::opcua
