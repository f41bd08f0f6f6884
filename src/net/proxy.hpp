#pragma once
/// The edge's HTTP proxy: where its HTTPS traffic goes when the plant allows the web only
/// through a proxy. One setting (`net.proxy`, `net.proxy_credentials`, `net.no_proxy`) serves
/// every HTTPS client of the edge (netcheck today); NATS (TCP 7422) never uses it.
///
/// Only `http://` proxies: HTTPS goes through them in a CONNECT tunnel, encrypted end to end.
/// `net.proxy: env` takes the proxy from the environment as curl does for https URLs:
/// https_proxy, HTTPS_PROXY, then all_proxy, ALL_PROXY; no_proxy, then NO_PROXY.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "net/net_options.hpp"

namespace spindle::net {

/// The port of a proxy URL without one (Squid's default; curl would take 1080).
constexpr std::uint16_t kDefaultProxyPort = 3128;

struct ProxySettings {
  std::string host;  ///< a name (resolved through the DNS chain) or an IP literal, no brackets
  std::uint16_t port = kDefaultProxyPort;
  std::string user;      ///< empty: no Proxy-Authorization
  std::string password;  ///< never logged, shown or sent anywhere but to the proxy
  /// Hosts that go direct (see goesDirect); lower case, as given otherwise.
  std::vector<std::string> noProxy;
  std::string source;           ///< "configured" or "environment"
  std::string credentialsFile;  ///< where user/password were read; empty: from the URL or none

  /// "proxy.plant:3128", "[fd00::1]:3128".
  std::string address() const;
};

/// A proxy URL taken apart: "http://[user:password@]host[:port][/]". A URL without a scheme
/// is taken as http:// (as curl does). Userinfo is percent-decoded.
struct ProxyUrl {
  std::string host;
  std::uint16_t port = kDefaultProxyPort;
  std::string user;
  std::string password;
  bool hasCredentials = false;
};

/// kInvalidArgument naming the problem: another scheme (https://, socks5://: "only http://
/// proxies"), no host, a port outside 1..65535, a path, a query.
Result<ProxyUrl> parseProxyUrl(std::string_view text);

/// Checks one no_proxy entry: "*", a host name, ".domain" or "*.domain", an IP literal, or a
/// network "10.0.0.0/8" / "fd00::/8". kInvalidArgument saying which form it is not.
Status checkNoProxyEntry(std::string_view entry);

/// Reads a credentials file: one line "user:password" (a trailing newline is fine). kIo when
/// it cannot be read, kInvalidArgument when the line has no ':' or an empty user. Messages
/// name the file, never its content.
Result<std::pair<std::string, std::string>> readProxyCredentials(const std::string& path);

/// Reads an environment variable: nullopt when unset. Tests pass their own.
using EnvironmentGetter = std::function<std::optional<std::string>(const char* name)>;
/// The process environment (getenv).
std::optional<std::string> processEnvironment(const char* name);

/// The proxy the edge uses, from the `net:` options: nullopt for none (`proxy: ""`, or `env`
/// with no proxy variable set). A configured URL must carry no credentials (validate refuses
/// them); they come from `proxy_credentials`. From the environment, credentials in the URL are
/// used, else `proxy_credentials`; `no_proxy` is the configured list plus the environment's
/// (malformed environment entries are ignored, as curl does). Reads the credentials file now.
/// Errors (kInvalidArgument, kIo) say what to fix.
Result<std::optional<ProxySettings>> proxySettings(
    const NetOptions& options, const EnvironmentGetter& environment = processEnvironment);

/// True when traffic to `host` (a name or an IP literal, IPv6 with or without brackets) skips
/// the proxy: `*`; an exact name; a domain ("example.com" or ".example.com" match example.com
/// and a.example.com, never notexample.com); an equal IP literal; an address inside a network.
/// Case-insensitive; names are never resolved to decide.
bool goesDirect(const ProxySettings& proxy, std::string_view host);

/// "http://proxy.plant:3128 as user 'edge'", "http://10.0.0.5:3128 (no credentials)": never
/// contains the password.
std::string describe(const ProxySettings& proxy);

/// The Proxy-Authorization header value, "Basic " + base64(user:password); empty without user.
std::string basicAuthorization(const ProxySettings& proxy);

}  // namespace spindle::net
