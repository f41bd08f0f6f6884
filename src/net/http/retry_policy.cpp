#include "net/http/retry_policy.hpp"

#include <cctype>
#include <string>

#include <curl/curl.h>

namespace spindle::net::http {

bool shouldRetry(AttemptEnd end, int status, bool repeatable) {
  switch (end) {
    case AttemptEnd::kAnswered:
      return repeatable && (status == 429 || (status >= 500 && status <= 599));
    case AttemptEnd::kNotSent:
      return true;
    case AttemptEnd::kTransport:
      return repeatable;
    case AttemptEnd::kTls:
    case AttemptEnd::kTooLarge:
    case AttemptEnd::kProxyRefused:
    case AttemptEnd::kLocal:
    case AttemptEnd::kFinal:
      return false;
  }
  return false;
}

std::optional<Duration> parseRetryAfter(std::string_view value, std::time_t now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) {
    value.remove_suffix(1);
  }
  if (value.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(value.front()))) {
    std::int64_t seconds = 0;
    for (const char c : value) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
      seconds = seconds * 10 + (c - '0');
      if (seconds > 100'000'000) return std::nullopt;  // years: nobody means that
    }
    return std::chrono::seconds(seconds);
  }
  // A date starts with a day name; curl_getdate() knows RFC 9110's three date forms.
  // curl_getdate() is lenient, so a date must at least hold a time of day.
  if (!std::isalpha(static_cast<unsigned char>(value.front())) ||
      value.find(':') == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string text(value);
  const std::time_t when = curl_getdate(text.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  return std::chrono::seconds(when > now ? when - now : 0);
}

}  // namespace spindle::net::http
