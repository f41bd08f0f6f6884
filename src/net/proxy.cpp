#include "net/proxy.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>

#include <boost/asio/ip/address.hpp>

#include "base/base64.hpp"
#include "net/server_address.hpp"

namespace spindle::net {
namespace {

namespace ip = boost::asio::ip;

Error invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// %XX decoding of URL userinfo (a password may hold '@' or ':' written as %40, %3A).
std::string percentDecode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int high = hexValue(text[i + 1]);
      const int low = hexValue(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out += static_cast<char>(high * 16 + low);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

/// "a-b.c" style host names: letters, digits, '-', '_' and dots, no empty label.
bool isHostName(std::string_view name) {
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.') return false;
  if (name.find("..") != std::string_view::npos) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.';
  });
}

std::optional<ip::address> parseAddress(std::string_view text) {
  std::string s(text);
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  boost::system::error_code ec;
  const auto address = ip::make_address(s, ec);
  if (ec) return std::nullopt;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

struct Network {
  ip::address base;
  unsigned prefix = 0;
};

std::optional<Network> parseNetwork(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto base = parseAddress(text.substr(0, slash));
  const std::string bits(text.substr(slash + 1));
  if (!base || bits.empty() || bits.size() > 3 ||
      !std::all_of(bits.begin(), bits.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return std::nullopt;
  }
  const unsigned prefix = static_cast<unsigned>(std::stoul(bits));
  if (prefix > (base->is_v4() ? 32u : 128u)) return std::nullopt;
  return Network{*base, prefix};
}

bool inNetwork(const ip::address& address, const Network& network) {
  if (address.is_v4() != network.base.is_v4()) return false;
  std::vector<unsigned char> a, b;
  if (address.is_v4()) {
    const auto x = address.to_v4().to_bytes();
    const auto y = network.base.to_v4().to_bytes();
    a.assign(x.begin(), x.end());
    b.assign(y.begin(), y.end());
  } else {
    const auto x = address.to_v6().to_bytes();
    const auto y = network.base.to_v6().to_bytes();
    a.assign(x.begin(), x.end());
    b.assign(y.begin(), y.end());
  }
  unsigned bits = network.prefix;
  for (std::size_t i = 0; i < a.size() && bits > 0; ++i) {
    const unsigned take = std::min(bits, 8u);
    const auto mask = static_cast<unsigned char>(0xFF << (8 - take));
    if ((a[i] & mask) != (b[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

/// The domain a name entry stands for: ".example.com" and "*.example.com" -> "example.com".
std::string_view domainOf(std::string_view entry) {
  if (entry.starts_with("*.")) return entry.substr(2);
  if (entry.starts_with(".")) return entry.substr(1);
  return entry;
}

bool entryMatches(std::string_view entry, std::string_view host,
                  const std::optional<ip::address>& hostAddress) {
  if (entry == "*") return true;
  if (auto network = parseNetwork(entry)) {
    return hostAddress && inNetwork(*hostAddress, *network);
  }
  if (auto address = parseAddress(entry)) return hostAddress && *hostAddress == *address;
  if (hostAddress) return false;  // a name entry never matches an address
  const std::string_view domain = domainOf(entry);
  if (domain.empty()) return false;
  if (host == domain) return true;
  return host.size() > domain.size() && host.ends_with(domain) &&
         host[host.size() - domain.size() - 1] == '.';
}

/// Splits an environment no_proxy value at commas and blanks, keeping the well-formed entries.
std::vector<std::string> environmentNoProxy(const std::string& value) {
  std::vector<std::string> out;
  std::string entry;
  for (const char c : value + ",") {
    if (c == ',' || c == ' ' || c == '\t') {
      if (!entry.empty() && checkNoProxyEntry(entry)) out.push_back(lower(entry));
      entry.clear();
    } else {
      entry += c;
    }
  }
  return out;
}

std::optional<std::string> firstSet(const EnvironmentGetter& environment,
                                    std::initializer_list<const char*> names, std::string& which) {
  for (const char* name : names) {
    auto value = environment(name);
    if (value && !trim(*value).empty()) {
      which = name;
      return trim(*value);
    }
  }
  return std::nullopt;
}

}  // namespace

std::string ProxySettings::address() const { return ServerAddress{host, port}.toString(); }

Result<ProxyUrl> parseProxyUrl(std::string_view text) {
  std::string_view rest = text;
  const auto scheme = rest.find("://");
  if (scheme != std::string_view::npos) {
    const std::string name = lower(rest.substr(0, scheme));
    if (name != "http") {
      return invalid("'" + name +
                     "://' proxies are not supported: only http:// proxies, which carry HTTPS "
                     "in a CONNECT tunnel (still encrypted end to end); write http://HOST:PORT");
    }
    rest = rest.substr(scheme + 3);
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find_first_of("/?#") != std::string_view::npos) {
    return invalid("a proxy URL has no path or query: write http://HOST:PORT");
  }
  ProxyUrl url;
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    const auto colon = userinfo.find(':');
    url.user = percentDecode(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) url.password = percentDecode(userinfo.substr(colon + 1));
    url.hasCredentials = true;
    rest = rest.substr(at + 1);
  }
  if (rest.empty()) return invalid("the proxy URL has no host: write http://HOST:PORT");
  auto address = parseServerAddress(rest, kDefaultProxyPort);
  if (!address)
    return invalid("bad proxy address '" + std::string(rest) + "': " + address.error().message());
  if (!address->isIpLiteral() && !isHostName(address->host)) {
    return invalid("bad proxy host '" + address->host + "'");
  }
  url.host = lower(address->host);
  url.port = address->port;
  return url;
}

Status checkNoProxyEntry(std::string_view entry) {
  if (entry == "*") return okStatus();
  if (entry.find('/') != std::string_view::npos) {
    if (parseNetwork(entry)) return okStatus();
    return invalid("'" + std::string(entry) +
                   "' is not a network: write ADDRESS/BITS, e.g. 10.0.0.0/8");
  }
  if (parseAddress(entry)) return okStatus();
  if (isHostName(domainOf(entry))) return okStatus();
  return invalid("'" + std::string(entry) +
                 "' is not a no_proxy entry: write a host name, a domain (example.com or "
                 ".example.com), an IP address, a network (10.0.0.0/8) or *");
}

Result<std::pair<std::string, std::string>> readProxyCredentials(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error(ErrorCode::kIo, "cannot read the proxy credentials file " + path);
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  const auto colon = line.find(':');
  if (colon == std::string::npos || colon == 0) {
    return invalid("the proxy credentials file " + path +
                   " must hold one line user:password (Basic authentication)");
  }
  return std::make_pair(line.substr(0, colon), line.substr(colon + 1));
}

std::optional<std::string> processEnvironment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

Result<std::optional<ProxySettings>> proxySettings(const NetOptions& options,
                                                   const EnvironmentGetter& environment) {
  const std::string setting = trim(options.proxy);
  if (setting.empty()) return std::optional<ProxySettings>{};
  ProxySettings proxy;
  std::string url = setting;
  if (setting == "env") {
    std::string which;
    auto value =
        firstSet(environment, {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}, which);
    if (!value) return std::optional<ProxySettings>{};
    url = *value;
    proxy.source = "environment";
    std::string noProxyName;
    if (auto list = firstSet(environment, {"no_proxy", "NO_PROXY"}, noProxyName)) {
      proxy.noProxy = environmentNoProxy(*list);
    }
    auto parsed = parseProxyUrl(url);
    if (!parsed) return std::move(parsed).error().with("the proxy in $" + which);
    proxy.host = parsed->host;
    proxy.port = parsed->port;
    proxy.user = parsed->user;
    proxy.password = parsed->password;
    if (parsed->hasCredentials && parsed->user.empty()) {
      return invalid("the proxy URL in $" + which + " has credentials with an empty user");
    }
  } else {
    proxy.source = "configured";
    auto parsed = parseProxyUrl(url);
    if (!parsed) return std::move(parsed).error().with("net.proxy");
    if (parsed->hasCredentials) {
      return invalid(
          "net.proxy must not carry credentials (the configuration is shown on the management "
          "page and sent to the cloud): write user:password into a file and name it in "
          "net.proxy_credentials");
    }
    proxy.host = parsed->host;
    proxy.port = parsed->port;
  }
  if (proxy.user.empty() && !options.proxyCredentials.empty()) {
    auto credentials = readProxyCredentials(options.proxyCredentials);
    if (!credentials) return std::move(credentials).error().with("net.proxy_credentials");
    proxy.user = credentials->first;
    proxy.password = credentials->second;
    proxy.credentialsFile = options.proxyCredentials;
  }
  for (const auto& entry : options.noProxy) {
    if (auto ok = checkNoProxyEntry(entry); !ok) return std::move(ok).error().with("net.no_proxy");
    proxy.noProxy.push_back(lower(entry));
  }
  return std::optional<ProxySettings>(std::move(proxy));
}

bool goesDirect(const ProxySettings& proxy, std::string_view host) {
  std::string name = lower(host);
  if (!name.empty() && name.back() == '.') name.pop_back();
  const auto address = parseAddress(name);
  return std::any_of(proxy.noProxy.begin(), proxy.noProxy.end(),
                     [&](const std::string& entry) { return entryMatches(entry, name, address); });
}

std::string describe(const ProxySettings& proxy) {
  std::string out = "http://" + proxy.address();
  out += proxy.user.empty() ? " (no credentials)" : " as user '" + proxy.user + "'";
  return out;
}

std::string basicAuthorization(const ProxySettings& proxy) {
  if (proxy.user.empty()) return "";
  return "Basic " + base64Encode(proxy.user + ":" + proxy.password);
}

}  // namespace spindle::net
