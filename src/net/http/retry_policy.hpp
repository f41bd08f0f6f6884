#pragma once
/// When the HTTP client tries a request again, and how long it waits first. Pure functions:
/// the client feeds them what an attempt ended with; the tests pin the table.

#include <ctime>
#include <optional>
#include <string_view>

#include "base/units.hpp"

namespace spindle::net::http {

/// How one attempt ended, as far as retrying is concerned.
enum class AttemptEnd {
  kAnswered,      ///< an HTTP status arrived with its whole body (see `status`)
  kNotSent,       ///< nothing reached the server: connect refused, name unresolved for now
  kTransport,     ///< the exchange broke after the request may have left: reset, timeout
  kTls,           ///< certificate, host name or pin did not verify: configuration, not luck
  kTooLarge,      ///< the response was over the request's limit
  kProxyRefused,  ///< the proxy said no (407/401/403 to CONNECT)
  kLocal,         ///< a local problem: a file to upload or to write cannot be used
  kFinal,         ///< anything else not worth repeating (a name that does not exist, stop())
};

/// True when the attempt should be repeated (if attempts and the deadline remain).
/// - Answers: 5xx and 429 are retried; every other status (2xx, 3xx, 4xx) is final.
/// - kNotSent is retried for any method: the server never saw the request.
/// - kTransport and answered 5xx/429 are retried only for `repeatable` requests (idempotent
///   or carrying an idempotency key), since the server may have acted on the first one.
/// - TLS, size, proxy refusals, local and final errors are never retried.
bool shouldRetry(AttemptEnd end, int status, bool repeatable);

/// The wait a Retry-After header asks for: delay-seconds ("120") or an HTTP-date ("Wed, 21 Oct
/// 2026 07:28:00 GMT", and the obsolete RFC 850 and asctime forms), relative to `now` (Unix
/// seconds). A date in the past is zero. nullopt for anything else (empty, negative, garbage).
std::optional<Duration> parseRetryAfter(std::string_view value, std::time_t now);

}  // namespace spindle::net::http
