#pragma once
/// Servers as users write them: "8.8.8.8", "127.0.0.1:5353", "[::1]:53", "pool.ntp.org",
/// "ntp.plant.local:1123". Used for DNS and NTP servers alike.

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/ip/address.hpp>

#include "base/error.hpp"

namespace spindle::net {

struct ServerAddress {
  std::string host;  ///< an IP literal (no brackets) or a host name
  std::uint16_t port = 0;

  /// True when `host` is an IPv4 or IPv6 literal.
  bool isIpLiteral() const;
  /// "8.8.8.8:53", "[::1]:53", "pool.ntp.org:123".
  std::string toString() const;

  friend bool operator==(const ServerAddress&, const ServerAddress&) = default;
};

/// Parses "host", "host:port", "[v6]" or "[v6]:port"; a bare IPv6 literal ("::1") takes
/// `defaultPort`. Fails on an empty host, a bad port (0 or > 65535) or stray characters.
Result<ServerAddress> parseServerAddress(std::string_view text, std::uint16_t defaultPort);

/// Like parseServerAddress, and the host must be an IP literal (DNS servers cannot be names).
Result<ServerAddress> parseIpServerAddress(std::string_view text, std::uint16_t defaultPort);

/// True for 127.0.0.0/8, ::1 and IPv4-mapped loopback.
bool isLoopback(const boost::asio::ip::address& address);

}  // namespace spindle::net
