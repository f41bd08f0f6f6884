#pragma once
/// Credentials inside URLs, hidden before a URL is logged, reported or returned: every place
/// that formats a configured URL (logs, diagnostics, health, `spindle validate`) passes it
/// through redactUrl(). Pure, no allocation beyond the result.

#include <string>
#include <string_view>

namespace spindle {

/// What replaces a hidden credential.
inline constexpr std::string_view kRedacted = "<redacted>";

/// `text` with the credentials of every URL in it hidden: "nats://edge:s3cret@hub:4222"
/// becomes "nats://edge:<redacted>@hub:4222" and a bare token ("nats://t0ken@hub") becomes
/// "nats://<redacted>@hub". Works on a single URL and on longer text holding URLs (a list,
/// a log line, an error message); text without "scheme://" comes back unchanged.
std::string redactUrl(std::string_view text);

/// True when `text` holds a URL with credentials (user:password@ or token@).
bool hasUrlCredentials(std::string_view text);

}  // namespace spindle
