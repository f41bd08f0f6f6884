#include "net/resolver_chain.hpp"

#include <atomic>
#include <future>
#include <map>
#include <set>
#include <thread>

#include <arpa/inet.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/testing/loopback_udp_server.hpp"

namespace spindle::net {
namespace {

using namespace std::chrono_literals;

using Records = std::map<std::string, std::string>;

/// A DNS server on 127.0.0.1 that answers A queries from a table (NXDOMAIN otherwise), answers
/// REFUSED for the names in `refused`, or drops every query while in drop mode (a black hole).
/// Counts the queries it receives.
class FakeDnsServer {
 public:
  explicit FakeDnsServer(std::map<std::string, std::string> records, bool drop = false,
                         std::set<std::string> refused = {})
      : m_records(std::move(records)), m_refused(std::move(refused)), m_drop(drop) {}
  std::uint16_t port() const { return m_server.port(); }
  ServerAddress address() const { return ServerAddress{"127.0.0.1", m_server.port()}; }
  void setDrop(bool drop) { m_drop = drop; }
  int queries() const { return m_queries; }

 private:
  std::vector<std::uint8_t> answer(const std::vector<std::uint8_t>& buf) {
    const std::size_t n = buf.size();
    if (n < 17) return {};
    ++m_queries;
    if (m_drop) return {};
    std::string name;
    std::size_t at = 12;
    while (at < n && buf[at] != 0) {
      if (!name.empty()) name += '.';
      name.append(reinterpret_cast<const char*>(buf.data() + at + 1), buf[at]);
      at += buf[at] + 1u;
    }
    const std::size_t questionEnd = at + 5;
    if (questionEnd > n) return {};
    const int qtype = (buf[at + 1] << 8) | buf[at + 2];
    std::vector<std::uint8_t> out(buf.begin(), buf.begin() + questionEnd);
    out[2] = 0x81;  // QR, RD
    out[3] = 0x80;  // RA, rcode 0
    out[6] = out[7] = out[8] = out[9] = out[10] = out[11] = 0;
    auto it = m_records.find(name);
    if (m_refused.count(name) != 0) {
      out[3] |= 5;  // REFUSED
    } else if (it == m_records.end()) {
      out[3] |= 3;  // NXDOMAIN
    } else if (qtype == 1) {
      out[7] = 1;
      in_addr a{};
      ::inet_pton(AF_INET, it->second.c_str(), &a);
      const std::uint8_t answer[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4};
      out.insert(out.end(), std::begin(answer), std::end(answer));
      const auto* bytes = reinterpret_cast<const std::uint8_t*>(&a.s_addr);
      out.insert(out.end(), bytes, bytes + 4);
    }
    return out;
  }

  std::map<std::string, std::string> m_records;
  std::set<std::string> m_refused;
  std::atomic<bool> m_drop;
  std::atomic<int> m_queries{0};
  spindle::net::testing::LoopbackUdpServer m_server{[this](const auto& in) { return answer(in); }};
};

/// A UDP port on 127.0.0.1 where nothing listens (ICMP port unreachable).
std::uint16_t closedUdpPort() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class NetResolverChain : public ::testing::Test {
 protected:
  NetResolverChain() : m_work(boost::asio::make_work_guard(m_io)) {
    m_thread = std::thread([this] { m_io.run(); });
  }
  ~NetResolverChain() override {
    if (m_chain) m_chain->stop();
    m_work.reset();
    m_thread.join();
  }

  std::shared_ptr<ResolverChain> chain(std::vector<DnsServer> servers,
                                       Duration reprobe = std::chrono::minutes(5)) {
    ResolverOptions options;
    options.servers = std::move(servers);
    options.timeout = 300ms;
    options.reprobeInterval = reprobe;
    options.hostsFile = false;
    auto made = ResolverChain::create(m_io.get_executor(), options);
    EXPECT_TRUE(made.ok()) << made.error().describe();
    m_chain = made.value();
    return m_chain;
  }

  Result<ResolverChain::Endpoints> resolve(const std::string& host, std::uint16_t port = 443) {
    std::promise<Result<ResolverChain::Endpoints>> promise;
    auto future = promise.get_future();
    m_chain->resolve(host, port, [&promise](Result<ResolverChain::Endpoints> r) {
      promise.set_value(std::move(r));
    });
    if (future.wait_for(10s) != std::future_status::ready) {
      return Error(ErrorCode::kTimeout, "test: resolve never called back");
    }
    return future.get();
  }

  boost::asio::io_context m_io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> m_work;
  std::thread m_thread;
  std::shared_ptr<ResolverChain> m_chain;
};

DnsServer server(const ServerAddress& address, DnsSource source) {
  return DnsServer{address, source, ""};
}

TEST_F(NetResolverChain, IpLiteralsNeedNoServer) {
  chain({});
  auto r = resolve("127.0.0.7", 8193);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->front().address().to_string(), "127.0.0.7");
  EXPECT_EQ(r->front().port(), 8193);
  auto name = resolve("api.spindle.test");
  ASSERT_FALSE(name.ok());
  EXPECT_NE(name.error().message().find("no DNS servers configured"), std::string::npos);
}

TEST_F(NetResolverChain, FallsBackPastABlackHoleAndRemembersTheWorkingServer) {
  FakeDnsServer google(Records{}, /*drop=*/true);
  FakeDnsServer plant(Records{{"api.spindle.test", "127.0.0.9"}});
  chain({server(google.address(), DnsSource::kPreferred),
         server(plant.address(), DnsSource::kConfigured)});

  auto first = resolve("api.spindle.test");
  ASSERT_TRUE(first.ok()) << first.error().describe();
  EXPECT_EQ(first->front().address().to_string(), "127.0.0.9");
  EXPECT_EQ(first->front().port(), 443);
  EXPECT_EQ(google.queries(), 1);
  EXPECT_EQ(m_chain->status().current, 1u);
  EXPECT_EQ(m_chain->status().servers[0].last, DnsOutcome::kTimeout);

  auto second = resolve("api.spindle.test");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(google.queries(), 1) << "the chain asked the black hole again";
  EXPECT_EQ(plant.queries(), 2);
}

TEST_F(NetResolverChain, ReprobesThePreferredServerAndMovesBack) {
  FakeDnsServer google(Records{{"api.spindle.test", "127.0.0.8"}}, /*drop=*/true);
  FakeDnsServer plant(Records{{"api.spindle.test", "127.0.0.9"}});
  chain({server(google.address(), DnsSource::kPreferred),
         server(plant.address(), DnsSource::kSystem)},
        /*reprobe=*/0s);
  ASSERT_TRUE(resolve("api.spindle.test").ok());
  ASSERT_EQ(m_chain->status().current, 1u);

  google.setDrop(false);  // Google DNS is reachable again
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (m_chain->status().current != 0 && std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE(resolve("api.spindle.test").ok());
  }
  EXPECT_EQ(m_chain->status().current, 0u);
  auto r = resolve("api.spindle.test");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->front().address().to_string(), "127.0.0.8");
}

TEST_F(NetResolverChain, ExplainsWhenNoServerAnswers) {
  FakeDnsServer hole(Records{}, /*drop=*/true);
  const ServerAddress closed{"127.0.0.1", closedUdpPort()};
  chain({server(hole.address(), DnsSource::kPreferred), server(closed, DnsSource::kSystem)});
  auto r = resolve("api.spindle.test");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
  const std::string& m = r.error().message();
  EXPECT_NE(m.find(hole.address().toString() + " timed out after 300ms"), std::string::npos) << m;
  EXPECT_NE(m.find(closed.toString() + " unreachable (nothing answers DNS there"),
            std::string::npos)
      << m;
  EXPECT_EQ(m_chain->status().servers[1].last, DnsOutcome::kUnreachable);
}

TEST_F(NetResolverChain, ARefusedAnswerIsNamedAndDoesNotDemoteAHealthyServer) {
  // The preferred server refuses one name (a filtering resolver) and answers the others.
  FakeDnsServer google(Records{{"api.spindle.test", "127.0.0.8"}}, false, {"blocked.spindle.test"});
  FakeDnsServer plant(Records{{"blocked.spindle.test", "127.0.0.9"}});
  chain({server(google.address(), DnsSource::kPreferred),
         server(plant.address(), DnsSource::kSystem)});
  auto blocked = resolve("blocked.spindle.test");
  ASSERT_TRUE(blocked.ok()) << blocked.error().describe();
  EXPECT_EQ(blocked->front().address().to_string(), "127.0.0.9");
  EXPECT_EQ(m_chain->status().servers[0].last, DnsOutcome::kRefused);
  EXPECT_EQ(m_chain->status().current, 0u) << "a server that answers REFUSED is up";
  auto api = resolve("api.spindle.test");
  ASSERT_TRUE(api.ok());
  EXPECT_EQ(api->front().address().to_string(), "127.0.0.8");
  EXPECT_EQ(plant.queries(), 1);

  m_chain->stop();
  FakeDnsServer refusing(Records{}, false, {"api.spindle.test"});
  chain({server(refusing.address(), DnsSource::kPreferred)});
  auto refused = resolve("api.spindle.test");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("refused the query (REFUSED)"), std::string::npos)
      << refused.error().message();
}

TEST_F(NetResolverChain, AProbeThatFindsAWorkingServerBeforeTheFirstFailsIsRemembered) {
  // netcheck probes every server at once: the fallback answers before Google DNS times out.
  FakeDnsServer google(Records{}, /*drop=*/true);
  FakeDnsServer plant(Records{{"api.spindle.test", "127.0.0.9"}});
  chain({server(google.address(), DnsSource::kPreferred),
         server(plant.address(), DnsSource::kConfigured)});
  auto probe = [&](std::size_t index) {
    std::promise<DnsAttempt> promise;
    m_chain->probe(index, "api.spindle.test", [&](DnsAttempt a) { promise.set_value(a); });
    return promise.get_future().get();
  };
  EXPECT_EQ(probe(1).outcome, DnsOutcome::kAnswered);
  EXPECT_EQ(m_chain->status().current, 0u) << "Google DNS has not failed yet";
  EXPECT_EQ(probe(0).outcome, DnsOutcome::kTimeout);
  EXPECT_EQ(m_chain->status().current, 1u);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(resolve("api.spindle.test").ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 250ms) << "waited for the black hole";
  EXPECT_EQ(google.queries(), 1);
}

TEST_F(NetResolverChain, NoSuchNameFromEveryServerIsNotFound) {
  FakeDnsServer a(Records{{"other.spindle.test", "127.0.0.3"}});
  FakeDnsServer b(Records{});
  chain({server(a.address(), DnsSource::kPreferred), server(b.address(), DnsSource::kSystem)});
  auto r = resolve("missing.spindle.test");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(m_chain->status().current, 0u) << "a server that says 'no such name' works";
}

TEST_F(NetResolverChain, AnInternalNameFallsThroughToTheServerThatKnowsIt) {
  FakeDnsServer google(Records{{"api.spindle.test", "127.0.0.8"}});
  FakeDnsServer plant(Records{{"mill-3.plant.test", "127.0.0.30"}});
  chain({server(google.address(), DnsSource::kPreferred),
         server(plant.address(), DnsSource::kSystem)});
  auto r = resolve("mill-3.plant.test", 8193);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->front().address().to_string(), "127.0.0.30");
  EXPECT_EQ(m_chain->status().current, 0u);
}

TEST_F(NetResolverChain, ProbeAsksOneServerOnly) {
  FakeDnsServer hole(Records{}, /*drop=*/true);
  FakeDnsServer plant(Records{{"api.spindle.test", "127.0.0.9"}});
  chain({server(hole.address(), DnsSource::kPreferred),
         server(plant.address(), DnsSource::kConfigured)});
  auto probe = [&](std::size_t index) {
    std::promise<DnsAttempt> promise;
    m_chain->probe(index, "api.spindle.test", [&](DnsAttempt a) { promise.set_value(a); });
    return promise.get_future().get();
  };
  const DnsAttempt dead = probe(0);
  EXPECT_EQ(dead.outcome, DnsOutcome::kTimeout);
  EXPECT_EQ(plant.queries(), 0);
  const DnsAttempt alive = probe(1);
  EXPECT_EQ(alive.outcome, DnsOutcome::kAnswered);
  ASSERT_EQ(alive.addresses.size(), 1u);
  EXPECT_EQ(alive.addresses[0].to_string(), "127.0.0.9");
  EXPECT_EQ(m_chain->status().current, 1u) << "the probe taught the chain";
}

TEST_F(NetResolverChain, ReconfigureRestartsALookupInFlightOnTheNewServers) {
  FakeDnsServer hole(Records{}, /*drop=*/true);
  FakeDnsServer plant(Records{{"api.spindle.test", "127.0.0.5"}});
  ResolverOptions options;
  options.servers = {server(hole.address(), DnsSource::kPreferred)};
  options.timeout = 5s;  // the lookup would wait this long on the black hole
  options.hostsFile = false;
  auto made = ResolverChain::create(m_io.get_executor(), options);
  ASSERT_TRUE(made.ok());
  m_chain = made.value();

  std::promise<Result<ResolverChain::Endpoints>> promise;
  auto future = promise.get_future();
  const auto start = std::chrono::steady_clock::now();
  m_chain->resolve("api.spindle.test", 443, [&promise](Result<ResolverChain::Endpoints> r) {
    promise.set_value(std::move(r));
  });
  const auto waitForQuery = start + 5s;
  while (hole.queries() == 0 && std::chrono::steady_clock::now() < waitForQuery) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_EQ(hole.queries(), 1);

  options.servers = {server(plant.address(), DnsSource::kConfigured)};
  options.timeout = 300ms;
  ASSERT_TRUE(m_chain->reconfigure(options).ok());
  ASSERT_EQ(future.wait_for(3s), std::future_status::ready)
      << "the lookup still waits on the server that was removed";
  auto r = future.get();
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->front().address().to_string(), "127.0.0.5");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);

  const auto servers = m_chain->servers();
  ASSERT_EQ(servers.size(), 1u);
  EXPECT_EQ(servers[0].address, plant.address());
  const auto status = m_chain->status();
  ASSERT_EQ(status.servers.size(), 1u);
  EXPECT_EQ(status.current, 0u);
  EXPECT_EQ(status.servers[0].last, DnsOutcome::kAnswered) << "the cancelled old lookup counted";
  EXPECT_EQ(status.servers[0].failures, 0u);
}

TEST_F(NetResolverChain, ReconfigureRefusesANameAsServerAndKeepsTheOldList) {
  FakeDnsServer plant(Records{{"api.spindle.test", "127.0.0.9"}});
  chain({server(plant.address(), DnsSource::kConfigured)});
  ResolverOptions options;
  options.servers = {server(ServerAddress{"dns.example.com", 53}, DnsSource::kConfigured)};
  const auto changed = m_chain->reconfigure(options);
  ASSERT_FALSE(changed.ok());
  EXPECT_NE(changed.error().message().find("must be an IP address"), std::string::npos);
  auto r = resolve("api.spindle.test");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->front().address().to_string(), "127.0.0.9");

  // An empty list is allowed: names then fail at once, literals still work.
  ASSERT_TRUE(m_chain->reconfigure(ResolverOptions{}).ok());
  auto none = resolve("api.spindle.test");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message().find("no DNS servers configured"), std::string::npos);
  EXPECT_TRUE(m_chain->status().servers.empty());
  EXPECT_TRUE(resolve("127.0.0.3").ok());
}

TEST(NetDnsChain, BuildsTiersInOrderWithoutDuplicates) {
  const ServerAddress g1{"8.8.8.8", 53}, g2{"8.8.4.4", 53}, local{"192.168.1.1", 53};
  const auto chain = buildDnsChain({g1, g2}, {local}, {local, g2, ServerAddress{"10.0.0.1", 53}});
  ASSERT_EQ(chain.size(), 4u);
  EXPECT_EQ(chain[0].source, DnsSource::kPreferred);
  EXPECT_EQ(chain[2].name(), "192.168.1.1:53");
  EXPECT_EQ(chain[2].source, DnsSource::kConfigured);
  EXPECT_EQ(chain[3].name(), "10.0.0.1:53");
  EXPECT_EQ(chain[3].source, DnsSource::kSystem);
}

}  // namespace
}  // namespace spindle::net
