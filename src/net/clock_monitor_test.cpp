#include "net/clock_monitor.hpp"

#include <atomic>
#include <future>
#include <thread>

#include <arpa/inet.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "model/observation.hpp"
#include "net/testing/loopback_udp_server.hpp"

namespace spindle::net {
namespace {

using namespace std::chrono_literals;

/// An SNTP server on 127.0.0.1 serving the system time, stratum 3.
class FakeNtpServer {
 public:
  ServerAddress address() const { return ServerAddress{"127.0.0.1", m_server.port()}; }

 private:
  static void putTime(std::vector<std::uint8_t>& p, std::size_t at, NtpTimestamp t) {
    for (int i = 0; i < 4; ++i) {
      p[at + i] = static_cast<std::uint8_t>(t.seconds >> (24 - 8 * i));
      p[at + 4 + i] = static_cast<std::uint8_t>(t.fraction >> (24 - 8 * i));
    }
  }
  static std::vector<std::uint8_t> answer(const std::vector<std::uint8_t>& in) {
    if (in.size() != kNtpPacketSize) return {};
    std::vector<std::uint8_t> out(kNtpPacketSize, 0);
    out[0] = (4 << 3) | 4;
    out[1] = 3;
    std::copy(in.begin() + 40, in.begin() + 48, out.begin() + 24);
    const NtpTimestamp now = toNtp(wallClockNs());
    putTime(out, 32, now);
    putTime(out, 40, now);
    return out;
  }

  spindle::net::testing::LoopbackUdpServer m_server{&FakeNtpServer::answer};
};

/// The edge's clock, `skew` away from the real time.
class SkewedClock final : public Clock {
 public:
  explicit SkewedClock(Duration skew) : m_skew(skew) {}
  TimestampNs now() const override { return wallClockNs() + m_skew.count(); }

 private:
  Duration m_skew;
};

class NetClockMonitor : public ::testing::Test {
 protected:
  NetClockMonitor() : m_work(boost::asio::make_work_guard(m_io)) {
    m_thread = std::thread([this] { m_io.run(); });
  }
  ~NetClockMonitor() override {
    m_work.reset();
    m_thread.join();
  }

  ClockReport check(std::vector<ServerAddress> servers, Duration skew = Duration{0}) {
    ClockOptions options;
    options.servers = std::move(servers);
    options.timeout = 300ms;
    options.maxOffset = 1s;
    auto monitor = ClockMonitor::create(m_io.get_executor(), nullptr, options,
                                        std::make_shared<SkewedClock>(skew));
    EXPECT_EQ(monitor->report().state, ClockState::kUnknown);
    EXPECT_EQ(monitor->observationFlags(), model::kFlagNone);
    std::promise<ClockReport> promise;
    monitor->checkNow([&promise](ClockReport r) { promise.set_value(std::move(r)); });
    auto future = promise.get_future();
    EXPECT_EQ(future.wait_for(10s), std::future_status::ready);
    ClockReport report = future.get();
    EXPECT_EQ(monitor->report().state, report.state);
    EXPECT_EQ(monitor->observationFlags(), report.state == ClockState::kUntrusted
                                               ? model::kFlagUntrustedClock
                                               : model::kFlagNone);
    return report;
  }

  boost::asio::io_context m_io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> m_work;
  std::thread m_thread;
};

TEST_F(NetClockMonitor, TrustsAClockThatAgreesWithNtp) {
  FakeNtpServer ntp;
  const ClockReport r = check({ntp.address()});
  EXPECT_EQ(r.state, ClockState::kTrusted) << r.reason;
  ASSERT_TRUE(r.sample.has_value());
  EXPECT_LT(std::chrono::abs(r.sample->offset), 100ms);
  EXPECT_EQ(r.sample->stratum, 3);
  EXPECT_EQ(r.server, ntp.address().toString());
}

TEST_F(NetClockMonitor, DistrustsAClockBeyondTheThreshold) {
  FakeNtpServer ntp;
  const ClockReport r = check({ntp.address()}, -90s);  // the edge is 90 s behind
  EXPECT_EQ(r.state, ClockState::kUntrusted);
  ASSERT_TRUE(r.sample.has_value());
  EXPECT_GT(r.sample->offset, 89s);
  EXPECT_NE(r.reason.find("more than the 1s allowed"), std::string::npos) << r.reason;
}

TEST_F(NetClockMonitor, FallsToTheNextServerAndDistrustsWhenNoneAnswers) {
  // A port where nothing listens: the kernel answers ICMP port unreachable.
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  const ServerAddress dead{"127.0.0.1", ntohs(addr.sin_port)};

  FakeNtpServer ntp;
  const ClockReport good = check({dead, ntp.address()});
  EXPECT_EQ(good.state, ClockState::kTrusted) << good.reason;
  ASSERT_EQ(good.failures.size(), 1u);
  EXPECT_NE(good.failures[0].find("nothing answers NTP"), std::string::npos) << good.failures[0];

  const ClockReport bad = check({dead});
  EXPECT_EQ(bad.state, ClockState::kUntrusted);
  EXPECT_NE(bad.reason.find("no NTP server answered"), std::string::npos) << bad.reason;
}

TEST_F(NetClockMonitor, ReconfigureChecksAtOnceWithTheNewServersAndCanTurnTheCheckOff) {
  FakeNtpServer ntp;
  ClockOptions options;
  options.servers = {};
  options.timeout = 300ms;
  options.interval = std::chrono::hours(1);
  auto monitor = ClockMonitor::create(m_io.get_executor(), nullptr, options,
                                      std::make_shared<SkewedClock>(-90s));
  monitor->start();
  auto waitFor = [&](auto done) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
    }
    return done();
  };
  // No servers: nothing is checked and nothing is flagged.
  ASSERT_TRUE(waitFor([&] { return monitor->report().checkedAt != 0; }));
  EXPECT_EQ(monitor->report().state, ClockState::kUnknown);
  EXPECT_NE(monitor->report().reason.find("clock check off"), std::string::npos);

  // Servers arrive: checked at once (not after the hour), the 90 s skew is found.
  options.servers = {ntp.address()};
  monitor->reconfigure(options);
  ASSERT_TRUE(waitFor([&] { return monitor->report().state == ClockState::kUntrusted; }))
      << monitor->report().reason;
  EXPECT_EQ(monitor->observationFlags(), model::kFlagUntrustedClock);
  EXPECT_EQ(monitor->report().server, ntp.address().toString());

  // A wider limit applies to the next check, which reconfigure starts at once.
  options.maxOffset = std::chrono::minutes(5);
  monitor->reconfigure(options);
  ASSERT_TRUE(waitFor([&] { return monitor->report().state == ClockState::kTrusted; }))
      << monitor->report().reason;
  EXPECT_EQ(monitor->observationFlags(), model::kFlagNone);

  // Back to no servers: untrusted flags stop.
  options.maxOffset = 1s;
  monitor->reconfigure(options);
  ASSERT_TRUE(waitFor([&] { return monitor->report().state == ClockState::kUntrusted; }));
  options.servers = {};
  monitor->reconfigure(options);
  ASSERT_TRUE(waitFor([&] { return monitor->report().state == ClockState::kUnknown; }));
  EXPECT_EQ(monitor->observationFlags(), model::kFlagNone);
  monitor->stop();
}

TEST(NetClockFormat, SignedOffsets) {
  EXPECT_EQ(formatOffset(std::chrono::microseconds(12300)), "+12.3 ms");
  EXPECT_EQ(formatOffset(-std::chrono::milliseconds(2450)), "-2.450 s");
}

}  // namespace
}  // namespace spindle::net
