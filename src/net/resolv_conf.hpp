#pragma once
/// The system's DNS servers, as DHCP or the administrator left them in /etc/resolv.conf.

#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "net/server_address.hpp"

namespace spindle::net {

/// The `nameserver` lines of resolv.conf text, in order, on port 53. Comments (# and ;),
/// other directives and lines that are not an IP address are ignored.
std::vector<ServerAddress> parseResolvConf(std::string_view text);

/// Reads and parses `path`. kNotFound when the file cannot be read.
Result<std::vector<ServerAddress>> readResolvConf(const std::string& path);

}  // namespace spindle::net
