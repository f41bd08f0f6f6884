#include "app/service_notify.hpp"

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace spindle::app {
namespace {

/// A decimal number that fills `text` entirely, else nothing: a half-read WATCHDOG_USEC must
/// not become a watchdog interval.
bool parseUnsigned(const char* text, unsigned long long& out) {
  if (text == nullptr || *text == '\0') return false;
  const char* end = text + std::strlen(text);
  const auto [at, ec] = std::from_chars(text, end, out);
  return ec == std::errc() && at == end;
}

}  // namespace

ServiceNotify::ServiceNotify(std::string socket, std::chrono::microseconds watchdog)
    : m_socket(std::move(socket)), m_watchdog(watchdog) {}

ServiceNotify ServiceNotify::fromEnvironment() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  if (socket == nullptr || *socket == '\0') return {};
  std::chrono::microseconds watchdog{0};
  unsigned long long usec = 0;
  if (parseUnsigned(std::getenv("WATCHDOG_USEC"), usec) && usec > 0) {
    unsigned long long pid = 0;
    const char* pidText = std::getenv("WATCHDOG_PID");
    const bool ours = pidText == nullptr || (parseUnsigned(pidText, pid) &&
                                             pid == static_cast<unsigned long long>(::getpid()));
    if (ours) watchdog = std::chrono::microseconds(usec);
  }
  return ServiceNotify(socket, watchdog);
}

Status ServiceNotify::status(std::string_view text) const {
  if (!enabled()) return okStatus();
  std::string message = "STATUS=";
  message.append(text);
  for (std::size_t i = 7; i < message.size(); ++i) {
    if (message[i] == '\n' || message[i] == '\r') message[i] = ' ';
  }
  return send(message);
}

Status ServiceNotify::send(std::string_view message) const {
  if (!enabled()) return okStatus();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  // '@' names a socket in the abstract namespace: a leading NUL, and the length says where the
  // name ends (it may hold more NULs). A path is NUL-terminated like any other.
  const bool abstract = m_socket.front() == '@';
  const std::size_t nameLength = m_socket.size() + (abstract ? 0 : 1);
  if (nameLength > sizeof addr.sun_path) {
    return Error(ErrorCode::kInvalidArgument,
                 "socket name longer than " + std::to_string(sizeof addr.sun_path) + " bytes")
        .with("NOTIFY_SOCKET " + m_socket);
  }
  std::memcpy(addr.sun_path, m_socket.data(), m_socket.size());
  if (abstract) addr.sun_path[0] = '\0';
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + nameLength);

  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return Error(ErrorCode::kIo, std::strerror(errno)).with("NOTIFY_SOCKET: opening a socket");
  }
  ssize_t sent = 0;
  do {
    sent = ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL,
                    reinterpret_cast<const sockaddr*>(&addr), length);
  } while (sent < 0 && errno == EINTR);
  const int sendErrno = errno;
  ::close(fd);
  if (sent < 0) {
    return Error(ErrorCode::kIo, std::strerror(sendErrno)).with("NOTIFY_SOCKET " + m_socket);
  }
  return okStatus();
}

}  // namespace spindle::app
