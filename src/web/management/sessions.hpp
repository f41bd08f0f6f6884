#pragma once
/// The management page's login sessions: who is logged in, with which role, until when.
/// Pure: no clock (the caller passes `now`), no I/O; tokens come from OpenSSL's RNG.

#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/error.hpp"
#include "base/time.hpp"

namespace spindle::web::management {

enum class Role {
  kViewer,  ///< sees every page, changes nothing
  kAdmin,   ///< also changes the configuration and restarts collectors
};

/// "viewer" or "admin".
const char* toString(Role role);

struct SessionOptions {
  /// A session unused this long ends (nanoseconds).
  TimestampNs idleTimeoutNs = TimestampNs{30} * 60 * 1'000'000'000;
  /// A session ends this long after login however busy it is (nanoseconds).
  TimestampNs absoluteTimeoutNs = TimestampNs{12} * 3600 * 1'000'000'000;
  /// Sessions kept at most (at least 1); one more evicts the least recently used.
  std::size_t maxSessions = 64;
};

/// What the server hands to the browser at login: the session cookie's value and the token the
/// page echoes in a header on every state-changing request. Both are 32 random bytes in
/// base64url without padding (43 characters).
struct NewSession {
  std::string token;
  std::string csrfToken;
};

/// A live session as find() returns it (a copy: later changes to the store do not show here).
/// The CSRF token is kept as issued because the page asks for it again after a reload; on its
/// own it grants nothing without the session cookie.
struct Session {
  std::string user;
  Role role = Role::kViewer;
  std::string csrfToken;
  TimestampNs createdNs = 0;   ///< login time
  TimestampNs lastUsedNs = 0;  ///< last create() or find() that returned it
};

/// Thread: every member may be called from any thread (one mutex inside).
/// Session tokens are kept only as their SHA-256, so a memory dump or a debug print of the
/// store yields nothing a browser could present. Times are the caller's clock in nanoseconds;
/// a clock that steps back never makes a session younger.
class SessionStore {
 public:
  explicit SessionStore(SessionOptions options = {});

  /// Starts a session. Expired sessions are dropped first; if the store is still full, the
  /// least recently used session ends. kInvalidArgument for an empty user; kInternal if the
  /// RNG or the hash fails.
  Result<NewSession> create(std::string_view user, Role role, TimestampNs now);

  /// The session for a cookie value, or nullopt when unknown or expired (an expired session is
  /// removed). A found session's idle clock restarts at `now`.
  std::optional<Session> find(std::string_view token, TimestampNs now);

  /// True when `presented` is the session's CSRF token; constant time in the token's content.
  static bool checkCsrf(const Session& session, std::string_view presented);

  /// Logout: ends the session with this token. False if there was none.
  bool remove(std::string_view token);

  /// Ends every session of `user` (after a password change or removal). Returns how many.
  std::size_t removeUser(std::string_view user);

  /// Sessions held now, expired ones included until they are next looked at.
  std::size_t size() const;

 private:
  struct Entry {
    Session session;
    std::list<std::string>::iterator lru;  // position in m_lru
  };

  bool expired(const Session& session, TimestampNs now) const;
  void erase(std::unordered_map<std::string, Entry>::iterator it);

  SessionOptions m_options;
  mutable std::mutex m_mutex;
  std::unordered_map<std::string, Entry> m_sessions;  // keyed by SHA-256 of the token
  std::list<std::string> m_lru;                       // token hashes, most recently used first
};

}  // namespace spindle::web::management
