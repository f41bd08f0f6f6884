#pragma once
/// The head of an HTTP response (status line and headers), as read by the HTTPS check.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.hpp"

namespace spindle::netcheck {

struct HttpAnswer {
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  ///< names in lower case

  /// The first header named `name` (any case), or nullopt.
  std::optional<std::string> header(std::string_view name) const;
};

/// Parses "HTTP/1.x NNN reason\r\nName: value\r\n...". Stops at the blank line or the end of
/// `text` (a head cut short still gives its status). kProtocol when it is not HTTP.
Result<HttpAnswer> parseHttpHead(std::string_view text);

}  // namespace spindle::netcheck
