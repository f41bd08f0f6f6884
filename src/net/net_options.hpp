#pragma once
/// The `net:` section of spindle.yaml: the DNS chain, the clock check and the HTTP proxy.
///
///   net:
///     dns_preferred: [8.8.8.8, 8.8.4.4]   # asked first (Google DNS)
///     dns_servers: [192.168.1.1]          # static servers, asked next
///     resolv_conf: /etc/resolv.conf       # the DHCP/system servers, asked last ("" = none)
///     dns_timeout: 2s
///     dns_reprobe: 5m
///     ntp_servers: [pool.ntp.org]
///     ntp_timeout: 2s
///     ntp_interval: 15m
///     max_clock_offset: 1s
///     proxy: http://proxy.plant:3128      # HTTPS through an HTTP proxy ("" none, env)
///     proxy_credentials: /etc/spindle/proxy.pass   # one line user:password
///     no_proxy: [.plant.local, 10.0.0.0/8]

#include <string>
#include <vector>

#include "base/units.hpp"
#include "config/option_table.hpp"
#include "net/clock_monitor.hpp"
#include "net/resolver_chain.hpp"

namespace spindle::net {

struct NetOptions {
  std::vector<std::string> dnsPreferred{"8.8.8.8", "8.8.4.4"};
  std::vector<std::string> dnsServers;
  std::string resolvConf = "/etc/resolv.conf";
  Duration dnsTimeout = std::chrono::seconds(2);
  Duration dnsReprobe = std::chrono::minutes(5);
  bool ipv6 = false;
  std::vector<std::string> ntpServers{"pool.ntp.org"};
  Duration ntpTimeout = std::chrono::seconds(2);
  Duration ntpInterval = std::chrono::minutes(15);
  Duration maxClockOffset = std::chrono::seconds(1);
  /// The HTTP proxy for the edge's HTTPS traffic: "" none, "env" from the environment, or
  /// "http://host[:port]" (port 3128 when missing). net/proxy.hpp turns these into settings.
  std::string proxy;
  std::string proxyCredentials;      ///< file with one line user:password; "" none
  std::vector<std::string> noProxy;  ///< hosts, domains, addresses, networks that go direct
};

const config::OptionTable<NetOptions>& optionTable();

/// Checks the values beyond their types (addresses parse, durations are positive, the proxy
/// URL parses without credentials, the credentials file reads, no_proxy entries are well
/// formed). Adds
/// diagnostics at `block` (the `net:` map) and returns false on a problem.
bool validate(const NetOptions& options, const YAML::Node& block, config::Diagnostics& diags);

/// The resolver's options: the chain is built from dns_preferred, dns_servers and the
/// nameservers of resolv_conf (read now; a missing file gives no system servers).
/// Call after validate(): unparsable entries are skipped here.
ResolverOptions resolverOptions(const NetOptions& options);

ClockOptions clockOptions(const NetOptions& options);

}  // namespace spindle::net
