#include "app/service_notify.hpp"

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace spindle::app {
namespace {

/// The service manager's end: a datagram socket bound where NOTIFY_SOCKET points.
class Listener {
 public:
  /// `name`: a path, or '@' and an abstract name, as NOTIFY_SOCKET spells it.
  explicit Listener(std::string name) : m_name(std::move(name)) {
    m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, m_name.data(), m_name.size());
    const bool abstract = m_name.front() == '@';
    if (abstract) addr.sun_path[0] = '\0';
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + m_name.size() +
                                               (abstract ? 0 : 1));
    m_bound = ::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), length) == 0;
  }
  ~Listener() {
    ::close(m_fd);
    if (m_name.front() != '@') ::unlink(m_name.c_str());
  }
  bool bound() const { return m_bound; }

  /// The next datagram, or nothing within 5 s.
  std::optional<std::string> next() {
    pollfd p{m_fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) != 1) return std::nullopt;
    char buffer[4096];
    const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
    if (n < 0) return std::nullopt;
    return std::string(buffer, static_cast<std::size_t>(n));
  }

 private:
  std::string m_name;
  int m_fd = -1;
  bool m_bound = false;
};

std::string uniqueName(const char* what) {
  return std::string("spindle-notify-test-") + what + "-" + std::to_string(::getpid());
}

/// Sets an environment variable for one test and puts back what was there.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : m_name(name) {
    if (const char* old = std::getenv(name)) m_old = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (m_old) {
      ::setenv(m_name, m_old->c_str(), 1);
    } else {
      ::unsetenv(m_name);
    }
  }

 private:
  const char* m_name;
  std::optional<std::string> m_old;
};

void expectMessages(Listener& listener, const ServiceNotify& notify) {
  ASSERT_TRUE(notify.enabled());
  ASSERT_TRUE(notify.ready());
  ASSERT_TRUE(notify.watchdog());
  ASSERT_TRUE(notify.status("collecting from 3 machines\nREADY=1"));
  ASSERT_TRUE(notify.stopping());
  EXPECT_EQ(listener.next(), "READY=1");
  EXPECT_EQ(listener.next(), "WATCHDOG=1");
  // A line break in the text must not smuggle in another assignment.
  EXPECT_EQ(listener.next(), "STATUS=collecting from 3 machines READY=1");
  EXPECT_EQ(listener.next(), "STOPPING=1");
}

TEST(ServiceNotify, SendsToASocketPath) {
  const std::string path =
      (std::filesystem::temp_directory_path() / (uniqueName("path") + ".sock")).string();
  ::unlink(path.c_str());
  Listener listener(path);
  ASSERT_TRUE(listener.bound()) << path;
  expectMessages(listener, ServiceNotify(path, std::chrono::seconds(0)));
}

TEST(ServiceNotify, SendsToAnAbstractSocket) {
  const std::string name = "@" + uniqueName("abstract");
  Listener listener(name);
  ASSERT_TRUE(listener.bound()) << name;
  expectMessages(listener, ServiceNotify(name, std::chrono::seconds(0)));
}

TEST(ServiceNotify, ReadsTheEnvironment) {
  const std::string name = "@" + uniqueName("env");
  Listener listener(name);
  ASSERT_TRUE(listener.bound());
  const std::string pid = std::to_string(::getpid());
  ScopedEnv socket("NOTIFY_SOCKET", name.c_str());
  {
    ScopedEnv usec("WATCHDOG_USEC", "30000000");
    ScopedEnv watchdogPid("WATCHDOG_PID", nullptr);
    const auto notify = ServiceNotify::fromEnvironment();
    EXPECT_EQ(notify.watchdogInterval(), std::chrono::seconds(30));
    ASSERT_TRUE(notify.watchdog());
    EXPECT_EQ(listener.next(), "WATCHDOG=1");
  }
  {
    ScopedEnv usec("WATCHDOG_USEC", "2000000");
    ScopedEnv watchdogPid("WATCHDOG_PID", pid.c_str());
    EXPECT_EQ(ServiceNotify::fromEnvironment().watchdogInterval(), std::chrono::seconds(2));
  }
  // The manager watches another process (our parent passed its environment on): not ours.
  {
    ScopedEnv usec("WATCHDOG_USEC", "2000000");
    ScopedEnv watchdogPid("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str());
    EXPECT_EQ(ServiceNotify::fromEnvironment().watchdogInterval(), std::chrono::seconds(0));
  }
  for (const char* bad : {"", "abc", "30s", "-5", "0"}) {
    ScopedEnv usec("WATCHDOG_USEC", bad);
    ScopedEnv watchdogPid("WATCHDOG_PID", nullptr);
    EXPECT_EQ(ServiceNotify::fromEnvironment().watchdogInterval(), std::chrono::seconds(0)) << bad;
  }
}

TEST(ServiceNotify, SendsNothingWithoutNotifySocket) {
  const std::string name = "@" + uniqueName("unset");
  Listener listener(name);
  ASSERT_TRUE(listener.bound());
  {
    ScopedEnv socket("NOTIFY_SOCKET", nullptr);
    ScopedEnv usec("WATCHDOG_USEC", "30000000");
    const auto quiet = ServiceNotify::fromEnvironment();
    EXPECT_FALSE(quiet.enabled());
    EXPECT_EQ(quiet.watchdogInterval(), std::chrono::seconds(0));
    EXPECT_TRUE(quiet.ready());
    EXPECT_TRUE(quiet.watchdog());
    EXPECT_TRUE(quiet.status("idle"));
    EXPECT_TRUE(quiet.stopping());
  }
  {
    ScopedEnv socket("NOTIFY_SOCKET", "");
    EXPECT_FALSE(ServiceNotify::fromEnvironment().enabled());
  }
  // Datagrams on one socket arrive in order: if the quiet notifier had sent anything, it would
  // come before this marker.
  ASSERT_TRUE(ServiceNotify(name, std::chrono::seconds(0)).send("MARKER=1"));
  EXPECT_EQ(listener.next(), "MARKER=1");
}

TEST(ServiceNotify, ReportsAFailedSendAsAnError) {
  const std::string path =
      (std::filesystem::temp_directory_path() / (uniqueName("nobody") + ".sock")).string();
  ::unlink(path.c_str());
  const auto sent = ServiceNotify(path, std::chrono::seconds(0)).ready();
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code(), ErrorCode::kIo);
  EXPECT_NE(sent.error().describe().find(path), std::string::npos) << sent.error().describe();

  const auto tooLong = ServiceNotify("/" + std::string(200, 'x'), std::chrono::seconds(0)).ready();
  ASSERT_FALSE(tooLong);
  EXPECT_EQ(tooLong.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace spindle::app
