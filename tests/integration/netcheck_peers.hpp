#pragma once
// Real peers for the netcheck tests, each on a free 127.0.0.1 port, started by the test and
// stopped by PID: dnsmasq, chronyd, openssl s_server, nats-server, and the stub peer. Test
// certificates are made at test time with the openssl CLI. Nothing here sends traffic off
// 127.0.0.0/8: every profile the tests use maps its hosts to these stand-ins.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/testing/loopback_listener.hpp"
#include "process.hpp"

namespace spindle::testing::netcheck_peers {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// The absolute path of `name` on PATH or in the sbin directories (daemons live there and CI's
/// PATH may not include them); empty when missing.
inline std::string findProgram(const std::string& name) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/sbin:/sbin:/usr/local/sbin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto end = path.find(':', start);
    const std::string dir = path.substr(start, end == std::string::npos ? end : end - start);
    if (!dir.empty()) {
      const fs::path candidate = fs::path(dir) / name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return "";
}

/// Skips the test with the package to install when a peer program is missing.
#define NETCHECK_REQUIRE_PROGRAM(var, name, package)                             \
  const std::string var = ::spindle::testing::netcheck_peers::findProgram(name); \
  if (var.empty()) {                                                             \
    GTEST_SKIP() << name << " is not installed: apt-get install " << package     \
                 << " (scripts/setup installs it)";                              \
  }

/// A scratch directory per test, removed afterwards.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& tag) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    m_path = fs::temp_directory_path() /
             ("spindle_nc_" + tag + "_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(m_path);
    fs::create_directories(m_path);
  }
  ~ScratchDir() { fs::remove_all(m_path); }
  const fs::path& path() const { return m_path; }
  std::string operator/(const std::string& name) const { return (m_path / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(m_path / name) << text;
    return (m_path / name).string();
  }

 private:
  fs::path m_path;
};

/// Runs a program to completion; returns its exit status.
inline int runProgram(const std::vector<std::string>& argv, const std::string& log,
                      std::chrono::seconds limit = 60s) {
  Process p(argv, log + ".out", log + ".err");
  return p.wait(limit);
}

/// A free UDP port on 127.0.0.1 (nothing listens there: datagrams get ICMP port unreachable).
inline std::uint16_t freeUdpPort() {
  // Below the kernel's ephemeral range (32768 and up) and free for TCP too: dnsmasq listens on
  // both, and a client connection of a test running beside this one may take any ephemeral
  // port for TCP in the meantime.
  std::random_device seed;
  std::mt19937 random(seed());
  std::uniform_int_distribution<int> pick(20000, 32000);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const auto port = static_cast<std::uint16_t>(pick(random));
    bool free = true;
    for (const int type : {SOCK_DGRAM, SOCK_STREAM}) {
      const int fd = ::socket(AF_INET, type, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = htons(port);
      free = free && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
      ::close(fd);
    }
    if (free) return port;
  }
  return freePortRange(1);
}

/// True when something accepts TCP connections on 127.0.0.1:port.
inline bool tcpOpen(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

/// Sends `datagram` to 127.0.0.1:port; true when any answer comes within 200 ms.
inline bool udpAnswers(std::uint16_t port, const std::string& datagram) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  ::sendto(fd, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&addr),
           sizeof addr);
  pollfd p{fd, POLLIN, 0};
  bool answered = false;
  if (::poll(&p, 1, 200) > 0) {
    char buffer[1024];
    answered = ::recv(fd, buffer, sizeof buffer, 0) > 0;
  }
  ::close(fd);
  return answered;
}

/// A DNS query for api.spindle.test (type A).
inline std::string dnsQuery() {
  std::string q("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
  q += std::string(
      "\x03"
      "api"
      "\x07"
      "spindle"
      "\x04"
      "test",
      17);
  q += std::string("\x00\x00\x01\x00\x01", 5);
  return q;
}

/// A 48-byte SNTP client request.
inline std::string ntpQuery() {
  std::string q(48, '\0');
  q[0] = 0x23;  // version 4, mode 3
  return q;
}

/// A listening TCP socket on 127.0.0.1 (the kernel completes connections; nobody reads).
class Listener {
 public:
  Listener() {
    const auto listener = listenOnLoopback(64);
    m_fd = listener.fd;
    m_port = listener.port;
  }
  ~Listener() { ::close(m_fd); }
  std::uint16_t port() const { return m_port; }

 private:
  int m_fd = -1;
  std::uint16_t m_port = 0;
};

/// A peer process that is ready once `ready()` holds; stopped by PID when destroyed.
struct Peer {
  std::unique_ptr<Process> process;
  std::uint16_t port = 0;
};

inline bool waitReady(const std::function<bool()>& ready, Process& /*p*/) {
  return eventually(ready, 15s);
}

/// dnsmasq answering *.spindle.test (and, with `everything`, any name) with 127.0.0.1, with no
/// upstream servers: it cannot forward anything anywhere.
inline std::optional<Peer> startDnsmasq(const std::string& program, const ScratchDir& dir,
                                        bool everything = false) {
  Peer peer;
  peer.port = freeUdpPort();
  std::vector<std::string> argv{program,
                                "--keep-in-foreground",
                                "--log-facility=-",
                                "--conf-file=/dev/null",
                                "--port=" + std::to_string(peer.port),
                                "--listen-address=127.0.0.1",
                                "--bind-interfaces",
                                "--no-resolv",
                                "--no-hosts",
                                "--pid-file=",
                                "--address=/spindle.test/127.0.0.1"};
  if (everything) argv.push_back("--address=/#/127.0.0.1");
  if (::geteuid() != 0) argv.push_back("--user=");
  peer.process = std::make_unique<Process>(argv, dir / "dnsmasq.out", dir / "dnsmasq.err");
  if (!waitReady([&] { return udpAnswers(peer.port, dnsQuery()); }, *peer.process)) {
    ADD_FAILURE() << "dnsmasq did not start: " << readFile(dir / "dnsmasq.err");
    return std::nullopt;
  }
  return peer;
}

/// chronyd serving its local clock (stratum 8) over NTP on a loopback port, never touching the
/// system clock and with no sources of its own. Not `synchronised`: without its local clock as
/// a source, so it answers as a server with no time (leap indicator 3).
inline std::optional<Peer> startChrony(const std::string& program, const ScratchDir& dir,
                                       bool synchronised = true) {
  Peer peer;
  peer.port = freeUdpPort();
  const std::string conf =
      dir.write("chrony.conf",
                "port " + std::to_string(peer.port) + "\nbindaddress 127.0.0.1\nallow 127.0.0.1\n" +
                    (synchronised ? "local stratum 8\n" : "") +
                    "cmdport 0\nbindcmdaddress /\npidfile " + (dir / "chronyd.pid") + "\n");
  std::vector<std::string> argv{program, "-d", "-x", "-f", conf};
  if (::geteuid() != 0) argv.push_back("-U");
  peer.process = std::make_unique<Process>(argv, dir / "chrony.out", dir / "chrony.err");
  if (!waitReady([&] { return udpAnswers(peer.port, ntpQuery()); }, *peer.process)) {
    ADD_FAILURE() << "chronyd did not start: " << readFile(dir / "chrony.err");
    return std::nullopt;
  }
  return peer;
}

/// nats-server with a client port and a leafnode port (the cloud's 7422 role); `peer.port` is
/// the leafnode port. With `cert`/`key`, the leafnode port requires TLS.
inline std::optional<Peer> startNats(const std::string& program, const ScratchDir& dir,
                                     const std::string& cert = "", const std::string& key = "") {
  Peer peer;
  peer.port = freePort();
  std::string leaf = "leafnodes {\n  listen: 127.0.0.1:" + std::to_string(peer.port) + "\n";
  if (!cert.empty()) {
    leaf += "  tls { cert_file: \"" + cert + "\", key_file: \"" + key + "\" }\n";
  }
  leaf += "}\n";
  const std::string conf =
      dir.write("nats.conf", "listen: 127.0.0.1:" + std::to_string(freePort()) + "\n" + leaf);
  peer.process = std::make_unique<Process>(std::vector<std::string>{program, "-c", conf},
                                           dir / "nats.out", dir / "nats.err");
  if (!waitReady([&] { return tcpOpen(peer.port); }, *peer.process)) {
    ADD_FAILURE() << "nats-server did not start: " << readFile(dir / "nats.err");
    return std::nullopt;
  }
  return peer;
}

/// openssl s_server -www (an HTTPS status page) with `cert`/`key` (the chain file may hold
/// intermediates).
inline std::optional<Peer> startSServer(const std::string& program, const ScratchDir& dir,
                                        const std::string& cert, const std::string& key,
                                        const std::string& tag) {
  Peer peer;
  peer.port = freePort();
  peer.process = std::make_unique<Process>(
      std::vector<std::string>{program, "s_server", "-accept",
                               "127.0.0.1:" + std::to_string(peer.port), "-cert", cert, "-key", key,
                               "-www", "-quiet"},
      dir / (tag + ".out"), dir / (tag + ".err"));
  if (!waitReady([&] { return tcpOpen(peer.port); }, *peer.process)) {
    ADD_FAILURE() << "openssl s_server did not start: " << readFile(dir / (tag + ".err"));
    return std::nullopt;
  }
  return peer;
}

/// The stub peer in one of its modes (see netcheck_stub_peer.cpp).
inline std::optional<Peer> startStub(const ScratchDir& dir, const std::string& mode,
                                     std::vector<std::string> extra = {}, bool udp = false) {
  Peer peer;
  peer.port = udp ? freeUdpPort() : freePort();
  std::vector<std::string> argv{NETCHECK_STUB_PEER, mode, std::to_string(peer.port)};
  argv.insert(argv.end(), extra.begin(), extra.end());
  const std::string out = dir / ("stub-" + mode + ".out");
  peer.process = std::make_unique<Process>(argv, out, dir / ("stub-" + mode + ".err"));
  if (!waitReady([&] { return readFile(out).find("ready") != std::string::npos; }, *peer.process)) {
    ADD_FAILURE() << "stub peer " << mode << " did not start";
    return std::nullopt;
  }
  return peer;
}

/// Test PKI made with the openssl CLI: a trusted test CA, an "inspection" CA nobody trusts,
/// and server certificates signed by either.
class TestPki {
 public:
  TestPki(std::string openssl, const ScratchDir& dir) : m_openssl(std::move(openssl)), m_dir(dir) {}

  /// Makes a self-signed CA; returns false on failure (the test fails with the log).
  bool makeCa(const std::string& name, const std::string& subject) {
    return run({m_openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", m_dir / (name + ".key"), "-out", m_dir / (name + ".pem"),
                "-subj", subject, "-days", "2"},
               name);
  }

  /// A server certificate for `names` (DNS names, or IPs when they parse as one) signed by CA
  /// `ca`: files <name>.pem and <name>.key.
  bool makeServer(const std::string& name, const std::string& ca,
                  const std::vector<std::string>& names) {
    std::string san = "subjectAltName=";
    for (std::size_t i = 0; i < names.size(); ++i) {
      in_addr ignored{};
      san += (i ? "," : "") +
             std::string(::inet_pton(AF_INET, names[i].c_str(), &ignored) == 1 ? "IP:" : "DNS:") +
             names[i];
    }
    const std::string ext = m_dir.write(name + ".ext", san + "\n");
    return run({m_openssl, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", m_dir / (name + ".key"), "-out", m_dir / (name + ".csr"), "-subj",
                "/CN=" + names.front()},
               name + "-csr") &&
           run({m_openssl, "x509", "-req", "-in", m_dir / (name + ".csr"), "-CA",
                m_dir / (ca + ".pem"), "-CAkey", m_dir / (ca + ".key"), "-CAcreateserial", "-days",
                "2", "-extfile", ext, "-out", m_dir / (name + ".pem")},
               name + "-sign");
  }

  std::string pem(const std::string& name) const { return m_dir / (name + ".pem"); }
  std::string key(const std::string& name) const { return m_dir / (name + ".key"); }

 private:
  bool run(const std::vector<std::string>& argv, const std::string& tag) {
    const int rc = runProgram(argv, m_dir / ("openssl-" + tag));
    if (rc != 0) {
      ADD_FAILURE() << "openssl " << tag
                    << " failed: " << readFile(m_dir / ("openssl-" + tag + ".err"));
    }
    return rc == 0;
  }

  std::string m_openssl;
  const ScratchDir& m_dir;
};

/// `spindle netcheck ARGS`: exit code, stdout, stderr.
struct NetcheckRun {
  int code = -1;
  std::string out;
  std::string err;
  nlohmann::json json;  ///< parsed stdout when it is JSON

  /// The check with this id ("tls:api.spindle.test:443"), or an empty object.
  nlohmann::json check(const std::string& id) const {
    if (json.contains("checks")) {
      for (const auto& c : json["checks"]) {
        if (c.value("id", "") == id) return c;
      }
    }
    return nlohmann::json::object();
  }
};

/// Runs `spindle netcheck args`; with `wrapper`, as its argument (e.g. {"/usr/bin/unshare",
/// "-n"} for a network namespace of its own).
inline NetcheckRun netcheck(const ScratchDir& dir, std::vector<std::string> args,
                            std::vector<std::string> wrapper = {}) {
  args.insert(args.begin(), {SPINDLE_BINARY, "netcheck"});
  args.insert(args.begin(), wrapper.begin(), wrapper.end());
  NetcheckRun r;
  Process p(args, dir / "netcheck.out", dir / "netcheck.err");
  r.code = p.wait(60s);
  r.out = readFile(dir / "netcheck.out");
  r.err = readFile(dir / "netcheck.err");
  r.json = nlohmann::json::parse(r.out, nullptr, false);
  return r;
}

}  // namespace spindle::testing::netcheck_peers
