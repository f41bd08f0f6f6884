#pragma once
/// Slows password guessing on the management page: per client address and across all clients.
/// Pure: no clock (the caller passes `now`, nanoseconds), no I/O, no logging.

#include <cstddef>
#include <deque>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/error.hpp"
#include "base/time.hpp"

namespace spindle::web::management {

struct LoginThrottleOptions {
  static constexpr TimestampNs kSecondNs = 1'000'000'000;
  static constexpr TimestampNs kMinuteNs = 60 * kSecondNs;

  /// This many failures from one client within failureWindowNs lock that client.
  std::size_t maxFailures = 5;
  TimestampNs failureWindowNs = 5 * kMinuteNs;
  /// The first lock of a client lasts firstLockNs; each further lock doubles it, up to maxLockNs.
  TimestampNs firstLockNs = 30 * kSecondNs;
  TimestampNs maxLockNs = 15 * kMinuteNs;
  /// A client with no failure for this long starts again from firstLockNs.
  TimestampNs forgetAfterNs = 60 * kMinuteNs;
  /// This many failures across all clients within globalWindowNs lock every login for
  /// globalLockNs (a guesser with many addresses).
  std::size_t globalMaxFailures = 50;
  TimestampNs globalWindowNs = 60 * kSecondNs;
  TimestampNs globalLockNs = 60 * kSecondNs;
  /// Clients tracked at most; one more forgets the one seen least recently.
  std::size_t maxClients = 4096;
};

/// Usage: check() before verifying a password; then failed() or succeeded().
/// Thread: every member may be called from any thread (one mutex inside).
/// Memory: bounded by maxClients entries of at most maxFailures times each, plus
/// globalMaxFailures times.
class LoginThrottle {
 public:
  explicit LoginThrottle(LoginThrottleOptions options = {});

  /// Ok when `client` may try a password now. Otherwise kUnavailable with a message for the
  /// person at the browser, e.g. "too many failed logins from 192.0.2.7: try again in 28 s"
  /// (seconds rounded up).
  Status check(std::string_view client, TimestampNs now) const;

  /// Records a wrong password from `client`. A failure while the client is locked only counts
  /// towards the global limit (the attempt was refused before any password was checked).
  void failed(std::string_view client, TimestampNs now);

  /// A correct password: the client's failures and its lock doubling are forgotten.
  void succeeded(std::string_view client);

  /// Clients tracked now.
  std::size_t trackedClients() const;

 private:
  struct Client {
    std::deque<TimestampNs> failures;  // within the window, at most maxFailures
    TimestampNs lastFailureNs = 0;
    TimestampNs lockedUntilNs = 0;
    unsigned locks = 0;  // locks so far: the next lasts firstLock * 2^locks
    std::list<std::string>::iterator lru;
  };

  Client& touch(std::string_view client);
  TimestampNs lockLength(unsigned locks) const;

  LoginThrottleOptions m_options;
  mutable std::mutex m_mutex;
  std::unordered_map<std::string, Client> m_clients;
  std::list<std::string> m_lru;              // client addresses, most recently failed first
  std::deque<TimestampNs> m_globalFailures;  // within the global window
  TimestampNs m_globalLockedUntilNs = 0;
};

}  // namespace spindle::web::management
