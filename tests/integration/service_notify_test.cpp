// `spindle run` under a service manager, as systemd runs it (Type=notify, WatchdogSec=): the
// test plays the manager's notification socket and checks READY=1 once the edge collects,
// WATCHDOG=1 pings at half the interval for as long as it runs, STOPPING=1 on SIGTERM, and that
// every datagram comes from the main process (systemd's NotifyAccess=main drops others).

#include <chrono>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "loopback_config.hpp"
#include "process.hpp"

namespace spindle::testing {
namespace {

namespace fs = std::filesystem;

/// The manager's end of NOTIFY_SOCKET: an abstract datagram socket that receives each
/// sender's credentials.
class NotifySocket {
 public:
  NotifySocket() {
    m_name = "@spindle-notify-e2e-" + std::to_string(::getpid());
    m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path + 1, m_name.data() + 1, m_name.size() - 1);
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + m_name.size());
    const int on = 1;
    m_ok = ::setsockopt(m_fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on) == 0 &&
           ::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), length) == 0;
  }
  ~NotifySocket() { ::close(m_fd); }
  bool ok() const { return m_ok; }
  const std::string& name() const { return m_name; }

  struct Message {
    std::string text;
    pid_t sender = 0;
  };
  /// The next datagram within `timeout`, or nothing.
  std::optional<Message> next(std::chrono::milliseconds timeout) {
    pollfd p{m_fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
    char buffer[4096];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
    iovec iov{buffer, sizeof buffer};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(m_fd, &msg, 0);
    if (n < 0) return std::nullopt;
    Message out{std::string(buffer, static_cast<std::size_t>(n)), 0};
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
        ucred cred{};
        std::memcpy(&cred, CMSG_DATA(c), sizeof cred);
        out.sender = cred.pid;
      }
    }
    return out;
  }
  /// Datagrams until one reads `text` (included), within `timeout` in all; nothing if it
  /// never came.
  std::optional<std::vector<Message>> until(const std::string& text,
                                            std::chrono::milliseconds timeout) {
    std::vector<Message> seen;
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      auto m = next(left);
      if (!m) return std::nullopt;
      seen.push_back(*m);
      if (m->text == text) return seen;
    }
  }

 private:
  std::string m_name;
  int m_fd = -1;
  bool m_ok = false;
};

std::string texts(const std::vector<NotifySocket::Message>& messages) {
  std::string out;
  for (const auto& m : messages) out += "[" + m.text + "] ";
  return out;
}

TEST(ServiceNotifyEndToEnd, ReadyWatchdogPingsAndStoppingFromTheMainProcess) {
  const fs::path dir =
      fs::temp_directory_path() / ("spindle_notify_e2e_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto port = freePortRange(1);
  const std::string config = (dir / "spindle.yaml").string();
  std::ofstream(config) << "edge:\n  data_dir: " << (dir / "data").string()
                        << "\n  status_interval: 0s\n"
                        << loopbackSections()
                        << "simulator:\n  enabled: true\n  machines: 1\n  base_port: " << port
                        << "\n  tick: 20ms\nmachines:\n  - id: m1\n    type: shdr\n"
                        << "    host: 127.0.0.1\n    port: " << port << "\n";
  NotifySocket manager;
  ASSERT_TRUE(manager.ok()) << std::strerror(errno);

  // 400 ms: pings every 200 ms. /usr/bin/env sets the variables and execs spindle in the same
  // process, as systemd does.
  Process spindle({"/usr/bin/env", "NOTIFY_SOCKET=" + manager.name(), "WATCHDOG_USEC=400000",
                   SPINDLE_BINARY, "run", "--config", config},
                  (dir / "run.out").string(), (dir / "run.err").string());
  const pid_t pid = spindle.pid();

  const auto started = manager.until("READY=1", std::chrono::seconds(30));
  ASSERT_TRUE(started) << readFile((dir / "run.err").string());
  bool sawStatus = false;
  for (const auto& m : *started) {
    EXPECT_EQ(m.sender, pid) << m.text;
    sawStatus = sawStatus || m.text.rfind("STATUS=collecting from 1 machines", 0) == 0;
  }
  EXPECT_TRUE(sawStatus) << texts(*started);

  // Pings keep coming while it runs: five in a row, each well within the interval's 400 ms
  // (generous for a loaded CI machine: 2 s), nothing else in between.
  for (int i = 0; i < 5; ++i) {
    const auto m = manager.next(std::chrono::seconds(2));
    ASSERT_TRUE(m) << "ping " << i + 1 << " missing\n" << readFile((dir / "run.err").string());
    EXPECT_EQ(m->text, "WATCHDOG=1");
    EXPECT_EQ(m->sender, pid);
  }

  EXPECT_EQ(spindle.kill(SIGTERM), 0) << readFile((dir / "run.err").string());
  const auto stopping = manager.until("STOPPING=1", std::chrono::seconds(5));
  ASSERT_TRUE(stopping) << readFile((dir / "run.err").string());
  EXPECT_EQ(stopping->back().sender, pid);
  EXPECT_NE(readFile((dir / "run.err").string()).find("service watchdog: 400ms"), std::string::npos)
      << readFile((dir / "run.err").string());
  if (!::testing::Test::HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace spindle::testing
