// The HTTP server against clients that hold connections without using them, with real
// sockets on loopback: slowloris heads, idle connections, one client opening too many.

#include "web/http_server.hpp"

#include <cerrno>
#include <system_error>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "web/testing/http_get.hpp"

namespace spindle::web {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest() : m_work(asio::make_work_guard(m_io)) {
    m_thread = std::thread([this] { m_io.run(); });
  }
  ~HttpServerTest() override {
    if (m_server) m_server->stop();
    m_clients.clear();
    m_work.reset();
    m_io.stop();
    m_thread.join();
  }

  void startServer(HttpServerOptions o) {
    o.bind = "127.0.0.1";
    o.port = 0;
    m_server =
        std::make_shared<HttpServer>(m_io, o, [](const HttpRequest&, std::shared_ptr<Responder> r) {
          r->reply(200, "text/plain", "served");
        });
    ASSERT_TRUE(m_server->start().ok());
  }

  /// A client socket from `from` that sent `bytes` (a request head it never finishes).
  tcp::socket& slowClient(const std::string& bytes, const char* from = "127.0.0.1") {
    m_clients.push_back(std::make_unique<tcp::socket>(m_clientIo));
    tcp::socket& socket = *m_clients.back();
    socket.open(tcp::v4());
    socket.bind(tcp::endpoint(asio::ip::make_address(from), 0));
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), m_server->port()));
    if (!bytes.empty()) asio::write(socket, asio::buffer(bytes));
    return socket;
  }

  /// Whether the server closed `socket` within `limit` (reads until EOF or an error).
  static bool closedByServer(tcp::socket& socket, std::chrono::milliseconds limit) {
    socket.non_blocking(true);
    const auto end = std::chrono::steady_clock::now() + limit;
    char buf[256];
    while (std::chrono::steady_clock::now() < end) {
      boost::system::error_code ec;
      socket.read_some(asio::buffer(buf), ec);
      if (ec == asio::error::would_block) {
        std::this_thread::sleep_for(10ms);
        continue;
      }
      if (ec) return true;  // eof or reset
    }
    return false;
  }

  bool waitForConnections(std::size_t n) {
    const auto end = std::chrono::steady_clock::now() + 10s;
    while (m_server->connections() != n && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(5ms);
    }
    return m_server->connections() == n;
  }

  testing::HttpResult tryGet() {
    try {
      return testing::httpGet(m_server->port(), "/");
    } catch (const std::exception&) {
      return {};  // the server closed the connection without an answer
    }
  }

  asio::io_context m_io;
  asio::io_context m_clientIo;
  asio::executor_work_guard<asio::io_context::executor_type> m_work;
  std::thread m_thread;
  std::shared_ptr<HttpServer> m_server;
  std::vector<std::unique_ptr<tcp::socket>> m_clients;
};

TEST_F(HttpServerTest, APortInUseSaysWhy) {
  startServer({});
  HttpServerOptions o;
  o.bind = "127.0.0.1";
  o.port = m_server->port();
  auto second = std::make_shared<HttpServer>(
      m_io, o, [](const HttpRequest&, std::shared_ptr<Responder> r) { r->reply(200, "", ""); });
  const Status started = second->start();
  ASSERT_FALSE(started.ok());
  const std::string text = started.error().describe();
  EXPECT_EQ(text.find("Success"), std::string::npos) << text;
  EXPECT_NE(text.find(std::system_category().message(EADDRINUSE)), std::string::npos) << text;
  EXPECT_NE(text.find("127.0.0.1:" + std::to_string(o.port)), std::string::npos) << text;
}

TEST_F(HttpServerTest, SlowlorisClientsCannotLockOutANormalClient) {
  HttpServerOptions o;
  o.maxConnections = 8;
  o.maxConnectionsPerClient = 100;
  o.headerTimeout = 60s;  // eviction, not the timeout, must make room
  startServer(o);
  for (int i = 0; i < 8; ++i) slowClient("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ");
  ASSERT_TRUE(waitForConnections(8));
  for (int round = 0; round < 3; ++round) {
    const auto r = tryGet();
    EXPECT_EQ(r.status, 200) << "round " << round;
    EXPECT_EQ(r.body, "served");
  }
  EXPECT_GE(m_server->stats().evicted, 1u);
  // The oldest waiting connection went first.
  EXPECT_TRUE(closedByServer(*m_clients.front(), 5s));
}

TEST_F(HttpServerTest, OneClientHoldsAtMostItsShare) {
  HttpServerOptions o;
  o.maxConnections = 64;
  o.maxConnectionsPerClient = 4;
  startServer(o);
  for (int i = 0; i < 4; ++i) slowClient("", "127.0.0.2");
  ASSERT_TRUE(waitForConnections(4));
  tcp::socket& fifth = slowClient("", "127.0.0.2");
  EXPECT_TRUE(closedByServer(fifth, 5s));
  EXPECT_EQ(m_server->stats().refusedClient, 1u);
  const auto r = tryGet();  // another address is not affected
  EXPECT_EQ(r.status, 200);
}

TEST_F(HttpServerTest, ARequestHeadThatTricklesInIsCutOff) {
  HttpServerOptions o;
  o.headerTimeout = 300ms;
  o.idleTimeout = 60s;
  startServer(o);
  tcp::socket& slow = slowClient("GET / HTTP/1.1\r\n");
  slow.non_blocking(true);
  // One byte every 50 ms: the connection never idles, but its head never completes.
  bool closed = false;
  const auto end = std::chrono::steady_clock::now() + 8s;
  while (!closed && std::chrono::steady_clock::now() < end) {
    boost::system::error_code ec;
    slow.write_some(asio::buffer("X", 1), ec);
    char buf[64];
    slow.read_some(asio::buffer(buf), ec);
    closed = ec && ec != asio::error::would_block;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(closed);
  EXPECT_EQ(m_server->stats().timedOut, 1u);
}

}  // namespace
}  // namespace spindle::web
