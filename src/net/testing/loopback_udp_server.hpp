#pragma once
/// Tests only: a UDP server on 127.0.0.1 (an ephemeral port) that hands every datagram to a
/// function on its own thread and sends back what the function returns (nothing when empty).
/// The fake DNS and NTP servers of the net tests are such functions.

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace spindle::net::testing {

class LoopbackUdpServer {
 public:
  using Handler = std::function<std::vector<std::uint8_t>(const std::vector<std::uint8_t>&)>;

  explicit LoopbackUdpServer(Handler handler) : m_handler(std::move(handler)) {
    m_fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &len);
    m_port = ntohs(addr.sin_port);
    m_thread = std::thread([this] { loop(); });
  }
  ~LoopbackUdpServer() {
    m_stop = true;
    m_thread.join();
    ::close(m_fd);
  }
  LoopbackUdpServer(const LoopbackUdpServer&) = delete;
  LoopbackUdpServer& operator=(const LoopbackUdpServer&) = delete;

  std::uint16_t port() const { return m_port; }

 private:
  void loop() {
    std::vector<std::uint8_t> in(65536);
    while (!m_stop) {
      pollfd p{m_fd, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      sockaddr_in from{};
      socklen_t fromLen = sizeof from;
      const ssize_t n =
          ::recvfrom(m_fd, in.data(), in.size(), 0, reinterpret_cast<sockaddr*>(&from), &fromLen);
      if (n <= 0) continue;
      const std::vector<std::uint8_t> out =
          m_handler(std::vector<std::uint8_t>(in.begin(), in.begin() + n));
      if (out.empty()) continue;
      ::sendto(m_fd, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), fromLen);
    }
  }

  Handler m_handler;
  int m_fd = -1;
  std::uint16_t m_port = 0;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

}  // namespace spindle::net::testing
