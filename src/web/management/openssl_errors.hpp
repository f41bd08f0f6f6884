#pragma once
/// OpenSSL's queued error reasons as text, for the messages of the management page's security
/// parts (password hashing, certificates).

#include <string>

#include <openssl/err.h>

namespace spindle::web::management {

/// The queued reasons, prefixed ": " and joined by "; " ("" when none), so a refusal says
/// why; the queue is left empty.
inline std::string opensslReasons() {
  std::string reasons;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    reasons += reasons.empty() ? ": " : "; ";
    reasons += buf;
  }
  return reasons;
}

}  // namespace spindle::web::management
