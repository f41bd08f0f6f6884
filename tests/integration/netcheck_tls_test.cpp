// TLS on 443 against openssl s_server: a certificate from the test CA the check trusts passes;
// the same server re-signed by an "inspection" CA is deep packet inspection, with the issuer
// named; a server that resets after the ClientHello is explained.

#include <gtest/gtest.h>

#include "netcheck_peers.hpp"

namespace spindle::testing {
namespace {

using namespace netcheck_peers;

class NetcheckTls : public ::testing::Test {
 protected:
  void SetUp() override {
    m_openssl = findProgram("openssl");
    if (m_openssl.empty()) GTEST_SKIP() << "openssl is not installed: apt-get install openssl";
    m_dir = std::make_unique<ScratchDir>("tls");
    m_pki = std::make_unique<TestPki>(m_openssl, *m_dir);
    ASSERT_TRUE(m_pki->makeCa("test-ca", "/O=Spindle Tests/CN=Spindle Test Root CA"));
    ASSERT_TRUE(m_pki->makeCa("inspection-ca", "/O=Acme Firewalls/CN=Acme Forward Trust CA"));
    ASSERT_TRUE(m_pki->makeServer("good", "test-ca", {"api.spindle.test", "app.spindle.test"}));
    ASSERT_TRUE(m_pki->makeServer("dpi", "inspection-ca", {"api.spindle.test"}));
    ASSERT_TRUE(m_pki->makeServer("other", "test-ca", {"cdn.elsewhere.test"}));
    m_profile = m_dir->write("p.yaml",
                             "name: tls-test\n"
                             "description: TLS test cloud\n"
                             "dns: {servers: []}\n"
                             "ntp: {servers: []}\n"
                             "endpoints:\n"
                             "  - {host: api.spindle.test, port: 443, checks: [tcp, tls, https],\n"
                             "     what: API}\n"
                             "  - {host: app.spindle.test, port: 443, checks: [tcp, tls],\n"
                             "     what: App}\n");
  }

  NetcheckRun run(std::uint16_t port, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--profile",       m_profile,
                                  "--map",           "*:443=127.0.0.1:" + std::to_string(port),
                                  "--ca-file",       m_pki->pem("test-ca"),
                                  "--no-system-dns", "--loopback-only",
                                  "--timeout",       "2s"};
    args.insert(args.end(), extra.begin(), extra.end());
    return netcheck(*m_dir, args);
  }

  std::string m_openssl;
  std::unique_ptr<ScratchDir> m_dir;
  std::unique_ptr<TestPki> m_pki;
  std::string m_profile;
};

TEST_F(NetcheckTls, ACertificateFromATrustedCaPasses) {
  auto server = startSServer(m_openssl, *m_dir, m_pki->pem("good"), m_pki->key("good"), "good");
  ASSERT_TRUE(server);
  const auto r = run(server->port, {"--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto tls = r.check("tls:api.spindle.test:443");
  EXPECT_EQ(tls.value("status", ""), "pass") << tls.dump(2);
  EXPECT_EQ(tls["facts"].value("issuer", ""), "Spindle Test Root CA (Spindle Tests)");
  EXPECT_TRUE(tls["facts"].value("chain_trusted", false));
  EXPECT_TRUE(tls["facts"].value("hostname_matches", false));
  EXPECT_EQ(tls.value("address", ""), "127.0.0.1:" + std::to_string(server->port));
  const auto https = r.check("https:api.spindle.test:443");
  EXPECT_EQ(https.value("status", ""), "pass") << https.dump(2);
  EXPECT_EQ(https["facts"].value("status", 0), 200);
  EXPECT_FALSE(r.json["dpi"].value("detected", true));
}

TEST_F(NetcheckTls, AnInspectionCaIsDeepPacketInspectionWithTheIssuerNamed) {
  auto server = startSServer(m_openssl, *m_dir, m_pki->pem("dpi"), m_pki->key("dpi"), "dpi");
  ASSERT_TRUE(server);
  const auto r = run(server->port, {"--json"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const auto tls = r.check("tls:api.spindle.test:443");
  EXPECT_EQ(tls.value("status", ""), "fail");
  EXPECT_TRUE(tls["facts"].value("dpi", false)) << tls.dump(2);
  EXPECT_EQ(tls["facts"].value("dpi_issuer", ""), "Acme Forward Trust CA (Acme Firewalls)");
  const std::string cause = tls.value("cause", "");
  EXPECT_NE(cause.find("deep packet inspection detected"), std::string::npos) << cause;
  EXPECT_NE(cause.find("Acme Forward Trust CA"), std::string::npos) << cause;
  const std::string remedy = tls.value("remedy", "");
  EXPECT_NE(remedy.find("create a bypass"), std::string::npos) << remedy;
  EXPECT_NE(remedy.find("api.spindle.test, app.spindle.test"), std::string::npos) << remedy;
  EXPECT_EQ(r.check("https:api.spindle.test:443").value("status", ""), "skip");

  const auto& dpi = r.json["dpi"];
  EXPECT_TRUE(dpi.value("detected", false));
  EXPECT_EQ(dpi["issuers"], nlohmann::json::array({"Acme Forward Trust CA (Acme Firewalls)"}));
  EXPECT_EQ(dpi["bypass"], nlohmann::json::array({"api.spindle.test", "app.spindle.test"}));

  const auto table = run(server->port);
  EXPECT_EQ(table.code, 1);
  EXPECT_NE(table.out.find("Deep packet inspection detected (certificates issued by Acme "
                           "Forward Trust CA (Acme Firewalls))"),
            std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("Create a bypass"), std::string::npos) << table.out;
}

TEST_F(NetcheckTls, AResetAfterClientHelloIsExplained) {
  auto reset = startStub(*m_dir, "reset");
  ASSERT_TRUE(reset);
  const auto r = run(reset->port, {"--json"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_EQ(r.check("tcp:api.spindle.test:443").value("status", ""), "pass");
  const auto tls = r.check("tls:api.spindle.test:443");
  EXPECT_EQ(tls.value("status", ""), "fail");
  EXPECT_NE(tls.value("cause", "")
                .find("reset right after the TLS ClientHello (which names "
                      "api.spindle.test)"),
            std::string::npos)
      << tls.dump(2);
  EXPECT_EQ(tls["facts"].value("dpi_method", ""), "reset");
  EXPECT_TRUE(r.json["dpi"].value("detected", false));
}

TEST_F(NetcheckTls, ACertificateForAnotherNameIsNotTheService) {
  auto server = startSServer(m_openssl, *m_dir, m_pki->pem("other"), m_pki->key("other"), "other");
  ASSERT_TRUE(server);
  const auto r = run(server->port, {"--json"});
  EXPECT_EQ(r.code, 1);
  const auto tls = r.check("tls:api.spindle.test:443");
  EXPECT_EQ(tls.value("status", ""), "fail");
  EXPECT_FALSE(tls["facts"].value("dpi", true));
  EXPECT_NE(tls.value("detail", "")
                .find("certificate is for cdn.elsewhere.test, not "
                      "api.spindle.test"),
            std::string::npos)
      << tls.dump(2);
}

}  // namespace
}  // namespace spindle::testing
