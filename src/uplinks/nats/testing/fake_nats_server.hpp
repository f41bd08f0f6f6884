#pragma once
/// Test support: a fake NATS server on 127.0.0.1 that refuses clients (as a hub does when it
/// does not know the user) or takes them and never answers anything but PING, so what is
/// published on it waits for an ack forever; it can also stop reading (a hub too busy to read,
/// so the client's writes block). Header-only, its own thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/testing/loopback_listener.hpp"

namespace spindle::uplinks::nats::testing {

/// Speaks just enough NATS to one client at a time: INFO, then to CONNECT+PING either
/// "-ERR 'Authorization Violation'" and a close (refusing) or PONG and PONGs to every PING.
/// Set to refuse while a client is in, it drops that client.
class FakeNatsServer {
 public:
  FakeNatsServer() {
    const auto listener = spindle::testing::listenOnLoopback(8);
    m_listen = listener.fd;
    m_port = listener.port;
    m_thread = std::thread([this] { run(); });
  }
  ~FakeNatsServer() {
    m_stop = true;
    m_thread.join();
    ::close(m_listen);
  }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(m_port); }
  void refuse(bool refuse) { m_refuse = refuse; }
  /// While stalled the server reads nothing from the client: its socket buffers fill.
  void stall(bool stall) { m_stall = stall; }
  int refused() const { return m_refused.load(); }

 private:
  /// Waits up to 50 ms for `fd` to be readable.
  static bool readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 50) > 0;
  }
  static void send(int fd, const std::string& s) { ::send(fd, s.data(), s.size(), MSG_NOSIGNAL); }

  void run() {
    while (!m_stop) {
      if (!readable(m_listen)) continue;
      const int fd = ::accept(m_listen, nullptr, nullptr);
      if (fd < 0) continue;
      serve(fd);
      ::close(fd);
    }
  }

  void serve(int fd) {
    send(fd,
         "INFO {\"server_id\":\"fake\",\"version\":\"2.9.10\",\"proto\":1,\"headers\":true,"
         "\"max_payload\":1048576,\"auth_required\":true}\r\n");
    std::string in;
    std::size_t scanned = 0;  // no line end before this offset of `in`
    bool greeted = false;
    while (!m_stop) {
      if (greeted && m_stall) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      if (!readable(fd)) continue;
      char buf[65536];
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return;
      in.append(buf, static_cast<std::size_t>(n));
      for (auto eol = in.find("\r\n", scanned); eol != std::string::npos; eol = in.find("\r\n")) {
        const std::string line = in.substr(0, eol);
        in.erase(0, eol + 2);
        scanned = 0;
        if (line.rfind("PING", 0) != 0) continue;
        if (!greeted && m_refuse) {
          ++m_refused;
          send(fd, "-ERR 'Authorization Violation'\r\n");
          return;
        }
        greeted = true;
        send(fd, "PONG\r\n");
      }
      scanned = in.empty() ? 0 : in.size() - 1;
      if (m_refuse && greeted) return;  // refusing again: drop the accepted client
    }
  }

  int m_listen = -1;
  std::uint16_t m_port = 0;
  std::atomic<bool> m_stop{false};
  std::atomic<bool> m_refuse{true};
  std::atomic<bool> m_stall{false};
  std::atomic<int> m_refused{0};
  std::thread m_thread;
};

/// Polls `f` every 10 ms until it holds or `timeout` passes.
inline bool eventually(const std::function<bool()>& f, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return f();
}

}  // namespace spindle::uplinks::nats::testing
