#include "app/cloud_servers.hpp"

#include <optional>
#include <set>

#include <boost/asio/ip/address.hpp>

namespace spindle::app {
namespace {

struct ServerUrl {
  std::string scheme;    ///< "nats" or "tls"
  std::string userinfo;  ///< "user:pass@" or ""
  std::string host;
  std::uint16_t port = 4222;
};

std::optional<ServerUrl> parse(const std::string& url) {
  ServerUrl u;
  const auto sep = url.find("://");
  if (sep == std::string::npos) return std::nullopt;
  u.scheme = url.substr(0, sep);
  std::string rest = url.substr(sep + 3);
  if (const auto at = rest.rfind('@'); at != std::string::npos) {
    u.userinfo = rest.substr(0, at + 1);
    rest = rest.substr(at + 1);
  }
  if (rest.empty() || rest.front() == '[' || rest.find('/') != std::string::npos) {
    return std::nullopt;  // IPv6 literals and paths stay as they are
  }
  if (const auto colon = rest.find(':'); colon != std::string::npos) {
    try {
      const int port = std::stoi(rest.substr(colon + 1));
      if (port < 1 || port > 65535) return std::nullopt;
      u.port = static_cast<std::uint16_t>(port);
    } catch (const std::exception&) {
      return std::nullopt;
    }
    rest = rest.substr(0, colon);
  }
  u.host = rest;
  return u;
}

bool isAddress(const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

ResolvedServers resolveServers(const std::vector<std::string>& servers, bool tls,
                               const ResolveHost& resolve) {
  ResolvedServers out;
  std::set<std::string> tlsNames;
  for (const auto& url : servers) {
    const auto u = parse(url);
    if (u && !isAddress(u->host) && (tls || u->scheme == "tls")) tlsNames.insert(u->host);
  }
  for (const auto& url : servers) {
    const auto u = parse(url);
    if (!u || isAddress(u->host)) {
      out.servers.push_back(url);
      continue;
    }
    const bool secure = tls || u->scheme == "tls";
    if (secure && tlsNames.size() > 1) {
      out.servers.push_back(url);
      out.notes.push_back(u->host + ": left to the system resolver (TLS servers of several names)");
      continue;
    }
    auto address = resolve(u->host, u->port);
    if (!address) {
      out.servers.push_back(url);
      out.notes.push_back(u->host + ": not resolved through the DNS chain (" +
                          address.error().message() + "); left to the system resolver");
      continue;
    }
    out.servers.push_back(u->scheme + "://" + u->userinfo + *address + ":" +
                          std::to_string(u->port));
    out.servers.push_back(url);
    if (secure) out.expectedHostname = u->host;
    out.notes.push_back(u->host + " = " + *address);
  }
  return out;
}

}  // namespace spindle::app
