#pragma once
/// The INFO line a NATS server sends first on every connection (client or leafnode port).

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace spindle::netcheck {

struct NatsInfo {
  std::string serverId;
  std::string serverName;
  std::string version;
  int proto = 0;
  bool tlsRequired = false;
  bool tlsAvailable = false;
  bool authRequired = false;
  bool leafnode = false;  ///< the port is a leafnode listener (it advertises leafnode_urls)
  std::uint64_t maxPayload = 0;
};

/// Parses "INFO {json}\r\n". kProtocol, with what the peer sent instead, when it is not NATS.
Result<NatsInfo> parseNatsInfo(std::string_view line);

}  // namespace spindle::netcheck
