// netcheck names what the network answered: a DNS server that refuses, a host with no route at
// all, an NTP server with no time to give; it asks a working DNS server first once one is
// found; and its table on stdout is the report alone.

#include <gtest/gtest.h>

#include "netcheck_peers.hpp"

namespace spindle::testing {
namespace {

using namespace netcheck_peers;
using namespace std::chrono_literals;

std::string dnsProfile(std::uint16_t tcpPort, const std::string& lookup = "api.spindle.test") {
  return "name: answers-test\n"
         "dns: {servers: [8.8.8.8, 8.8.4.4], lookup: " +
         lookup +
         "}\n"
         "ntp: {servers: []}\n"
         "endpoints:\n"
         "  - {host: api.spindle.test, port: " +
         std::to_string(tcpPort) +
         ", checks: [tcp], what: API}\n"
         "  - {host: web.spindle.test, port: " +
         std::to_string(tcpPort) + ", checks: [tcp], what: Web}\n";
}

TEST(NetcheckAnswers, ARefusingDnsServerIsReportedAsRefusing) {
  NETCHECK_REQUIRE_PROGRAM(dnsmasq, "dnsmasq", "dnsmasq-base");
  ScratchDir dir("dns-refused");
  ScratchDir other("dns-refused-plant");
  auto google = startDnsmasq(dnsmasq, dir, /*everything=*/true);
  auto plant = startDnsmasq(dnsmasq, other);  // no upstream: REFUSED for names not its own
  ASSERT_TRUE(google && plant);
  const std::string googleAt = "127.0.0.1:" + std::to_string(google->port);
  const std::string plantAt = "127.0.0.1:" + std::to_string(plant->port);
  Listener api;
  const auto r =
      netcheck(dir, {"--profile", dir.write("p.yaml", dnsProfile(api.port(), "api.example.com")),
                     "--map", "8.8.8.8:53=" + googleAt, "--map", "8.8.4.4:53=" + googleAt, "--dns",
                     plantAt, "--no-system-dns", "--loopback-only", "--json"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const auto refused = r.check("dns:" + plantAt);
  EXPECT_EQ(refused.value("status", ""), "warn") << refused.dump(2);
  EXPECT_EQ(refused["facts"].value("outcome", ""), "refused");
  EXPECT_NE(refused.value("cause", "").find("REFUSED"), std::string::npos) << refused.dump(2);
  EXPECT_EQ(refused.value("cause", "").find("ICMP"), std::string::npos) << refused.dump(2);
  EXPECT_EQ(refused.value("remedy", "").find("allow outbound UDP 53"), std::string::npos);
  EXPECT_EQ(r.check("dns:8.8.8.8:53").value("status", ""), "pass");
  const auto chain = r.check("dns:chain");
  EXPECT_EQ(chain["facts"].value("server", ""), "8.8.8.8:53") << chain.dump(2);
}

TEST(NetcheckAnswers, NoRouteAtAllIsNoNetworkNotAFirewall) {
  // A network namespace of its own with nothing in it: no interface up, no route anywhere.
  const std::string unshare = findProgram("unshare");
  ASSERT_FALSE(unshare.empty()) << "unshare (util-linux) is needed";
  ScratchDir dir("no-route");
  {
    Process probe({unshare, "-n", "/bin/true"}, dir / "probe.out", dir / "probe.err");
    if (probe.wait(10s) != 0) {
      GTEST_SKIP() << "this host cannot make a network namespace (unshare -n): "
                   << readFile(dir / "probe.err");
    }
  }
  const auto r = netcheck(dir,
                          {"--profile", dir.write("p.yaml", dnsProfile(443)), "--no-system-dns",
                           "--dns-timeout", "500ms", "--json"},
                          {unshare, "-n"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const auto google = r.check("dns:8.8.8.8:53");
  EXPECT_EQ(google["facts"].value("outcome", ""), "no_route") << google.dump(2);
  EXPECT_NE(google.value("cause", "").find("no route"), std::string::npos) << google.dump(2);
  EXPECT_EQ(google.value("cause", "").find("ICMP"), std::string::npos) << google.dump(2);
  EXPECT_EQ(google.value("remedy", "").find("UDP 53"), std::string::npos) << google.dump(2);
  const auto chain = r.check("dns:chain");
  EXPECT_NE(chain.value("detail", "").find("no network"), std::string::npos) << chain.dump(2);
  const auto tcp = r.check("tcp:api.spindle.test:443");
  EXPECT_NE(tcp.value("cause", "").find("no network"), std::string::npos) << tcp.dump(2);
}

TEST(NetcheckAnswers, AnUnsynchronisedNtpServerAnswered) {
  NETCHECK_REQUIRE_PROGRAM(chronyd, "chronyd", "chrony");
  ScratchDir dir("ntp-unsynchronised");
  auto chrony = startChrony(chronyd, dir, /*synchronised=*/false);
  ASSERT_TRUE(chrony);
  const std::string server = "127.0.0.1:" + std::to_string(chrony->port);
  const auto r = netcheck(
      dir,
      {"--profile",
       dir.write("p.yaml", "name: ntp\ndns: {servers: []}\nntp: {servers: ['" + server + "']}\n"),
       "--no-system-dns", "--loopback-only", "--json"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const auto ntp = r.check("ntp:" + server);
  EXPECT_EQ(ntp.value("status", ""), "fail") << ntp.dump(2);
  EXPECT_NE(ntp.value("detail", "").find("answered unsynchronised"), std::string::npos)
      << ntp.dump(2);
  EXPECT_EQ(ntp.value("remedy", "").find("UDP 123"), std::string::npos) << ntp.dump(2);
  EXPECT_EQ(ntp.value("detail", "").find("kiss"), std::string::npos) << ntp.dump(2);
  const auto clock = r.check("clock:clock");
  EXPECT_NE(clock.value("detail", "").find("unsynchronised"), std::string::npos) << clock.dump(2);
  EXPECT_EQ(clock.value("detail", "").find("no NTP server answered"), std::string::npos);
}

TEST(NetcheckAnswers, LaterLookupsAskTheWorkingServerFirstAndTheTableStaysClean) {
  NETCHECK_REQUIRE_PROGRAM(dnsmasq, "dnsmasq", "dnsmasq-base");
  ScratchDir dir("dns-first");
  auto plant = startDnsmasq(dnsmasq, dir);
  auto hole = startStub(dir, "udp-blackhole", {}, /*udp=*/true);
  ASSERT_TRUE(plant && hole);
  const std::string holeAt = "127.0.0.1:" + std::to_string(hole->port);
  Listener api;
  const std::vector<std::string> args{
      "--profile",       dir.write("p.yaml", dnsProfile(api.port())),
      "--map",           "8.8.8.8:53=" + holeAt,
      "--map",           "8.8.4.4:53=" + holeAt,
      "--dns",           "127.0.0.1:" + std::to_string(plant->port),
      "--no-system-dns", "--loopback-only",
      "--dns-timeout",   "1500ms"};
  const auto start = std::chrono::steady_clock::now();
  const auto r = netcheck(dir, args);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  // The DNS rows wait 1.5 s for the black hole once; the two names then go to the fallback.
  EXPECT_LT(elapsed, 2800ms) << r.out;
  EXPECT_NE(r.out.find("names resolve through"), std::string::npos) << r.out;
  // Nothing but the report: no log line on either stream.
  for (const std::string* text : {&r.out, &r.err}) {
    EXPECT_EQ(text->find("[net.dns]"), std::string::npos) << *text;
    EXPECT_EQ(text->find(" info "), std::string::npos) << *text;
  }
}

}  // namespace
}  // namespace spindle::testing
