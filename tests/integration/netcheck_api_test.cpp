// netcheck's `api` rows: the endpoints a spindle.yaml names (https.api, the adapter store),
// requested through the edge's HTTP client as the edge reaches them. Real peers on loopback:
// the harness's TLS server (https_test_server.py) with a certificate of the test's own CA, and
// Debian's tinyproxy in front of it. `spindle netcheck --config FILE --loopback-only` runs as
// the binary; nothing leaves 127.0.0.0/8.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "https_peers.hpp"
#include "net/http/http_client.hpp"
#include "s3_peer.hpp"
#include "update/signing.hpp"

namespace spindle::testing {
namespace {

using namespace netcheck_peers;
using namespace https_peers;

/// An adapter store key as base64: one without '/', which adapter_store.keys would take for a
/// file's path.
std::string storeKey() {
  while (true) {
    std::string key = update::base64Encode(update::generateKeyPair().publicKey.raw);
    if (key.find('/') == std::string::npos) return key;
  }
}

class NetcheckApi : public ::testing::Test {
 protected:
  void SetUp() override {
    m_openssl = findProgram("openssl");
    m_python = findProgram("python3");
    if (m_openssl.empty()) GTEST_SKIP() << "openssl is not installed: apt-get install openssl";
    if (m_python.empty()) GTEST_SKIP() << "python3 is not installed: apt-get install python3";
    m_dir = std::make_unique<ScratchDir>("api");
    m_pki = std::make_unique<TestPki>(m_openssl, *m_dir);
    ASSERT_TRUE(m_pki->makeCa("test-ca", "/O=Spindle Tests/CN=Spindle Test Root CA"));
    ASSERT_TRUE(m_pki->makeServer("good", "test-ca", {"api.spindle.test", "127.0.0.1"}));
    m_server = startHttpsServer(m_python, *m_dir, m_pki->pem("good"), m_pki->key("good"));
    ASSERT_TRUE(m_server);
    m_profile = m_dir->write("p.yaml",
                             "name: api-test\ndescription: the configuration's endpoints only\n"
                             "dns: {servers: []}\nntp: {servers: []}\n");
  }

  std::string api(const std::string& path = "", std::uint16_t port = 0) const {
    return "https://127.0.0.1:" + std::to_string(port != 0 ? port : m_server->port) + path;
  }

  /// A spindle.yaml naming `api` (trusting the test CA unless `trusted` is false), with the
  /// loopback net: section plus `net`, and `extra` sections.
  std::string config(const std::string& apiUrl, bool trusted = true, const std::string& net = "",
                     const std::string& extra = "") const {
    std::string yaml = "edge: {id: plant-7}\nhttps:\n  api: " + apiUrl + "\n";
    if (trusted) yaml += "  ca_file: " + m_pki->pem("test-ca") + "\n";
    yaml += "net:\n  dns_preferred: []\n  resolv_conf: \"\"\n  ntp_servers: []\n" + net;
    yaml += extra + "machines: []\n";
    return m_dir->write("spindle.yaml", yaml);
  }

  NetcheckRun run(const std::string& configFile) const {
    return netcheck(*m_dir, {"--profile", m_profile, "--config", configFile, "--no-system-dns",
                             "--loopback-only", "--timeout", "3s", "--json"});
  }

  /// How often the server was asked for `path`.
  std::size_t hits(const std::string& path) const {
    net::http::HttpClientOptions o;
    o.caFile = m_pki->pem("test-ca");
    o.retries = 0;
    auto client = net::http::HttpClient::create(o);
    EXPECT_TRUE(client);
    if (!client) return 0;
    const auto r = (*client)->perform({.url = api("/stats")});
    const auto json = nlohmann::json::parse(r.body, nullptr, false);
    if (!json.is_object() || !json.contains(path)) return 0;
    return json[path].size();
  }

  std::string m_openssl;
  std::string m_python;
  std::unique_ptr<ScratchDir> m_dir;
  std::unique_ptr<TestPki> m_pki;
  std::optional<Peer> m_server;
  std::string m_profile;
};

std::string text(const nlohmann::json& row, const char* key) { return row.value(key, ""); }

bool has(const nlohmann::json& row, const char* key, const std::string& part) {
  return text(row, key).find(part) != std::string::npos;
}

TEST_F(NetcheckApi, TheApiAnsweringItsPingPasses) {
  const auto r = run(config(api()));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto row = r.check("api:" + api("/v1/ping"));
  EXPECT_EQ(text(row, "kind"), "api") << r.out;
  EXPECT_EQ(text(row, "status"), "pass") << row.dump(2);
  EXPECT_TRUE(row.value("required", false));
  EXPECT_TRUE(has(row, "detail", "HTTP 200, spindle.ping.v1")) << row.dump(2);
  EXPECT_TRUE(has(row, "what", "https.api")) << row.dump(2);
  EXPECT_EQ(text(row, "address"), "127.0.0.1:" + std::to_string(m_server->port));
  EXPECT_EQ(row["facts"].value("setting", ""), "https.api");
  EXPECT_EQ(row["facts"].value("status", 0), 200);
  EXPECT_EQ(hits("/v1/ping"), 1u) << "the request reached the server once (no retries)";
}

TEST_F(NetcheckApi, AnApiUrlOfAnotherServerFailsNamingHttpsApi) {
  const auto r = run(config(api("/not-the-api")));
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const auto row = r.check("api:" + api("/not-the-api/v1/ping"));
  EXPECT_EQ(text(row, "status"), "fail") << r.out;
  EXPECT_TRUE(has(row, "detail", "HTTP 404: no such thing here")) << row.dump(2);
  EXPECT_TRUE(has(row, "cause", "has no /v1/ping")) << row.dump(2);
  EXPECT_TRUE(has(row, "remedy", "wrong https.api")) << row.dump(2);
  EXPECT_EQ(row["facts"].value("failure", ""), "wrong_api");
  EXPECT_EQ(r.json["summary"].value("required_failures", 0), 1);
}

TEST_F(NetcheckApi, AnUntrustedCertificateFailsNamingHttpsCaFile) {
  // netcheck's own --ca-file is not the edge's trust: only https.ca_file counts.
  const auto r = netcheck(*m_dir, {"--profile", m_profile, "--config", config(api(), false),
                                   "--ca-file", m_pki->pem("test-ca"), "--no-system-dns",
                                   "--loopback-only", "--timeout", "3s", "--json"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const auto row = r.check("api:" + api("/v1/ping"));
  EXPECT_EQ(text(row, "status"), "fail") << r.out;
  EXPECT_EQ(row["facts"].value("failure", ""), "tls_untrusted") << row.dump(2);
  EXPECT_TRUE(has(row, "detail", "TLS verification of 127.0.0.1 failed")) << row.dump(2);
  EXPECT_TRUE(has(row, "cause", "https.ca_file is not set")) << row.dump(2);
  EXPECT_TRUE(has(row, "remedy", "set https.ca_file")) << row.dump(2);
  EXPECT_EQ(hits("/v1/ping"), 0u);
}

TEST_F(NetcheckApi, NothingListeningFailsWithTheFirewallRule) {
  const std::uint16_t closed = freePort();
  const auto r = run(config(api("", closed)));
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const auto row = r.check("api:" + api("/v1/ping", closed));
  EXPECT_EQ(text(row, "status"), "fail") << r.out;
  EXPECT_EQ(row["facts"].value("failure", ""), "refused") << row.dump(2);
  EXPECT_TRUE(has(row, "cause", "was refused")) << row.dump(2);
  EXPECT_TRUE(has(row, "remedy", "allow outbound TCP " + std::to_string(closed) + " to 127.0.0.1"))
      << row.dump(2);
}

TEST_F(NetcheckApi, AnEndpointOutsideLoopbackIsNotContacted) {
  // 192.0.2.1 is TEST-NET-1: were anything sent, the run would wait out its timeout.
  const auto r = run(config("https://192.0.2.1"));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto row = r.check("api:https://192.0.2.1:443/v1/ping");
  EXPECT_EQ(text(row, "status"), "skip") << r.out;
  EXPECT_TRUE(has(row, "detail", "--loopback-only")) << row.dump(2);
  EXPECT_LT(row.value("elapsed_ms", 1e9), 1000.0);
}

TEST_F(NetcheckApi, TheAdapterStoreMustServeItsIndex) {
  const std::string key = storeKey();
  const auto r =
      run(config(api(), true, "",
                 "adapter_store:\n  url: " + api("/adapters/") + "\n  keys: [" + key + "]\n"));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto row = r.check("api:" + api("/adapters/index.json"));
  EXPECT_EQ(text(row, "status"), "pass") << r.out;
  EXPECT_EQ(row["facts"].value("setting", ""), "adapter_store.url");
  EXPECT_TRUE(has(row, "what", "adapter store")) << row.dump(2);

  // The store at a URL without an index: the run fails on that row alone.
  const auto wrong =
      run(config(api(), true, "",
                 "adapter_store:\n  url: " + api("/elsewhere/") + "\n  keys: [" + key + "]\n"));
  EXPECT_EQ(wrong.code, 1) << wrong.out << wrong.err;
  const auto missing = wrong.check("api:" + api("/elsewhere/index.json"));
  EXPECT_EQ(text(missing, "status"), "fail") << wrong.out;
  EXPECT_TRUE(has(missing, "remedy", "adapter_store.url")) << missing.dump(2);
  EXPECT_EQ(text(wrong.check("api:" + api("/v1/ping")), "status"), "pass");
}

// The uploads bucket: s3rver (npm) behind the harness's SigV4 check, asked HeadBucket with the
// edge's own signature.
TEST_F(NetcheckApi, TheUploadsBucketAnswersTheEdgesSignedRequest) {
  S3Peer bucket(m_dir->path().string(), m_pki->pem("good"), m_pki->key("good"), {"uploads"});
  ASSERT_EQ(bucket.start(), "");
  const std::string right = m_dir->write("s3.secret", "S3RVER\n");
  const std::string wrong = m_dir->write("wrong.secret", "not-the-secret\n");
  const auto uploads = [&](const std::string& name, const std::string& secret) {
    return "uploads:\n  endpoint: " + bucket.endpoint() + "\n  bucket: " + name +
           "\n  access_key_id: S3RVER\n  secret_access_key_file: " + secret + "\n";
  };
  const auto r = run(config(api(), true, "", uploads("uploads", right)));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto row = r.check("api:" + bucket.endpoint() + "/uploads");
  EXPECT_EQ(text(row, "status"), "pass") << r.out;
  EXPECT_TRUE(has(row, "detail", "takes this edge's credentials")) << row.dump(2);
  EXPECT_EQ(row["facts"].value("method", ""), "HEAD");

  const auto none = run(config(api(), true, "", uploads("elsewhere", right)));
  EXPECT_EQ(none.code, 1) << none.out;
  const auto missing = none.check("api:" + bucket.endpoint() + "/elsewhere");
  EXPECT_EQ(text(missing, "status"), "fail") << none.out;
  EXPECT_TRUE(has(missing, "remedy", "uploads.bucket")) << missing.dump(2);

  const auto refused = run(config(api(), true, "", uploads("uploads", wrong)));
  const auto warned = refused.check("api:" + bucket.endpoint() + "/uploads");
  EXPECT_EQ(text(warned, "status"), "warn") << refused.out;
  EXPECT_TRUE(has(warned, "remedy", "uploads.access_key_id")) << warned.dump(2);
}

class NetcheckApiProxy : public NetcheckApi {
 protected:
  void SetUp() override {
    NetcheckApi::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    m_tinyproxy = findProgram("tinyproxy");
    if (m_tinyproxy.empty()) {
      GTEST_SKIP() << "tinyproxy is not installed: apt-get install tinyproxy (scripts/setup "
                      "installs it)";
    }
    m_proxy = startTinyproxy(m_tinyproxy, *m_dir, m_server->port, true);
    ASSERT_TRUE(m_proxy);
  }

  std::string proxyNet(const std::string& credentials) const {
    std::string net = "  proxy: http://127.0.0.1:" + std::to_string(m_proxy->port) + "\n";
    if (!credentials.empty()) {
      net += "  proxy_credentials: " + m_dir->write("proxy.pass", credentials + "\n") + "\n";
    }
    return net;
  }

  std::string m_tinyproxy;
  std::optional<Peer> m_proxy;
};

TEST_F(NetcheckApiProxy, ThroughTheProxyWithCredentialsPassesAndSaysSo) {
  const auto r = run(config(api(), true, proxyNet("edge:s3cret")));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const std::string proxy = "127.0.0.1:" + std::to_string(m_proxy->port);
  const auto row = r.check("api:" + api("/v1/ping"));
  EXPECT_EQ(text(row, "status"), "pass") << row.dump(2);
  EXPECT_TRUE(has(row, "detail", "(via proxy " + proxy + ")")) << row.dump(2);
  EXPECT_TRUE(has(row, "what", "through the HTTP proxy")) << row.dump(2);
  EXPECT_EQ(row["facts"].value("via_proxy", ""), proxy);
  EXPECT_EQ(text(row, "address"), proxy);
  // The proxy's own row is there, and required: the configuration's API goes through it.
  const auto proxyRow = r.check("proxy:" + proxy);
  EXPECT_EQ(text(proxyRow, "status"), "pass") << r.out;
  EXPECT_TRUE(proxyRow.value("required", false));
  // tinyproxy saw the tunnel. Its log is buffered until it exits: stop it (by PID) first.
  m_proxy->process->kill();
  const std::string log = readFile(*m_dir / "tinyproxy.err") + readFile(*m_dir / "tinyproxy.out");
  EXPECT_NE(log.find("CONNECT 127.0.0.1:" + std::to_string(m_server->port)), std::string::npos)
      << log;
}

TEST_F(NetcheckApiProxy, AProxyThatWantsCredentialsFailsNamingTheSetting) {
  const auto r = run(config(api(), true, proxyNet("")));
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const auto row = r.check("api:" + api("/v1/ping"));
  EXPECT_EQ(text(row, "status"), "fail") << r.out;
  EXPECT_EQ(row["facts"].value("failure", ""), "proxy_auth") << row.dump(2);
  EXPECT_EQ(row["facts"].value("proxy_status", 0), 407) << row.dump(2);
  EXPECT_TRUE(has(row, "cause", "asks for credentials (HTTP 407)")) << row.dump(2);
  EXPECT_TRUE(has(row, "remedy", "set net.proxy_credentials")) << row.dump(2);
  EXPECT_TRUE(has(row, "detail", "(via proxy 127.0.0.1:" + std::to_string(m_proxy->port) + ")"))
      << row.dump(2);
  EXPECT_EQ(hits("/v1/ping"), 0u);
}

TEST_F(NetcheckApiProxy, WrongCredentialsFailNamingTheFile) {
  const auto r = run(config(api(), true, proxyNet("edge:wrong")));
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const auto row = r.check("api:" + api("/v1/ping"));
  EXPECT_EQ(text(row, "status"), "fail") << r.out;
  EXPECT_EQ(row["facts"].value("failure", ""), "proxy_auth") << row.dump(2);
  EXPECT_TRUE(has(row, "cause", "refused the credentials")) << row.dump(2);
  EXPECT_TRUE(has(row, "remedy", *m_dir / "proxy.pass")) << row.dump(2);
}

}  // namespace
}  // namespace spindle::testing
