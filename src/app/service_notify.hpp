#pragma once
/// Telling the service manager (systemd) how `spindle run` is doing: started, stopping, a status
/// line, and the watchdog's "still alive". This is sd_notify's protocol, written here rather than
/// linked from libsystemd: a message is one datagram of `KEY=value` lines sent to the AF_UNIX
/// socket named by $NOTIFY_SOCKET, so the library would be a dependency for one sendto().
///
/// Without $NOTIFY_SOCKET (a shell, a test, a container with another supervisor) enabled() is
/// false and every call returns at once without a system call.

#include <chrono>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace spindle::app {

class ServiceNotify {
 public:
  /// Not under a service manager: every call does nothing.
  ServiceNotify() = default;
  /// `socket` as $NOTIFY_SOCKET spells it: a filesystem path, or '@' then an abstract name
  /// ("" disables). `watchdog`: the interval within which the manager expects a ping (zero:
  /// no watchdog).
  ServiceNotify(std::string socket, std::chrono::microseconds watchdog);
  /// From $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID. The watchdog is this process's only
  /// when WATCHDOG_PID is unset or names it (the variables may be inherited by a child the
  /// manager does not watch). Reads the environment once and leaves it as it is.
  static ServiceNotify fromEnvironment();

  bool enabled() const { return !m_socket.empty(); }
  /// How often the manager expects watchdog(); zero when it runs no watchdog for us. Ping at
  /// half of it, as systemd recommends, so one late ping is not yet a restart.
  std::chrono::microseconds watchdogInterval() const { return m_watchdog; }

  // Each call sends one datagram. Any thread, also at once (each opens its own socket). Fails
  // with kIo (naming the socket) when the datagram cannot be sent; the caller logs it, the
  // service goes on: systemd then times the start out, or restarts us for a missed ping.

  /// READY=1: the configuration is loaded, the journal is open and the collectors run.
  Status ready() const { return send("READY=1"); }
  /// STOPPING=1: shutdown began (the journal's final commit follows).
  Status stopping() const { return send("STOPPING=1"); }
  /// STATUS=`text`: the one line `systemctl status` shows. Line breaks become spaces (a new
  /// line would start another key).
  Status status(std::string_view text) const;
  /// WATCHDOG=1: still alive. Sent from the thread whose progress it vouches for.
  Status watchdog() const { return send("WATCHDOG=1"); }

  /// Sends `message` (newline-separated `KEY=value` assignments) as it is.
  Status send(std::string_view message) const;

 private:
  std::string m_socket;
  std::chrono::microseconds m_watchdog{0};
};

}  // namespace spindle::app
