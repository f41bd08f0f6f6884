// The DNS chain against real servers: dnsmasq on a loopback port behind a black-holed "Google
// DNS". netcheck must say Google DNS is blocked and the fallback works, and Spindle's own
// resolver must use the fallback.

#include <future>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "net/resolver_chain.hpp"
#include "netcheck_peers.hpp"

namespace spindle::testing {
namespace {

using namespace netcheck_peers;

std::string profileFor(std::uint16_t tcpPort) {
  return "name: dns-test\n"
         "description: DNS chain test\n"
         "dns: {servers: [8.8.8.8, 8.8.4.4], lookup: api.spindle.test}\n"
         "ntp: {servers: []}\n"
         "endpoints:\n"
         "  - {host: api.spindle.test, port: " +
         std::to_string(tcpPort) + ", checks: [tcp], what: API}\n";
}

TEST(NetcheckDns, GoogleDnsBlackHoledFallsBackToTheConfiguredServer) {
  NETCHECK_REQUIRE_PROGRAM(dnsmasq, "dnsmasq", "dnsmasq-base");
  ScratchDir dir("dns");
  auto plant = startDnsmasq(dnsmasq, dir);
  auto google = startStub(dir, "udp-blackhole", {}, /*udp=*/true);
  ASSERT_TRUE(plant && google);
  Listener api;  // what api.spindle.test resolves to (127.0.0.1) listens on this port
  const std::string profile = dir.write("profile.yaml", profileFor(api.port()));
  const std::string hole = "127.0.0.1:" + std::to_string(google->port);
  const std::string fallback = "127.0.0.1:" + std::to_string(plant->port);
  const std::vector<std::string> args{
      "--profile",          profile, "--map",  "8.8.8.8:53=" + hole, "--map",
      "8.8.4.4:53=" + hole, "--dns", fallback, "--no-system-dns",    "--loopback-only",
      "--dns-timeout",      "500ms"};
  auto args1 = args;
  args1.push_back("--json");
  const auto r = netcheck(dir, args1);
  ASSERT_EQ(r.code, 0) << r.out << r.err;

  const auto google1 = r.check("dns:8.8.8.8:53");
  EXPECT_EQ(google1.value("status", ""), "warn") << google1.dump(2);
  EXPECT_EQ(google1.value("address", ""), hole);
  const std::string cause = google1.value("cause", "");
  EXPECT_NE(cause.find("UDP 53 to 8.8.8.8 timed out: Google DNS is blocked; falling back to " +
                       fallback + ", which answers"),
            std::string::npos)
      << cause;
  EXPECT_NE(google1.value("remedy", "").find("allow outbound UDP 53"), std::string::npos);
  EXPECT_EQ(r.check("dns:8.8.4.4:53").value("status", ""), "warn");

  const auto used = r.check("dns:" + fallback);
  EXPECT_EQ(used.value("status", ""), "pass") << used.dump(2);
  EXPECT_NE(used.value("detail", "").find("api.spindle.test = 127.0.0.1"), std::string::npos);

  const auto chain = r.check("dns:chain");
  EXPECT_EQ(chain.value("status", ""), "pass");
  EXPECT_EQ(chain["facts"].value("server", ""), fallback);
  EXPECT_EQ(chain["facts"].value("source", ""), "configured");
  EXPECT_NE(chain.value("detail", "").find("after 8.8.8.8:53 and 8.8.4.4:53 failed"),
            std::string::npos)
      << chain.dump(2);

  // The endpoint was resolved through the fallback, then reached.
  const auto tcp = r.check("tcp:api.spindle.test:" + std::to_string(api.port()));
  EXPECT_EQ(tcp.value("status", ""), "pass") << tcp.dump(2);
  EXPECT_EQ(tcp.value("address", ""), "127.0.0.1:" + std::to_string(api.port()));

  // The same run for people.
  const auto table = netcheck(dir, args);
  EXPECT_EQ(table.code, 0);
  EXPECT_NE(table.out.find("Google DNS is blocked"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("names resolve through " + fallback + " (configured)"),
            std::string::npos)
      << table.out;
}

TEST(NetcheckDns, NoAnsweringServerFailsWithTheCause) {
  ScratchDir dir("dns-dead");
  auto google = startStub(dir, "udp-blackhole", {}, /*udp=*/true);
  ASSERT_TRUE(google);
  const std::string hole = "127.0.0.1:" + std::to_string(google->port);
  const std::string closed = "127.0.0.1:" + std::to_string(freeUdpPort());
  Listener api;
  const auto r =
      netcheck(dir, {"--profile", dir.write("profile.yaml", profileFor(api.port())), "--map",
                     "8.8.8.8:53=" + hole, "--map", "8.8.4.4:53=" + hole, "--dns", closed,
                     "--no-system-dns", "--loopback-only", "--dns-timeout", "300ms", "--json"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_EQ(r.check("dns:8.8.8.8:53").value("status", ""), "fail");
  const auto closedRow = r.check("dns:" + closed);
  EXPECT_EQ(closedRow.value("status", ""), "fail");
  EXPECT_EQ(closedRow["facts"].value("outcome", ""), "unreachable") << closedRow.dump(2);
  EXPECT_NE(
      closedRow.value("cause", "").find("nothing answers DNS at 127.0.0.1 (ICMP unreachable)"),
      std::string::npos)
      << closedRow.dump(2);
  const auto chain = r.check("dns:chain");
  EXPECT_EQ(chain.value("status", ""), "fail");
  EXPECT_NE(chain.value("cause", "").find("cannot resolve names"), std::string::npos);
  const auto tcp = r.check("tcp:api.spindle.test:" + std::to_string(api.port()));
  EXPECT_EQ(tcp.value("status", ""), "fail");
  EXPECT_NE(tcp.value("cause", "").find("no DNS server answered"), std::string::npos)
      << tcp.dump(2);
}

TEST(NetcheckDns, SpindlesResolverUsesTheFallbackAndRemembersIt) {
  NETCHECK_REQUIRE_PROGRAM(dnsmasq, "dnsmasq", "dnsmasq-base");
  ScratchDir dir("dns-resolver");
  auto plant = startDnsmasq(dnsmasq, dir);
  auto google = startStub(dir, "udp-blackhole", {}, /*udp=*/true);
  ASSERT_TRUE(plant && google);

  boost::asio::io_context io;
  net::ResolverOptions options;
  options.servers = net::buildDnsChain({net::ServerAddress{"127.0.0.1", google->port}},
                                       {net::ServerAddress{"127.0.0.1", plant->port}}, {});
  options.timeout = std::chrono::milliseconds(400);
  options.hostsFile = false;
  auto chain = net::ResolverChain::create(io.get_executor(), options).value();
  auto resolve = [&](const std::string& host) {
    std::optional<Result<net::ResolverChain::Endpoints>> out;
    chain->resolve(host, 443, [&](Result<net::ResolverChain::Endpoints> r) { out.emplace(r); });
    io.restart();
    io.run();
    return out.value();
  };
  auto first = resolve("api.spindle.test");
  ASSERT_TRUE(first.ok()) << first.error().describe();
  EXPECT_EQ(first->front().address().to_string(), "127.0.0.1");
  EXPECT_EQ(chain->status().current, 1u);
  EXPECT_EQ(chain->status().servers[0].last, net::DnsOutcome::kTimeout);

  auto second = resolve("api.spindle.test");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(chain->status().servers[0].failures, 1u) << "the black hole was asked again";
  EXPECT_EQ(chain->status().servers[1].responses, 2u);
  chain->stop();
  io.restart();
  io.run();
}

}  // namespace
}  // namespace spindle::testing
