#pragma once
/// Test support: a listening TCP socket on 127.0.0.1 at a port the kernel picks, for the test
/// servers (line server, test agent, fake NATS server, netcheck peers). Header-only.

#include <cstdint>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace spindle::testing {

struct LoopbackListener {
  int fd = -1;
  std::uint16_t port = 0;
};

/// Listens with `backlog`; fd is -1 (and port 0) when the socket cannot be made.
inline LoopbackListener listenOnLoopback(int backlog) {
  LoopbackListener l;
  l.fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (l.fd < 0) return l;
  int one = 1;
  ::setsockopt(l.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(l.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(l.fd, backlog) != 0 ||
      ::getsockname(l.fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(l.fd);
    return {};
  }
  l.port = ntohs(addr.sin_port);
  return l;
}

}  // namespace spindle::testing
