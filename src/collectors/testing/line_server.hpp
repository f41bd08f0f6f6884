#pragma once
/// Test support: a scripted TCP line server on 127.0.0.1 (a stand-in adapter whose every byte
/// the test decides). Blocking sockets on its own threads; header-only.

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/testing/loopback_listener.hpp"

namespace spindle::collectors::testing {

class LineServer {
 public:
  /// `pong`: answer "* PING" with this line ("" = never answer).
  explicit LineServer(std::string pong = "* PONG 10000") : m_pong(std::move(pong)) {
    const auto listener = spindle::testing::listenOnLoopback(4);
    m_listen = listener.fd;
    m_port = listener.port;
    m_acceptor = std::thread([this] { acceptLoop(); });
  }

  ~LineServer() {
    m_stopping = true;
    ::shutdown(m_listen, SHUT_RDWR);
    ::close(m_listen);
    closeClient();
    m_acceptor.join();
  }

  std::uint16_t port() const { return m_port; }
  int connections() const { return m_connections.load(); }

  /// Sends raw bytes to the connected client (no-op when none).
  void send(const std::string& bytes) {
    std::lock_guard lock(m_mutex);
    if (m_client >= 0) ::send(m_client, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  }

  void closeClient() {
    std::thread reader;
    {
      std::lock_guard lock(m_mutex);
      if (m_client >= 0) ::shutdown(m_client, SHUT_RDWR);
      reader = std::move(m_reader);
    }
    if (reader.joinable()) reader.join();
    std::lock_guard lock(m_mutex);
    if (m_client >= 0) ::close(m_client);
    m_client = -1;
  }

  /// Stop answering PINGs (the adapter hangs but keeps its socket open).
  void setSilent(bool silent) { m_silent = silent; }
  /// PINGs answered so far.
  int pongs() const { return m_pongs; }

 private:
  void acceptLoop() {
    while (!m_stopping) {
      const int fd = ::accept(m_listen, nullptr, nullptr);
      if (fd < 0) return;
      closeClient();
      std::lock_guard lock(m_mutex);
      m_client = fd;
      ++m_connections;
      m_reader = std::thread([this, fd] { readLoop(fd); });
    }
  }

  void readLoop(int fd) {
    char buf[4096];
    std::string pending;
    while (true) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return;
      pending.append(buf, static_cast<size_t>(n));
      size_t nl;
      while ((nl = pending.find('\n')) != std::string::npos) {
        const std::string line = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        if (line.rfind("* PING", 0) == 0 && !m_pong.empty() && !m_silent) {
          const std::string reply = m_pong + "\n";
          ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
          ++m_pongs;
        }
      }
    }
  }

  std::string m_pong;
  int m_listen = -1;
  std::uint16_t m_port = 0;
  std::atomic<bool> m_stopping{false};
  std::atomic<bool> m_silent{false};
  std::atomic<int> m_connections{0};
  std::atomic<int> m_pongs{0};
  std::mutex m_mutex;
  int m_client = -1;
  std::thread m_reader;
  std::thread m_acceptor;
};

}  // namespace spindle::collectors::testing
