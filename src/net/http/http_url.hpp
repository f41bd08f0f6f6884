#pragma once
/// The parts of an https:// URL the client needs before curl sees it: the host and port to
/// resolve through the DNS chain, and a form of the URL that is safe for logs and errors.
/// Pure functions, no I/O.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace spindle::net::http {

struct UrlParts {
  std::string scheme;  ///< lower case: "https"
  std::string host;    ///< a name or an IP literal, IPv6 without brackets
  std::uint16_t port = 443;
  std::string path;  ///< from the first '/' up to '?' or '#'; "/" when absent
};

/// Splits "scheme://[user[:password]@]host[:port][/path][?query][#fragment]". The port
/// defaults to 443 for https and 80 for http. kInvalidArgument (message without the URL's
/// query or credentials) when there is no scheme, no host, or the port is not 1..65535.
Result<UrlParts> parseUrl(std::string_view url);

/// The URL as it may appear in logs and error messages: "https://host:port/path" without
/// credentials, query and fragment (S3 presigned URLs carry their signature in the query).
/// Text that does not parse as a URL becomes "<unparsable URL>".
std::string redactUrlForMessage(std::string_view url);

/// True when `host` is an IPv4 or IPv6 literal (no brackets).
bool isIpLiteral(std::string_view host);

}  // namespace spindle::net::http
