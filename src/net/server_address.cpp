#include "net/server_address.hpp"

#include <algorithm>
#include <charconv>

namespace spindle::net {
namespace {

Error badAddress(std::string_view text, const std::string& why) {
  return Error(ErrorCode::kInvalidArgument,
               "'" + std::string(text) + "' is not a server address: " + why +
                   " (examples: 192.168.1.1, 127.0.0.1:5353, " + "[::1]:53, pool.ntp.org)");
}

bool validHostName(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool ServerAddress::isIpLiteral() const {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

std::string ServerAddress::toString() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<ServerAddress> parseServerAddress(std::string_view text, std::uint16_t defaultPort) {
  ServerAddress out;
  out.port = defaultPort;
  std::string_view portText;
  if (text.empty()) return badAddress(text, "it is empty");
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return badAddress(text, "missing ']'");
    out.host = std::string(text.substr(1, close - 1));
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return badAddress(text, "expected ':port' after ']'");
      portText = rest.substr(1);
      if (portText.empty()) return badAddress(text, "empty port");
    }
    boost::system::error_code ec;
    boost::asio::ip::make_address_v6(out.host, ec);
    if (ec) return badAddress(text, "'" + out.host + "' is not an IPv6 address");
  } else if (std::count(text.begin(), text.end(), ':') > 1) {
    out.host = std::string(text);  // a bare IPv6 literal: no port possible without brackets
    boost::system::error_code ec;
    boost::asio::ip::make_address_v6(out.host, ec);
    if (ec) return badAddress(text, "write IPv6 addresses as [addr] or [addr]:port");
  } else {
    const auto colon = text.find(':');
    out.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) {
      portText = text.substr(colon + 1);
      if (portText.empty()) return badAddress(text, "empty port");
    }
    if (!validHostName(out.host)) return badAddress(text, "bad host name");
  }
  if (!portText.empty()) {
    unsigned value = 0;
    const auto [end, ec] =
        std::from_chars(portText.data(), portText.data() + portText.size(), value);
    if (ec != std::errc() || end != portText.data() + portText.size() || value == 0 ||
        value > 65535) {
      return badAddress(text, "the port must be 1-65535");
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  if (out.port == 0) return badAddress(text, "no port");
  return out;
}

Result<ServerAddress> parseIpServerAddress(std::string_view text, std::uint16_t defaultPort) {
  auto parsed = parseServerAddress(text, defaultPort);
  if (!parsed) return parsed;
  if (!parsed->isIpLiteral()) {
    return badAddress(text, "a DNS server must be an IP address, not a name");
  }
  return parsed;
}

bool isLoopback(const boost::asio::ip::address& address) {
  if (address.is_v4()) return address.to_v4().is_loopback();
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).is_loopback();
  }
  return v6.is_loopback();
}

}  // namespace spindle::net
