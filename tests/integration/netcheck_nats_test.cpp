// NATS on 7422 against nats-server's leafnode port: INFO read, TLS negotiated when the server
// asks for it; nothing listening fails with the cause.

#include <gtest/gtest.h>

#include "netcheck_peers.hpp"

namespace spindle::testing {
namespace {

using namespace netcheck_peers;

const char* kProfile =
    "name: nats-test\n"
    "dns: {servers: []}\n"
    "ntp: {servers: []}\n"
    "endpoints:\n"
    "  - {host: stream.spindle.test, port: 7422, checks: [tcp, nats], what: NATS}\n";

NetcheckRun natsRun(const ScratchDir& dir, std::uint16_t port,
                    std::vector<std::string> extra = {}) {
  std::vector<std::string> args{
      "--profile",       dir.write("p.yaml", kProfile),
      "--map",           "stream.spindle.test:7422=127.0.0.1:" + std::to_string(port),
      "--no-system-dns", "--loopback-only",
      "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  return netcheck(dir, args);
}

TEST(NetcheckNats, LeafnodePortAnswersWithInfo) {
  NETCHECK_REQUIRE_PROGRAM(natsServer, "nats-server", "nats-server");
  ScratchDir dir("nats");
  auto nats = startNats(natsServer, dir);
  ASSERT_TRUE(nats);
  const auto r = natsRun(dir, nats->port);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto check = r.check("nats:stream.spindle.test:7422");
  EXPECT_EQ(check.value("status", ""), "pass") << check.dump(2);
  EXPECT_TRUE(check["facts"].value("leafnode", false));
  EXPECT_FALSE(check["facts"].value("tls_required", true));
  EXPECT_NE(check.value("detail", "").find("INFO from nats-server"), std::string::npos);
  // Netcheck only reads INFO: the server must not log a bad connection from it.
  EXPECT_EQ(readFile(dir / "nats.err").find("attempted to connect to leaf node port"),
            std::string::npos);
}

TEST(NetcheckNats, TlsIsNegotiatedWhenTheServerAsks) {
  NETCHECK_REQUIRE_PROGRAM(natsServer, "nats-server", "nats-server");
  NETCHECK_REQUIRE_PROGRAM(openssl, "openssl", "openssl");
  ScratchDir dir("nats-tls");
  TestPki pki(openssl, dir);
  ASSERT_TRUE(pki.makeCa("test-ca", "/O=Spindle Tests/CN=Spindle Test Root CA"));
  ASSERT_TRUE(pki.makeServer("stream", "test-ca", {"stream.spindle.test"}));
  auto nats = startNats(natsServer, dir, pki.pem("stream"), pki.key("stream"));
  ASSERT_TRUE(nats);
  const auto r = natsRun(dir, nats->port, {"--ca-file", pki.pem("test-ca")});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto check = r.check("nats:stream.spindle.test:7422");
  EXPECT_EQ(check.value("status", ""), "pass") << check.dump(2);
  EXPECT_TRUE(check["facts"].value("tls_required", false));
  EXPECT_TRUE(check["facts"].value("chain_trusted", false));
  EXPECT_NE(check.value("detail", "").find("TLS as asked"), std::string::npos);

  // Without the CA the same server looks re-signed by an unknown CA: inspection.
  const auto untrusted = natsRun(dir, nats->port);
  EXPECT_EQ(untrusted.code, 1);
  const auto dpi = untrusted.check("nats:stream.spindle.test:7422");
  EXPECT_EQ(dpi.value("status", ""), "fail");
  EXPECT_TRUE(dpi["facts"].value("dpi", false)) << dpi.dump(2);
}

TEST(NetcheckNats, NothingListeningFailsWithTheCause) {
  ScratchDir dir("nats-closed");
  const std::uint16_t closed = freePort();
  const auto r = natsRun(dir, closed);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const auto tcp = r.check("tcp:stream.spindle.test:7422");
  EXPECT_EQ(tcp.value("status", ""), "fail");
  EXPECT_NE(tcp.value("cause", "").find("refused"), std::string::npos) << tcp.dump(2);
  EXPECT_NE(tcp.value("remedy", "").find("allow outbound TCP 7422 to stream.spindle.test"),
            std::string::npos)
      << tcp.dump(2);
  const auto nats = r.check("nats:stream.spindle.test:7422");
  EXPECT_EQ(nats.value("status", ""), "skip");
  EXPECT_EQ(nats.value("detail", ""), "not run: TCP failed");
}

}  // namespace
}  // namespace spindle::testing
