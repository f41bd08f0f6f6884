// Whole-profile runs: the built-in GovCloud profile against loopback stand-ins for every
// host, the machine-side ports of a spindle.yaml, and the command line's usage errors.

#include <gtest/gtest.h>

#include "netcheck/profile.hpp"
#include "netcheck_peers.hpp"

namespace spindle::testing {
namespace {

using namespace netcheck_peers;

TEST(NetcheckProfile, GovcloudAgainstLoopbackStandIns) {
  NETCHECK_REQUIRE_PROGRAM(dnsmasq, "dnsmasq", "dnsmasq-base");
  NETCHECK_REQUIRE_PROGRAM(chronyd, "chronyd", "chrony");
  NETCHECK_REQUIRE_PROGRAM(natsServer, "nats-server", "nats-server");
  NETCHECK_REQUIRE_PROGRAM(openssl, "openssl", "openssl");
  ScratchDir dir("gov");
  const auto profile = netcheck::builtinProfile("govcloud");
  ASSERT_TRUE(profile.ok()) << profile.error().describe();

  // One certificate carrying every name the profile verifies, from the test CA.
  std::vector<std::string> names{"api.spindle.test"};
  for (const auto& ep : profile->endpoints) {
    const std::string name = ep.verifyName();
    if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(name);
    }
  }
  TestPki pki(openssl, dir);
  ASSERT_TRUE(pki.makeCa("test-ca", "/O=Spindle Tests/CN=Spindle Test Root CA"));
  ASSERT_TRUE(pki.makeServer("cloud", "test-ca", names));
  const std::string response =
      dir.write("response.http",
                "HTTP/1.1 401 Unauthorized\r\nServer: spindle-stand-in\r\nx-amz-request-id: T1\r\n"
                "Docker-Distribution-Api-Version: registry/2.0\r\nContent-Length: 0\r\n"
                "Connection: close\r\n\r\n");
  auto https = startStub(dir, "https", {pki.pem("cloud"), pki.key("cloud"), response});
  auto dns = startDnsmasq(dnsmasq, dir);
  auto ntp = startChrony(chronyd, dir);
  auto nats = startNats(natsServer, dir, pki.pem("cloud"), pki.key("cloud"));
  ASSERT_TRUE(https && dns && ntp && nats);
  auto to = [](const auto& peer) { return "127.0.0.1:" + std::to_string(peer->port); };

  const auto r =
      netcheck(dir, {"--profile", "govcloud", "--map", "*:443=" + to(https), "--map",
                     "*:7422=" + to(nats), "--map", "*:123=" + to(ntp), "--map", "*:53=" + to(dns),
                     "--dns-lookup", "api.spindle.test", "--ca-file", pki.pem("test-ca"),
                     "--no-system-dns", "--loopback-only", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.json.value("profile", ""), "govcloud");
  EXPECT_TRUE(r.json.value("ok", false));
  std::size_t tcp = 0, tls = 0, httpsRows = 0, natsRows = 0;
  for (const auto& c : r.json["checks"]) {
    const std::string kind = c.value("kind", "");
    EXPECT_NE(c.value("status", ""), "fail") << c.dump(2);
    EXPECT_NE(c.value("status", ""), "skip") << c.dump(2);
    if (!c.value("address", "").empty()) {
      EXPECT_EQ(c.value("address", "").rfind("127.0.0.1:", 0), 0u) << c.dump(2);
    }
    tcp += kind == "tcp";
    tls += kind == "tls";
    httpsRows += kind == "https";
    natsRows += kind == "nats";
  }
  EXPECT_EQ(tcp, profile->endpoints.size());
  EXPECT_EQ(natsRows, 4u) << "stream.machinemetrics-us-gov.com and its three static IPs";
  EXPECT_GE(tls, 15u);
  EXPECT_GE(httpsRows, 12u);
  const auto s3 = r.check("https:machinemetrics-deploy.s3.us-gov-east-1.amazonaws.com:443");
  EXPECT_TRUE(s3["facts"].value("header_present", false)) << s3.dump(2);
  const auto byIp = r.check("tls:18.252.129.108:443");
  EXPECT_NE(byIp.value("detail", "").find("matches api.machinemetrics-us-gov.com"),
            std::string::npos)
      << byIp.dump(2);
  EXPECT_EQ(r.check("tcp:cloudlink.balena.machinemetrics-us-gov.com:443").value("status", ""),
            "pass");
}

TEST(NetcheckProfile, MachinePortsComeFromTheConfiguration) {
  ScratchDir dir("machines");
  Listener mill;
  const std::uint16_t closed = freePort();
  const std::string config =
      dir.write("spindle.yaml",
                "machines:\n"
                "  - id: mill-1\n    type: shdr\n    host: 127.0.0.1\n    port: " +
                    std::to_string(mill.port()) +
                    "\n"
                    "  - id: lathe-2\n    type: shdr\n    host: 127.0.0.1\n    port: " +
                    std::to_string(closed) +
                    "\n"
                    "  - id: spare\n    type: shdr\n    host: 127.0.0.1\n    enabled: false\n");
  const std::string profile = dir.write("p.yaml",
                                        "name: machines-only\ndns: {servers: []}\n"
                                        "ntp: {servers: []}\n");
  const auto r = netcheck(dir, {"--profile", profile, "--config", config, "--no-system-dns",
                                "--loopback-only", "--json"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const auto good = r.check("machine:mill-1 (127.0.0.1:" + std::to_string(mill.port()) + ")");
  EXPECT_EQ(good.value("status", ""), "pass") << r.out;
  EXPECT_EQ(good["facts"].value("type", ""), "shdr");
  const auto bad = r.check("machine:lathe-2 (127.0.0.1:" + std::to_string(closed) + ")");
  EXPECT_EQ(bad.value("status", ""), "fail") << r.out;
  EXPECT_NE(bad.value("cause", "").find("refused"), std::string::npos) << bad.dump(2);
  EXPECT_NE(bad.value("remedy", "").find("listens on port " + std::to_string(closed)),
            std::string::npos)
      << bad.dump(2);
  EXPECT_EQ(r.out.find("spare"), std::string::npos) << "a disabled machine is not checked";
}

TEST(NetcheckProfile, UsageErrorsExitWithTwo) {
  ScratchDir dir("usage");
  // --loopback-only everywhere: should a usage error ever slip through, nothing leaves 127/8.
  EXPECT_EQ(netcheck(dir, {"--profile", "moon", "--loopback-only"}).code, 2);
  const auto badMap = netcheck(dir, {"--map", "api.example.test=not-an-ip:1", "--loopback-only"});
  EXPECT_EQ(badMap.code, 2);
  EXPECT_NE(badMap.err.find("is not an IP address"), std::string::npos) << badMap.err;
  const auto badProfile =
      netcheck(dir, {"--profile",
                     dir.write("bad.yaml", "name: x\nendpoints:\n  - {host: a.test, prot: 1}\n"),
                     "--loopback-only"});
  EXPECT_EQ(badProfile.code, 2);
  EXPECT_NE(badProfile.err.find("bad.yaml:3:"), std::string::npos) << badProfile.err;
  EXPECT_NE(badProfile.err.find("did you mean 'port'"), std::string::npos) << badProfile.err;
  EXPECT_EQ(netcheck(dir, {"--timeout", "soon", "--loopback-only"}).code, 2);

  const auto shown = netcheck(dir, {"--profile", "govcloud", "--show-profile", "--loopback-only"});
  EXPECT_EQ(shown.code, 0);
  EXPECT_NE(shown.out.find("stream.machinemetrics-us-gov.com"), std::string::npos);
}

}  // namespace
}  // namespace spindle::testing
