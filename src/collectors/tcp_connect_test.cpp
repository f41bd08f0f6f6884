#include "collectors/tcp_connect.hpp"

#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

namespace spindle::collectors {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

struct Fixture {
  asio::io_context io;
  TcpConnect::Strand strand = asio::make_strand(io);
  tcp::socket socket{strand};
  std::optional<Result<tcp::endpoint>> outcome;
  int calls = 0;

  std::shared_ptr<TcpConnect> start(TcpTarget target) {
    return TcpConnect::start(strand, socket, std::move(target), [this](Result<tcp::endpoint> r) {
      ++calls;
      outcome = std::move(r);
    });
  }
  void runFor(Duration d) {
    io.restart();
    io.run_for(d);
  }
};

std::uint16_t closedPort() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();  // closed again when `a` goes
}

TEST(TcpConnect, ConnectsAndSetsNoDelayAndKeepalive) {
  Fixture f;
  tcp::acceptor acceptor(f.io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = acceptor.local_endpoint().port();
  f.start({"127.0.0.1", port, 2s});
  f.runFor(1s);
  ASSERT_EQ(f.calls, 1);
  ASSERT_TRUE(*f.outcome) << f.outcome->error().message();
  EXPECT_EQ((*f.outcome)->port(), port);
  tcp::no_delay nd;
  f.socket.get_option(nd);
  EXPECT_TRUE(nd.value());
  asio::socket_base::keep_alive ka;
  f.socket.get_option(ka);
  EXPECT_TRUE(ka.value());
}

TEST(TcpConnect, NamesHostAndPortWhenRefused) {
  Fixture f;
  const auto port = closedPort();
  f.start({"127.0.0.1", port, 2s});
  f.runFor(1s);
  ASSERT_EQ(f.calls, 1);
  ASSERT_FALSE(*f.outcome);
  EXPECT_EQ(f.outcome->error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(
      f.outcome->error().message().find("cannot connect to 127.0.0.1:" + std::to_string(port)),
      std::string::npos)
      << f.outcome->error().message();
}

TEST(TcpConnect, ReportsAResolverFailureWithTheHost) {
  Fixture f;
  f.start({"cnc-7.plant", 8193, 2s,
           [](const std::string&, std::uint16_t, asio::any_io_executor where, ResolveHandler h) {
             asio::post(where, [h] { h(Error(ErrorCode::kNotFound, "no such name")); });
           }});
  f.runFor(500ms);
  ASSERT_EQ(f.calls, 1);
  ASSERT_FALSE(*f.outcome);
  EXPECT_EQ(f.outcome->error().message(), "cannot resolve 'cnc-7.plant': no such name");
}

TEST(TcpConnect, GivesUpAfterTheTimeoutWhenNothingAnswers) {
  Fixture f;
  ResolveHandler parked;  // a resolver that never answers
  f.start({"slow.plant", 502, 50ms,
           [&](const std::string&, std::uint16_t, asio::any_io_executor, ResolveHandler h) {
             parked = std::move(h);
           }});
  f.runFor(1s);
  ASSERT_EQ(f.calls, 1);
  ASSERT_FALSE(*f.outcome);
  EXPECT_EQ(f.outcome->error().code(), ErrorCode::kTimeout);
  EXPECT_EQ(f.outcome->error().message(), "connecting to slow.plant:502 timed out after 50ms");
  parked(Endpoints{});  // a late answer is ignored
  f.runFor(50ms);
  EXPECT_EQ(f.calls, 1);
}

TEST(TcpConnect, CancelledAttemptNeverCallsBack) {
  Fixture f;
  tcp::acceptor acceptor(f.io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  auto attempt = f.start({"127.0.0.1", acceptor.local_endpoint().port(), 50ms});
  asio::post(f.strand, [&] {
    attempt->cancel();
    boost::system::error_code ignored;
    f.socket.close(ignored);
  });
  f.runFor(300ms);
  EXPECT_EQ(f.calls, 0);
}

}  // namespace
}  // namespace spindle::collectors
