#include "net/net_options.hpp"

#include "net/proxy.hpp"
#include "net/resolv_conf.hpp"

namespace spindle::net {
namespace {

std::vector<ServerAddress> parseAll(const std::vector<std::string>& texts, std::uint16_t port,
                                    bool ipOnly) {
  std::vector<ServerAddress> out;
  for (const auto& text : texts) {
    auto parsed = ipOnly ? parseIpServerAddress(text, port) : parseServerAddress(text, port);
    if (parsed) out.push_back(*parsed);
  }
  return out;
}

bool checkList(const std::vector<std::string>& texts, const YAML::Node& node, std::uint16_t port,
               bool ipOnly, config::Diagnostics& diags) {
  bool good = true;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    auto parsed =
        ipOnly ? parseIpServerAddress(texts[i], port) : parseServerAddress(texts[i], port);
    if (!parsed) {
      diags.add(node && node.IsSequence() && i < node.size() ? node[i] : node,
                parsed.error().message());
      good = false;
    }
  }
  return good;
}

/// The proxy keys: the URL parses as http:// without credentials, the credentials file reads
/// now (a clear message at load rather than a 407 later), no_proxy entries are well formed.
bool checkProxy(const NetOptions& o, const YAML::Node& block, config::Diagnostics& diags) {
  bool good = true;
  const std::string proxy = o.proxy;
  if (!proxy.empty() && proxy != "env") {
    auto url = parseProxyUrl(proxy);
    if (!url) {
      diags.add(block["proxy"], "net.proxy: " + url.error().message());
      good = false;
    } else if (url->hasCredentials) {
      diags.add(block["proxy"],
                "net.proxy must not carry credentials: the configuration is shown on the "
                "management page and sent to the cloud",
                "write user:password into a file (mode 0600) and name it in "
                "net.proxy_credentials");
      good = false;
    }
  }
  if (!o.proxyCredentials.empty()) {
    if (auto read = readProxyCredentials(o.proxyCredentials); !read) {
      diags.add(block["proxy_credentials"], "net.proxy_credentials: " + read.error().message());
      good = false;
    }
  }
  const YAML::Node list = block["no_proxy"];
  for (std::size_t i = 0; i < o.noProxy.size(); ++i) {
    if (auto ok = checkNoProxyEntry(o.noProxy[i]); !ok) {
      diags.add(list && list.IsSequence() && i < list.size() ? list[i] : list,
                "net.no_proxy: " + ok.error().message());
      good = false;
    }
  }
  return good;
}

}  // namespace

const config::OptionTable<NetOptions>& optionTable() {
  static const auto table = [] {
    config::OptionTable<NetOptions> t;
    t.optional("dns_preferred", &NetOptions::dnsPreferred, "[8.8.8.8, 8.8.4.4]",
               "DNS servers asked first (Google DNS); an empty list skips them. IP[:port]");
    t.optional("dns_servers", &NetOptions::dnsServers, "[]",
               "static DNS servers, asked when the preferred ones do not answer. IP[:port]");
    t.optional("resolv_conf", &NetOptions::resolvConf, "/etc/resolv.conf",
               "file whose nameserver lines (DHCP or the OS) are asked last; \"\" for none");
    t.optional("dns_timeout", &NetOptions::dnsTimeout, "2s",
               "how long one DNS server may take before the next one is asked", {"1ms", "1m"});
    t.optional("dns_reprobe", &NetOptions::dnsReprobe, "5m",
               "after falling back, how often the preferred servers are tried again", {"1ms", ""});
    t.optional("ipv6", &NetOptions::ipv6, "false", "also look up IPv6 (AAAA) addresses");
    t.optional("ntp_servers", &NetOptions::ntpServers, "[pool.ntp.org]",
               "NTP servers for the clock check, asked in order. host[:port]");
    t.optional("ntp_timeout", &NetOptions::ntpTimeout, "2s",
               "how long one NTP server may take to answer", {"1ms", "1m"});
    t.optional("ntp_interval", &NetOptions::ntpInterval, "15m", "time between clock checks",
               {"1ms", ""});
    t.optional("max_clock_offset", &NetOptions::maxClockOffset, "1s",
               "beyond this offset from NTP time the clock is untrusted and observations are "
               "flagged",
               {"1ms", ""});
    t.optional("proxy", &NetOptions::proxy, "\"\"",
               "HTTP proxy for the edge's HTTPS traffic: \"\" none, http://HOST[:PORT] (port "
               "3128 when missing; only http:// proxies, HTTPS goes through in a CONNECT "
               "tunnel), or env: https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY as curl reads "
               "them. NATS (7422) never uses it");
    t.optional("proxy_credentials", &NetOptions::proxyCredentials, "\"\"",
               "file holding one line user:password for the proxy (Basic authentication); "
               "never put credentials in the proxy URL");
    t.optional("no_proxy", &NetOptions::noProxy, "[]",
               "hosts that skip the proxy: a name, a domain (example.com or .example.com: "
               "itself and every name under it), an IP address, a network (10.0.0.0/8), or *; "
               "with proxy: env, $no_proxy/$NO_PROXY is added");
    return t;
  }();
  return table;
}

bool validate(const NetOptions& o, const YAML::Node& block, config::Diagnostics& diags) {
  bool good = checkList(o.dnsPreferred, block["dns_preferred"], 53, true, diags);
  good = checkList(o.dnsServers, block["dns_servers"], 53, true, diags) && good;
  good = checkList(o.ntpServers, block["ntp_servers"], 123, false, diags) && good;
  const std::pair<const char*, Duration> positive[] = {{"dns_timeout", o.dnsTimeout},
                                                       {"dns_reprobe", o.dnsReprobe},
                                                       {"ntp_timeout", o.ntpTimeout},
                                                       {"ntp_interval", o.ntpInterval},
                                                       {"max_clock_offset", o.maxClockOffset}};
  for (const auto& [key, value] : positive) {
    if (value <= Duration{0}) {
      diags.add(block[key], std::string(key) + " must be more than 0");
      good = false;
    }
  }
  return checkProxy(o, block, diags) && good;
}

ResolverOptions resolverOptions(const NetOptions& o) {
  ResolverOptions r;
  std::vector<ServerAddress> system;
  if (!o.resolvConf.empty()) {
    if (auto read = readResolvConf(o.resolvConf)) system = *read;
  }
  r.servers =
      buildDnsChain(parseAll(o.dnsPreferred, 53, true), parseAll(o.dnsServers, 53, true), system);
  r.timeout = o.dnsTimeout;
  r.reprobeInterval = o.dnsReprobe;
  r.ipv6 = o.ipv6;
  return r;
}

ClockOptions clockOptions(const NetOptions& o) {
  ClockOptions c;
  c.servers = parseAll(o.ntpServers, 123, false);
  c.timeout = o.ntpTimeout;
  c.interval = o.ntpInterval;
  c.maxOffset = o.maxClockOffset;
  return c;
}

}  // namespace spindle::net
