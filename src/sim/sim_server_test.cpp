#include "sim/sim_server.hpp"

#include <atomic>
#include <functional>
#include <future>
#include <istream>
#include <optional>
#include <set>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "base/time.hpp"

namespace spindle::sim {
namespace {

using boost::asio::ip::tcp;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using namespace std::chrono_literals;

/// A plain SHDR client on loopback: every wait is bounded by a deadline.
class LineClient {
 public:
  explicit LineClient(std::uint16_t port) : m_socket(m_io) {
    m_socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  }

  /// The next line without "\n"; nullopt on timeout or when the server closed the socket.
  std::optional<std::string> readLine(milliseconds timeout) {
    if (m_closed) return std::nullopt;
    bool done = false;
    boost::system::error_code result;
    boost::asio::async_read_until(m_socket, m_buffer, '\n',
                                  [&](const boost::system::error_code& error, std::size_t) {
                                    done = true;
                                    result = error;
                                  });
    m_io.restart();
    m_io.run_for(timeout);
    if (!done) {
      m_socket.cancel();
      m_io.restart();
      m_io.run();
    }
    if (result) {
      if (result != boost::asio::error::operation_aborted) m_closed = true;
      return std::nullopt;
    }
    std::istream in(&m_buffer);
    std::string line;
    std::getline(in, line);
    return line;
  }

  /// Reads until a line satisfies `match`; returns it, or nullopt at the deadline or close.
  std::optional<std::string> readUntil(const std::function<bool(const std::string&)>& match,
                                       milliseconds timeout = 3s) {
    const auto deadline = steady_clock::now() + timeout;
    while (!m_closed && steady_clock::now() < deadline) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now());
      auto line = readLine(std::max(left, 1ms));
      if (line && match(*line)) return line;
    }
    return std::nullopt;
  }

  /// True once the server closes the connection within `timeout`.
  bool waitClosed(milliseconds timeout = 3s) {
    readUntil([](const std::string&) { return false; }, timeout);
    return m_closed;
  }

  /// True if, before `timeout`, there is a gap of `quiet` with nothing received.
  bool quietFor(milliseconds quiet, milliseconds timeout = 3s) {
    const auto deadline = steady_clock::now() + timeout;
    while (steady_clock::now() < deadline) {
      if (!readLine(quiet)) return !m_closed;
    }
    return false;
  }

  void send(const std::string& text) { boost::asio::write(m_socket, boost::asio::buffer(text)); }

 private:
  boost::asio::io_context m_io;
  tcp::socket m_socket;
  boost::asio::streambuf m_buffer;
  bool m_closed = false;
};

bool startsWithTimestamp(const std::string& line) {
  const auto bar = line.find('|');
  return bar != std::string::npos && parseTimestamp(line.substr(0, bar)).has_value();
}

class SimServerTest : public ::testing::Test {
 protected:
  static SimOptions fastOptions() {
    SimOptions options;
    options.basePort = 0;
    options.machines = 2;
    options.tick = 20ms;
    options.timeScale = 20;  // something changes on every tick
    return options;
  }

  void startServer(SimOptions options) {
    m_server = std::make_unique<SimServer>(m_io, std::move(options));
    const auto status = m_server->start();
    ASSERT_TRUE(status.ok()) << status.error().describe();
    for (int i = 0; i < 2; ++i) {
      m_threads.emplace_back([this] {
        m_io.run();
        m_finished += 1;
      });
    }
  }

  /// The server leaves no work behind once stopped, so run() returns on its own.
  void TearDown() override {
    if (m_server) m_server->stop();
    const auto deadline = steady_clock::now() + 5s;
    while (m_finished < static_cast<int>(m_threads.size()) && steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
    }
    if (m_finished < static_cast<int>(m_threads.size())) {
      ADD_FAILURE() << "io_context still busy after stop()";
      m_io.stop();
    }
    for (auto& thread : m_threads) thread.join();
  }

  bool waitForClients(int machine, std::size_t count) {
    const auto deadline = steady_clock::now() + 3s;
    while (steady_clock::now() < deadline) {
      if (m_server->clientCount(machine) == count) return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }

  boost::asio::io_context m_io;
  std::unique_ptr<SimServer> m_server;
  std::vector<std::thread> m_threads;
  std::atomic<int> m_finished{0};
};

TEST_F(SimServerTest, SendsEveryKeyOnConnect) {
  startServer(fastOptions());
  const auto ports = m_server->ports();
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_NE(ports[0], 0);
  EXPECT_NE(ports[0], ports[1]);
  EXPECT_EQ(m_server->names(), (std::vector<std::string>{"mill-1", "mill-2"}));

  LineClient client(ports[1]);
  std::set<std::string> keys;
  const auto last = client.readUntil([&](const std::string& line) {
    EXPECT_TRUE(startsWithTimestamp(line)) << line;
    std::vector<std::string> fields;
    std::size_t begin = line.find('|') + 1;
    for (auto end = line.find('|', begin);; end = line.find('|', begin)) {
      fields.push_back(line.substr(begin, end == std::string::npos ? end : end - begin));
      if (end == std::string::npos) break;
      begin = end + 1;
    }
    if (fields[0] == "system" || fields[0] == "message") {
      keys.insert(fields[0]);
    } else {
      for (std::size_t i = 0; i + 1 < fields.size(); i += 2) keys.insert(fields[i]);
    }
    return keys.size() == 18;
  });
  ASSERT_TRUE(last.has_value()) << "keys seen: " << keys.size();
  EXPECT_TRUE(keys.count("avail") && keys.count("Zact") && keys.count("estop"));
}

TEST_F(SimServerTest, AnswersPingWithPong) {
  auto options = fastOptions();
  options.heartbeat = 5000ms;
  startServer(options);
  LineClient client(m_server->ports()[0]);
  client.send("* PING\n");
  EXPECT_TRUE(client.readUntil([](const std::string& l) { return l == "* PONG 5000"; }));
  client.send("hello there\r\n* PING\r\n");  // other input is ignored
  EXPECT_TRUE(client.readUntil([](const std::string& l) { return l == "* PONG 5000"; }));
}

TEST_F(SimServerTest, SilentMachineSendsNothingUntilItTalksAgain) {
  startServer(fastOptions());
  LineClient client(m_server->ports()[0]);
  ASSERT_TRUE(client.readUntil([](const std::string& l) { return l.find("|system|") != l.npos; }));
  m_server->setSilent(0, true);
  ASSERT_TRUE(client.quietFor(300ms));
  client.send("* PING\n");
  EXPECT_TRUE(client.quietFor(500ms, 600ms)) << "answered a PING while silent";
  EXPECT_EQ(m_server->clientCount(0), 1u);

  m_server->setSilent(0, false);  // the whole state comes again
  EXPECT_TRUE(client.readUntil([](const std::string& l) { return l.find("|avail|") != l.npos; }));
}

TEST_F(SimServerTest, DropConnectionsClosesThatMachinesClients) {
  startServer(fastOptions());
  LineClient first(m_server->ports()[0]);
  LineClient second(m_server->ports()[0]);
  LineClient other(m_server->ports()[1]);
  ASSERT_TRUE(waitForClients(0, 2));
  ASSERT_TRUE(waitForClients(1, 1));
  m_server->dropConnections(0);
  EXPECT_TRUE(first.waitClosed());
  EXPECT_TRUE(second.waitClosed());
  EXPECT_TRUE(waitForClients(0, 0));
  EXPECT_EQ(m_server->clientCount(1), 1u);
  EXPECT_TRUE(other.readLine(2s).has_value());

  LineClient again(m_server->ports()[0]);  // reconnecting works and gets the state again
  EXPECT_TRUE(again.readUntil([](const std::string& l) { return l.find("|avail|") != l.npos; }));
}

TEST_F(SimServerTest, ClientThatStopsPingingIsDropped) {
  auto options = fastOptions();
  options.heartbeat = 100ms;
  startServer(options);
  LineClient pinger(m_server->ports()[0]);
  LineClient listener(m_server->ports()[0]);  // never pings, so no heartbeat is expected
  pinger.send("* PING\n");
  ASSERT_TRUE(pinger.readUntil([](const std::string& l) { return l == "* PONG 100"; }));
  EXPECT_TRUE(pinger.waitClosed());
  EXPECT_TRUE(waitForClients(0, 1));
  EXPECT_TRUE(listener.readLine(2s).has_value());
}

TEST_F(SimServerTest, ClientOverItsQueueLimitIsDropped) {
  auto options = fastOptions();
  options.maxClientQueueBytes = 64;  // smaller than the snapshot
  startServer(options);
  LineClient client(m_server->ports()[0]);
  EXPECT_TRUE(client.waitClosed());
  EXPECT_TRUE(waitForClients(0, 0));
}

TEST_F(SimServerTest, FlakyMachineDropsItsClients) {
  auto options = fastOptions();
  options.flakyMachine = 1;
  options.timeScale = 60;  // the first drop comes within 1.5 s
  startServer(options);
  LineClient client(m_server->ports()[1]);
  EXPECT_TRUE(client.waitClosed(5s));
}

TEST_F(SimServerTest, PeerClosingIsHandled) {
  startServer(fastOptions());
  {
    LineClient client(m_server->ports()[0]);
    ASSERT_TRUE(waitForClients(0, 1));
  }
  EXPECT_TRUE(waitForClients(0, 0));
}

TEST_F(SimServerTest, FaultInjectionIgnoresUnknownMachines) {
  startServer(fastOptions());
  m_server->setSilent(7, true);
  m_server->dropConnections(-1);
  EXPECT_EQ(m_server->clientCount(2), 0u);
}

TEST(SimServerStartTest, TakenPortIsAClearError) {
  boost::asio::io_context io;
  tcp::acceptor blocker(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  const auto port = blocker.local_endpoint().port();
  SimOptions options;
  options.basePort = port;
  options.machines = 1;
  SimServer server(io, options);
  const auto status = server.start();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kIo);
  EXPECT_NE(status.error().describe().find(std::to_string(port)), std::string::npos)
      << status.error().describe();
  EXPECT_NE(status.error().describe().find("mill-1"), std::string::npos);
  EXPECT_TRUE(server.ports().empty());
}

TEST(SimServerStartTest, RejectsBadOptions) {
  boost::asio::io_context io;
  auto check = [&](auto change) {
    SimOptions options;
    options.basePort = 0;
    change(options);
    SimServer server(io, options);
    const auto status = server.start();
    EXPECT_FALSE(status.ok());
    if (!status.ok()) {
      EXPECT_EQ(status.error().code(), ErrorCode::kInvalidArgument);
    }
  };
  check([](SimOptions& o) { o.machines = 0; });
  check([](SimOptions& o) { o.flakyMachine = 3; });
  check([](SimOptions& o) { o.tick = 0ms; });
  check([](SimOptions& o) { o.timeScale = 0; });
  check([](SimOptions& o) { o.names = {"a", "a"}; });
  check([](SimOptions& o) { o.bindAddress = "not-an-address"; });
  check([](SimOptions& o) {
    o.basePort = 65535;
    o.machines = 2;
  });
}

TEST(SimServerStartTest, NamesDefaultToMills) {
  boost::asio::io_context io;
  SimOptions options;
  options.names = {"lathe-a"};
  SimServer server(io, options);
  EXPECT_EQ(server.names(), (std::vector<std::string>{"lathe-a", "mill-2", "mill-3"}));
}

TEST(SimServerStartTest, StopLetsRunReturnAndClosesClients) {
  boost::asio::io_context io;
  SimOptions options;
  options.basePort = 0;
  options.machines = 1;
  options.tick = 20ms;
  SimServer server(io, options);
  ASSERT_TRUE(server.start().ok());
  auto running = std::async(std::launch::async, [&] { io.run(); });
  LineClient client(server.ports()[0]);
  ASSERT_TRUE(client.readLine(2s).has_value());
  server.stop();
  server.stop();  // idempotent
  EXPECT_EQ(running.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(client.waitClosed());
  io.stop();
}

}  // namespace
}  // namespace spindle::sim
