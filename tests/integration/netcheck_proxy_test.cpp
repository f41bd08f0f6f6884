// netcheck through an HTTP proxy: Debian's tinyproxy on a loopback port, in front of openssl
// s_server. The CONNECT tunnel, tinyproxy's real answers to every way it says no, a proxy that
// is down, and no_proxy hosts that go direct. Every target is mapped to 127.0.0.1, so the
// proxy never connects outside 127.0.0.0/8.

#include <gtest/gtest.h>

#include "netcheck_peers.hpp"

namespace spindle::testing {
namespace {

using namespace netcheck_peers;

/// tinyproxy in the foreground (-d) with a generated configuration; stopped by PID.
struct TinyproxyOptions {
  std::uint16_t connectPort = 0;  ///< the only port CONNECT may reach
  bool basicAuth = false;         ///< require user edge, password s3cret
};

std::optional<Peer> startTinyproxy(const std::string& program, const ScratchDir& dir,
                                   const TinyproxyOptions& options) {
  Peer peer;
  peer.port = freePort();
  std::string conf = "Port " + std::to_string(peer.port) +
                     "\n"
                     "Listen 127.0.0.1\n"
                     "Allow 127.0.0.1\n"
                     "ConnectPort " +
                     std::to_string(options.connectPort) +
                     "\n"
                     "LogLevel Connect\n"
                     "MaxClients 20\n"
                     "Timeout 10\n"
                     "PidFile \"" +
                     (dir / "tinyproxy.pid") + "\"\n";
  if (options.basicAuth) conf += "BasicAuth edge s3cret\n";
  const std::string file = dir.write("tinyproxy.conf", conf);
  peer.process = std::make_unique<Process>(std::vector<std::string>{program, "-d", "-c", file},
                                           dir / "tinyproxy.out", dir / "tinyproxy.err");
  if (!waitReady([&] { return tcpOpen(peer.port); }, *peer.process)) {
    ADD_FAILURE() << "tinyproxy did not start: " << readFile(dir / "tinyproxy.err");
    return std::nullopt;
  }
  return peer;
}

class NetcheckProxy : public ::testing::Test {
 protected:
  void SetUp() override {
    m_openssl = findProgram("openssl");
    m_tinyproxy = findProgram("tinyproxy");
    if (m_openssl.empty()) GTEST_SKIP() << "openssl is not installed: apt-get install openssl";
    if (m_tinyproxy.empty()) {
      GTEST_SKIP() << "tinyproxy is not installed: apt-get install tinyproxy (scripts/setup "
                      "installs it)";
    }
    m_dir = std::make_unique<ScratchDir>("proxy");
    m_pki = std::make_unique<TestPki>(m_openssl, *m_dir);
    ASSERT_TRUE(m_pki->makeCa("test-ca", "/O=Spindle Tests/CN=Spindle Test Root CA"));
    ASSERT_TRUE(m_pki->makeServer("good", "test-ca", {"api.spindle.test", "direct.spindle.test"}));
    m_server = startSServer(m_openssl, *m_dir, m_pki->pem("good"), m_pki->key("good"), "good");
    ASSERT_TRUE(m_server);
    m_profile =
        m_dir->write("p.yaml",
                     "name: proxy-test\n"
                     "description: proxy test cloud\n"
                     "dns: {servers: []}\n"
                     "ntp: {servers: []}\n"
                     "endpoints:\n"
                     "  - {host: api.spindle.test, port: 443, checks: [tcp, tls, https],\n"
                     "     what: API}\n"
                     "  - {host: direct.spindle.test, port: 443, checks: [tcp, tls, https],\n"
                     "     what: Direct}\n");
  }

  std::string serverAddress() const { return "127.0.0.1:" + std::to_string(m_server->port); }

  /// netcheck with every 443 target mapped to the s_server, through `proxyPort`.
  NetcheckRun run(std::uint16_t proxyPort, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{
        "--profile",       m_profile,
        "--map",           "*:443=" + serverAddress(),
        "--ca-file",       m_pki->pem("test-ca"),
        "--proxy",         "http://127.0.0.1:" + std::to_string(proxyPort),
        "--no-proxy",      "direct.spindle.test",
        "--no-system-dns", "--loopback-only",
        "--timeout",       "3s",
        "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return netcheck(*m_dir, args);
  }

  std::optional<Peer> proxy(bool basicAuth = false) {
    return startTinyproxy(m_tinyproxy, *m_dir, {m_server->port, basicAuth});
  }

  std::string credentials(const std::string& line) const {
    return m_dir->write("proxy.pass", line + "\n");
  }

  std::string m_openssl;
  std::string m_tinyproxy;
  std::unique_ptr<ScratchDir> m_dir;
  std::unique_ptr<TestPki> m_pki;
  std::optional<Peer> m_server;
  std::string m_profile;
};

TEST_F(NetcheckProxy, HttpsThroughTheProxyPassesAndSaysSo) {
  auto tinyproxy = proxy();
  ASSERT_TRUE(tinyproxy);
  const auto r = run(tinyproxy->port);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const std::string via = "via proxy 127.0.0.1:" + std::to_string(tinyproxy->port);

  const auto proxyRow = r.check("proxy:127.0.0.1:" + std::to_string(tinyproxy->port));
  EXPECT_EQ(proxyRow.value("status", ""), "pass") << proxyRow.dump(2);
  EXPECT_TRUE(proxyRow.value("required", false));
  EXPECT_EQ(proxyRow["facts"].value("source", ""), "configured");

  const auto tcp = r.check("tcp:api.spindle.test:443");
  EXPECT_EQ(tcp.value("status", ""), "pass") << tcp.dump(2);
  EXPECT_NE(tcp.value("detail", "").find("tunnel to " + serverAddress() + " opened " + via),
            std::string::npos)
      << tcp.dump(2);
  EXPECT_EQ(tcp["facts"].value("proxy_status", 0), 200);
  EXPECT_NE(tcp.value("what", "").find("through the HTTP proxy"), std::string::npos);
  for (const char* id : {"tls:api.spindle.test:443", "https:api.spindle.test:443"}) {
    const auto row = r.check(id);
    EXPECT_EQ(row.value("status", ""), "pass") << row.dump(2);
    EXPECT_NE(row.value("detail", "").find(via), std::string::npos) << row.dump(2);
  }
  // tinyproxy saw the tunnel: the traffic really went through it. Its log is buffered until
  // it exits, so stop it (by PID) first.
  tinyproxy->process->kill();
  const std::string log = readFile(*m_dir / "tinyproxy.err") + readFile(*m_dir / "tinyproxy.out");
  EXPECT_NE(log.find("CONNECT " + serverAddress()), std::string::npos) << log;
}

TEST_F(NetcheckProxy, AProxyAskingForCredentialsWithNoneSetSaysWhatToSet) {
  auto tinyproxy = proxy(true);
  ASSERT_TRUE(tinyproxy);
  const auto r = run(tinyproxy->port);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const auto tcp = r.check("tcp:api.spindle.test:443");
  EXPECT_EQ(tcp.value("status", ""), "fail") << tcp.dump(2);
  EXPECT_EQ(tcp["facts"].value("proxy_status", 0), 407);
  EXPECT_EQ(tcp["facts"].value("proxy_error", ""), "auth_required");
  EXPECT_NE(tcp.value("cause", "").find("the proxy asks for credentials"), std::string::npos)
      << tcp.dump(2);
  EXPECT_NE(tcp.value("remedy", "").find("set net.proxy_credentials"), std::string::npos)
      << tcp.dump(2);
  EXPECT_EQ(r.check("tls:api.spindle.test:443").value("status", ""), "skip");
}

TEST_F(NetcheckProxy, WrongCredentialsAreRefusedNamingTheFile) {
  auto tinyproxy = proxy(true);
  ASSERT_TRUE(tinyproxy);
  const std::string file = credentials("edge:wrong");
  const auto r = run(tinyproxy->port, {"--proxy-credentials", file});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const auto tcp = r.check("tcp:api.spindle.test:443");
  EXPECT_EQ(tcp.value("status", ""), "fail") << tcp.dump(2);
  // tinyproxy 1.11 answers wrong credentials with 401 Unauthorized (no credentials: 407);
  // both read as a refusal of the credentials that were sent.
  EXPECT_EQ(tcp["facts"].value("proxy_status", 0), 401);
  EXPECT_EQ(tcp["facts"].value("proxy_error", ""), "auth_refused");
  EXPECT_NE(tcp.value("cause", "").find("the proxy refused the credentials in " + file),
            std::string::npos)
      << tcp.dump(2);
  EXPECT_EQ(r.out.find("wrong"), std::string::npos) << "the password is never shown";
}

TEST_F(NetcheckProxy, RightCredentialsPass) {
  auto tinyproxy = proxy(true);
  ASSERT_TRUE(tinyproxy);
  const auto r = run(tinyproxy->port, {"--proxy-credentials", credentials("edge:s3cret")});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.check("https:api.spindle.test:443").value("status", ""), "pass") << r.out;
  const auto proxyRow = r.check("proxy:127.0.0.1:" + std::to_string(tinyproxy->port));
  EXPECT_EQ(proxyRow["facts"].value("user", ""), "edge");
  EXPECT_EQ(r.out.find("s3cret"), std::string::npos) << "the password is never shown";
}

TEST_F(NetcheckProxy, AConnectPortTheProxyDoesNotAllowIsExplained) {
  auto tinyproxy = proxy();
  ASSERT_TRUE(tinyproxy);
  // The same server, asked for on a port tinyproxy's ConnectPort does not list.
  const std::uint16_t otherPort = freePort();
  const auto r = run(tinyproxy->port,
                     {"--map", "api.spindle.test:443=127.0.0.1:" + std::to_string(otherPort)});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const auto tcp = r.check("tcp:api.spindle.test:443");
  EXPECT_EQ(tcp.value("status", ""), "fail") << tcp.dump(2);
  EXPECT_EQ(tcp["facts"].value("proxy_status", 0), 403);
  EXPECT_EQ(tcp["facts"].value("proxy_error", ""), "connect_refused");
  EXPECT_NE(
      tcp.value("cause", "").find("does not allow CONNECT to port " + std::to_string(otherPort)),
      std::string::npos)
      << tcp.dump(2);
  EXPECT_NE(tcp.value("remedy", "").find("tinyproxy ConnectPort"), std::string::npos);
  EXPECT_NE(tcp.value("remedy", "").find("squid SSL_ports"), std::string::npos);
}

TEST_F(NetcheckProxy, AProxyThatIsDownIsUnreachableAndNoProxyHostsStillPass) {
  const std::uint16_t nobody = freePort();
  const auto r = run(nobody);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const auto proxyRow = r.check("proxy:127.0.0.1:" + std::to_string(nobody));
  EXPECT_EQ(proxyRow.value("status", ""), "fail") << proxyRow.dump(2);
  EXPECT_NE(proxyRow.value("cause", "").find("cannot be reached"), std::string::npos);
  const auto tcp = r.check("tcp:api.spindle.test:443");
  EXPECT_EQ(tcp.value("status", ""), "fail") << tcp.dump(2);
  EXPECT_EQ(tcp["facts"].value("proxy_error", ""), "unreachable");
  EXPECT_NE(tcp.value("cause", "").find("the HTTP proxy cannot be reached"), std::string::npos)
      << tcp.dump(2);
  EXPECT_NE(tcp.value("remedy", "").find("check net.proxy"), std::string::npos);
  EXPECT_EQ(r.check("https:api.spindle.test:443").value("status", ""), "skip");
  // direct.spindle.test is in no_proxy: it never needed the proxy.
  EXPECT_EQ(r.check("https:direct.spindle.test:443").value("status", ""), "pass") << r.out;
}

TEST_F(NetcheckProxy, ANoProxyHostGoesDirect) {
  auto tinyproxy = proxy();
  ASSERT_TRUE(tinyproxy);
  const auto r = run(tinyproxy->port);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto tcp = r.check("tcp:direct.spindle.test:443");
  EXPECT_EQ(tcp.value("status", ""), "pass") << tcp.dump(2);
  EXPECT_EQ(tcp.value("address", ""), serverAddress());
  EXPECT_EQ(tcp["facts"].value("proxy", ""), "not used: no_proxy");
  EXPECT_NE(tcp.value("detail", "").find("(direct: no_proxy)"), std::string::npos);
  EXPECT_EQ(r.check("https:direct.spindle.test:443").value("detail", "").find("via proxy"),
            std::string::npos);
}

TEST_F(NetcheckProxy, TheConfigurationsProxyIsUsedAndNatsIsNotedAsDirect) {
  auto tinyproxy = proxy(true);
  ASSERT_TRUE(tinyproxy);
  Listener mill;
  const std::string pass = credentials("edge:s3cret");
  const std::string config = m_dir->write(
      "spindle.yaml",
      "machines:\n  - id: mill-1\n    type: shdr\n    host: 127.0.0.1\n"
      "    port: " +
          std::to_string(mill.port()) + "\nnet:\n  dns_preferred: []\n  proxy: http://127.0.0.1:" +
          std::to_string(tinyproxy->port) + "\n  proxy_credentials: " + pass +
          "\n  no_proxy: [.direct.spindle.test]\n");
  const std::string profile =
      m_dir->write("nats.yaml",
                   "name: proxy-nats\ndns: {servers: []}\nntp: {servers: []}\n"
                   "endpoints:\n"
                   "  - {host: api.spindle.test, port: 443, checks: [tcp, tls, https]}\n"
                   "  - {host: stream.spindle.test, port: 7422, checks: [tcp, nats],\n"
                   "     required: false}\n");
  const auto r = netcheck(
      *m_dir,
      {"--profile", profile, "--config", config, "--map", "*:443=" + serverAddress(), "--map",
       "*:7422=127.0.0.1:" + std::to_string(freePort()), "--ca-file", m_pki->pem("test-ca"),
       "--no-system-dns", "--loopback-only", "--timeout", "3s", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.check("https:api.spindle.test:443").value("status", ""), "pass") << r.out;
  const auto nats = r.check("tcp:stream.spindle.test:7422");
  EXPECT_EQ(nats["facts"].value("proxy", ""), "not used: the NATS link connects direct")
      << nats.dump(2);
  ASSERT_EQ(r.json["notes"].size(), 1u) << r.out;
  EXPECT_NE(r.json["notes"][0].get<std::string>().find("NATS link does not use the proxy"),
            std::string::npos);

  // --proxy none overrides the configuration: straight to the server, no proxy row.
  const auto direct = netcheck(
      *m_dir, {"--profile", profile, "--config", config, "--proxy", "none", "--map",
               "*:443=" + serverAddress(), "--map",
               "*:7422=127.0.0.1:" + std::to_string(freePort()), "--ca-file", m_pki->pem("test-ca"),
               "--no-system-dns", "--loopback-only", "--timeout", "3s", "--json"});
  EXPECT_EQ(direct.code, 0) << direct.out << direct.err;
  EXPECT_EQ(direct.check("tcp:api.spindle.test:443").value("address", ""), serverAddress());
  EXPECT_TRUE(direct.json["notes"].empty()) << direct.out;
}

TEST_F(NetcheckProxy, CredentialsInTheConfiguredUrlAreRefused) {
  Listener mill;
  const std::string config = m_dir->write(
      "spindle.yaml",
      "machines:\n  - id: mill-1\n    type: shdr\n    host: 127.0.0.1\n"
      "    port: " +
          std::to_string(mill.port()) + "\nnet:\n  proxy: http://edge:s3cret@127.0.0.1:3128\n");
  const auto r = netcheck(
      *m_dir, {"--profile", m_profile, "--config", config, "--no-system-dns", "--loopback-only"});
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("net.proxy_credentials"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace spindle::testing
