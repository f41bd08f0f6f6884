#include "net/http/http_url.hpp"

#include <algorithm>
#include <cctype>

#include <arpa/inet.h>

namespace spindle::net::http {

Result<UrlParts> parseUrl(std::string_view url) {
  UrlParts parts;
  const auto schemeEnd = url.find("://");
  if (schemeEnd == std::string_view::npos || schemeEnd == 0) {
    return Error(ErrorCode::kInvalidArgument, "a URL must start with https://");
  }
  parts.scheme = std::string(url.substr(0, schemeEnd));
  std::transform(parts.scheme.begin(), parts.scheme.end(), parts.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view rest = url.substr(schemeEnd + 3);
  const auto authorityEnd = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authorityEnd);
  std::string_view tail =
      authorityEnd == std::string_view::npos ? std::string_view() : rest.substr(authorityEnd);
  // Userinfo ends at the last '@' of the authority; it is dropped, never copied.
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  std::string_view portText;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return Error(ErrorCode::kInvalidArgument, "the URL's IPv6 address lacks its ']'");
    }
    parts.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return Error(ErrorCode::kInvalidArgument, "unexpected text after the URL's ']'");
      }
      portText = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    parts.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) portText = authority.substr(colon + 1);
  }
  if (parts.host.empty()) return Error(ErrorCode::kInvalidArgument, "the URL has no host");
  parts.port = parts.scheme == "http" ? 80 : 443;
  if (!portText.empty()) {
    unsigned long port = 0;
    for (const char c : portText) {
      if (!std::isdigit(static_cast<unsigned char>(c)) || port > 65535) {
        return Error(ErrorCode::kInvalidArgument, "the URL's port is not a number 1-65535");
      }
      port = port * 10 + static_cast<unsigned long>(c - '0');
    }
    if (port == 0 || port > 65535) {
      return Error(ErrorCode::kInvalidArgument, "the URL's port is not a number 1-65535");
    }
    parts.port = static_cast<std::uint16_t>(port);
  }
  const auto pathEnd = tail.find_first_of("?#");
  parts.path = std::string(tail.substr(0, pathEnd));
  if (parts.path.empty()) parts.path = "/";
  return parts;
}

std::string redactUrlForMessage(std::string_view url) {
  auto parts = parseUrl(url);
  if (!parts) return "<unparsable URL>";
  const bool v6 = parts->host.find(':') != std::string::npos;
  const std::string host = v6 ? "[" + parts->host + "]" : parts->host;
  return parts->scheme + "://" + host + ":" + std::to_string(parts->port) + parts->path;
}

bool isIpLiteral(std::string_view host) {
  const std::string text(host);
  unsigned char buffer[16];
  return ::inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         ::inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

}  // namespace spindle::net::http
