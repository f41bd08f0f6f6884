#pragma once
/// The S3 test peer (tests/peers/s3/server.js: s3rver behind a SigV4 and Content-MD5 check) as a
/// child process on a free 127.0.0.1 port over TLS, started and stopped by PID, and a TCP relay
/// the test controls that cuts every connection once a number of bytes went through it (a
/// connection killed in the middle of a part). Access key and secret: "S3RVER" (s3rver's).
/// s3rver comes from SPINDLE_S3_PEER_DIR/node_modules (scripts/setup installs it); when it is
/// missing, start() says so and the test fails: never a silent skip.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "process.hpp"

#ifndef SPINDLE_S3_PEER_DIR
#error "SPINDLE_S3_PEER_DIR must name build/test-peers/s3"
#endif

namespace spindle::testing {

class S3Peer {
 public:
  /// `dir` holds the objects (kept across restart()) and the peer's output.
  S3Peer(std::string dir, std::string cert, std::string key, std::vector<std::string> buckets)
      : m_dir(std::move(dir)),
        m_cert(std::move(cert)),
        m_key(std::move(key)),
        m_buckets(std::move(buckets)),
        m_port(freePort()) {}
  ~S3Peer() { stop(); }
  S3Peer(const S3Peer&) = delete;
  S3Peer& operator=(const S3Peer&) = delete;

  static std::string modulesDir() { return std::string(SPINDLE_S3_PEER_DIR) + "/node_modules"; }

  /// "" when it listens, else why not.
  std::string start() {
    if (!std::filesystem::exists(modulesDir() + "/s3rver")) {
      return "s3rver is not installed in " + modulesDir() +
             ": run scripts/setup (it installs the S3 test peer)";
    }
    std::vector<std::string> argv = {
        "/usr/bin/env", "NODE_PATH=" + modulesDir(),
        "node",         std::string(SPINDLE_SOURCE_DIR) + "/tests/peers/s3/server.js",
        "--port",       std::to_string(m_port),
        "--dir",        m_dir + "/objects",
        "--cert",       m_cert,
        "--key",        m_key};
    for (const auto& b : m_buckets) {
      argv.push_back("--bucket");
      argv.push_back(b);
    }
    ++m_starts;
    m_out = m_dir + "/s3-out" + std::to_string(m_starts) + ".log";
    m_err = m_dir + "/s3-err" + std::to_string(m_starts) + ".log";
    m_process = std::make_unique<Process>(argv, m_out, m_err);
    const bool ready =
        eventually([&] { return readFile(m_out).find("ready ") != std::string::npos; },
                   std::chrono::seconds(20));
    return ready ? "" : "the S3 test peer did not get ready: " + readFile(m_err);
  }

  void stop() {
    if (!m_process) return;
    m_process->kill(SIGTERM);
    m_process.reset();
  }

  std::uint16_t port() const { return m_port; }
  std::string endpoint() const { return "https://127.0.0.1:" + std::to_string(m_port); }

  /// The request lines the peer printed since it started ("PUT /bucket/key?partNumber=2&...").
  std::vector<std::string> requests() const {
    std::vector<std::string> out;
    std::istringstream in(readFile(m_out));
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("request ", 0) == 0) out.push_back(line.substr(8));
    }
    return out;
  }
  /// UploadPart requests for part `number` that reached the peer.
  int partRequests(int number) const {
    int n = 0;
    for (const auto& r : requests()) {
      const auto at = r.find("partNumber=");
      if (r.rfind("PUT ", 0) == 0 && at != std::string::npos &&
          std::atoi(r.c_str() + at + 11) == number) {
        ++n;
      }
    }
    return n;
  }

 private:
  std::string m_dir, m_cert, m_key;
  std::vector<std::string> m_buckets;
  std::uint16_t m_port;
  int m_starts = 0;
  std::string m_out, m_err;
  std::unique_ptr<Process> m_process;
};

/// A TCP relay on 127.0.0.1 to `target`: once `cutAfter` bytes from clients went through
/// (counted over all connections), it closes every connection once and refuses new ones until
/// heal() (the HTTP client would otherwise resend the cut request on a fresh connection, as
/// libcurl does when a reused connection dies before any answer); then they relay normally.
/// With `hold`, it does not close them but stops passing on what clients send (a
/// link gone silent mid-part) until release(). A thread per direction; stopped by its
/// destructor.
class CuttingRelay {
 public:
  CuttingRelay(std::uint16_t target, std::uint64_t cutAfter, bool hold = false)
      : m_target(target), m_cutAfter(cutAfter), m_hold(hold) {
    m_listener = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(m_listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(m_listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(m_listener, 16);
    socklen_t len = sizeof addr;
    ::getsockname(m_listener, reinterpret_cast<sockaddr*>(&addr), &len);
    m_port = ntohs(addr.sin_port);
    m_accept = std::thread([this] { acceptLoop(); });
  }
  ~CuttingRelay() {
    m_stop = true;
    ::shutdown(m_listener, SHUT_RDWR);
    ::close(m_listener);
    m_accept.join();
    std::lock_guard lock(m_mutex);
    for (const int fd : m_fds) ::shutdown(fd, SHUT_RDWR);
    for (auto& t : m_threads) t.join();
    for (const int fd : m_fds) ::close(fd);
  }
  std::uint16_t port() const { return m_port; }
  bool cut() const { return m_cut; }
  /// Passes everything on again (a relay made with `hold`).
  void release() { m_released = true; }
  /// Accepts connections again after the cut (a relay made without `hold`).
  void heal() { m_healed = true; }
  std::uint64_t forwarded() const { return m_forwarded; }

 private:
  void acceptLoop() {
    while (!m_stop) {
      const int client = ::accept(m_listener, nullptr, nullptr);
      if (client < 0) return;
      if (m_cut && !m_hold && !m_healed) {  // the link is down until heal()
        ::close(client);
        continue;
      }
      const int server = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = htons(m_target);
      if (::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(client);
        ::close(server);
        continue;
      }
      std::lock_guard lock(m_mutex);
      m_fds.push_back(client);
      m_fds.push_back(server);
      m_threads.emplace_back([this, client, server] { pump(client, server, true); });
      m_threads.emplace_back([this, client, server] { pump(server, client, false); });
    }
  }

  void pump(int from, int to, bool upstream) {
    char buffer[64 * 1024];
    while (true) {
      const ssize_t n = ::recv(from, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      if (upstream && m_hold && !m_released) {
        m_forwarded += static_cast<std::uint64_t>(n);
        if (m_forwarded >= m_cutAfter) {
          m_cut = true;
          while (!m_released && !m_stop) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
      } else if (upstream && !m_cut && !m_hold) {
        m_forwarded += static_cast<std::uint64_t>(n);
        if (m_forwarded >= m_cutAfter) {
          m_cut = true;
          std::lock_guard lock(m_mutex);
          for (const int fd : m_fds) ::shutdown(fd, SHUT_RDWR);
          break;
        }
      }
      if (::send(to, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) break;
    }
    ::shutdown(from, SHUT_RDWR);
    ::shutdown(to, SHUT_RDWR);
  }

  std::uint16_t m_target;
  std::uint64_t m_cutAfter;
  bool m_hold;
  std::atomic<bool> m_released{false};
  std::atomic<bool> m_healed{false};
  int m_listener = -1;
  std::uint16_t m_port = 0;
  std::atomic<bool> m_stop{false};
  std::atomic<bool> m_cut{false};
  std::atomic<std::uint64_t> m_forwarded{0};
  std::mutex m_mutex;
  std::vector<int> m_fds;
  std::vector<std::thread> m_threads;
  std::thread m_accept;
};

}  // namespace spindle::testing
