#pragma once
/// The configuration sections that keep a Spindle started by a test on this machine: no
/// Google DNS, no resolv.conf servers, no NTP pool, and the web server on loopback at
/// `webPort` (0: no web server), no management page (the management tests start their own).
/// Append them to a test's spindle.yaml.

#include <cstdint>
#include <string>

namespace spindle::testing {

inline std::string loopbackSections(std::uint16_t webPort = 0) {
  return std::string("net:\n  dns_preferred: []\n  resolv_conf: \"\"\n  ntp_servers: []\n") +
         (webPort != 0 ? "web:\n  bind: 127.0.0.1\n  port: " + std::to_string(webPort) + "\n"
                       : "web:\n  enabled: false\n") +
         "  management:\n    enabled: false\n";
}

}  // namespace spindle::testing
