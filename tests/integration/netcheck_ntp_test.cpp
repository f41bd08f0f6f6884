// The clock check against chronyd serving NTP on a loopback port, and against dead servers.

#include <gtest/gtest.h>

#include "netcheck_peers.hpp"

namespace spindle::testing {
namespace {

using namespace netcheck_peers;

std::string ntpProfile(const std::vector<std::string>& servers) {
  std::string list;
  for (const auto& s : servers) list += (list.empty() ? "" : ", ") + ("'" + s + "'");
  return "name: ntp-test\n"
         "dns: {servers: []}\n"
         "ntp: {servers: [" +
         list + "], max_offset: 1s}\n";
}

TEST(NetcheckNtp, ChronyAnswersWithOffsetDelayAndStratum) {
  NETCHECK_REQUIRE_PROGRAM(chronyd, "chronyd", "chrony");
  ScratchDir dir("ntp");
  auto chrony = startChrony(chronyd, dir);
  ASSERT_TRUE(chrony);
  const std::string server = "127.0.0.1:" + std::to_string(chrony->port);
  const auto r = netcheck(dir, {"--profile", dir.write("p.yaml", ntpProfile({server})),
                                "--no-system-dns", "--loopback-only", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto ntp = r.check("ntp:" + server);
  EXPECT_EQ(ntp.value("status", ""), "pass") << ntp.dump(2);
  EXPECT_EQ(ntp["facts"].value("stratum", 0), 8) << "chrony serves its local clock at stratum 8";
  ASSERT_TRUE(ntp["facts"].contains("offset_ms"));
  EXPECT_LT(std::abs(ntp["facts"].value("offset_ms", 1e9)), 1000.0) << "same machine, same clock";
  EXPECT_NE(ntp.value("detail", "").find("offset "), std::string::npos);
  const auto clock = r.check("clock:clock");
  EXPECT_EQ(clock.value("status", ""), "pass") << clock.dump(2);
  EXPECT_EQ(clock["facts"].value("server", ""), server);
}

TEST(NetcheckNtp, DeadServersAreExplained) {
  ScratchDir dir("ntp-dead");
  auto hole = startStub(dir, "udp-blackhole", {}, /*udp=*/true);
  ASSERT_TRUE(hole);
  const std::string blocked = "127.0.0.1:" + std::to_string(hole->port);
  const std::string closed = "127.0.0.1:" + std::to_string(freeUdpPort());
  const auto r =
      netcheck(dir, {"--profile", dir.write("p.yaml", ntpProfile({blocked, closed})),
                     "--no-system-dns", "--loopback-only", "--timeout", "500ms", "--json"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const auto timedOut = r.check("ntp:" + blocked);
  EXPECT_EQ(timedOut.value("status", ""), "fail");
  EXPECT_NE(timedOut.value("cause", "").find("UDP 123 to 127.0.0.1 timed out: NTP is blocked"),
            std::string::npos)
      << timedOut.dump(2);
  EXPECT_NE(timedOut.value("remedy", "").find("allow outbound UDP 123"), std::string::npos);
  const auto refused = r.check("ntp:" + closed);
  EXPECT_EQ(refused.value("status", ""), "fail");
  EXPECT_NE(refused.value("cause", "").find("nothing answers NTP at " + closed), std::string::npos)
      << refused.dump(2);
  const auto clock = r.check("clock:clock");
  EXPECT_EQ(clock.value("status", ""), "fail");
  EXPECT_NE(clock.value("cause", "").find("untrusted clock"), std::string::npos);
}

TEST(NetcheckNtp, OneAnsweringServerTurnsTheOthersIntoWarnings) {
  NETCHECK_REQUIRE_PROGRAM(chronyd, "chronyd", "chrony");
  ScratchDir dir("ntp-mixed");
  auto chrony = startChrony(chronyd, dir);
  ASSERT_TRUE(chrony);
  const std::string closed = "127.0.0.1:" + std::to_string(freeUdpPort());
  const std::string good = "127.0.0.1:" + std::to_string(chrony->port);
  // The profile names a pool the way the sheet does; --map sends it to the stand-ins.
  const auto r =
      netcheck(dir, {"--profile",
                     dir.write("p.yaml", ntpProfile({"0.pool.spindle.test", "ntp.spindle.test"})),
                     "--map", "0.pool.spindle.test:123=" + closed, "--map",
                     "ntp.spindle.test=" + good, "--no-system-dns", "--loopback-only", "--json"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.check("ntp:0.pool.spindle.test:123").value("status", ""), "warn");
  const auto used = r.check("ntp:ntp.spindle.test:123");
  EXPECT_EQ(used.value("status", ""), "pass");
  EXPECT_EQ(used.value("address", ""), good);
  EXPECT_EQ(r.check("clock:clock").value("status", ""), "pass");
}

}  // namespace
}  // namespace spindle::testing
