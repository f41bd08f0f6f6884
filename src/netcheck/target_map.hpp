#pragma once
/// `--map HOST=ADDR:PORT`: send the traffic meant for a host (a domain, an IP, a DNS or NTP
/// server) to another address, keeping the original name for TLS (SNI and the certificate
/// check). For stand-ins in tests and the bench, and for checking a site through a tunnel.
///
///   api.example.test=127.0.0.1:8443   every port of api.example.test
///   api.example.test:7422=127.0.0.1:4222   only port 7422
///   *:443=127.0.0.1:8443               every host on port 443 (a more specific rule wins)
///   8.8.8.8:53=127.0.0.1:5353          a DNS server
///   api.example.test=127.0.0.1         same port, another address

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "net/server_address.hpp"

namespace spindle::netcheck {

class TargetMap {
 public:
  /// Adds one rule. kInvalidArgument with an example when `spec` is malformed or ADDR is not
  /// an IP address.
  Status add(std::string_view spec);

  /// Where traffic for host:port goes, or nullopt when no rule applies. Precedence:
  /// host:port, host, *:port, *.
  std::optional<net::ServerAddress> find(const std::string& host, std::uint16_t port) const;

  bool empty() const { return m_rules.empty(); }

 private:
  struct Rule {
    std::string host;  ///< lower case; "*" for any
    std::optional<std::uint16_t> port;
    std::string address;
    std::optional<std::uint16_t> toPort;  ///< nullopt: keep the original port
  };
  std::vector<Rule> m_rules;
};

}  // namespace spindle::netcheck
