// The edge's HTTP client against real peers on loopback: a TLS server of the harness
// (https_test_server.py) that answers by path, certificates made with the openssl CLI,
// Debian's tinyproxy in between, dnsmasq behind the DNS chain. Nothing leaves 127.0.0.0/8.

#include <future>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "https_peers.hpp"
#include "net/http/http_client.hpp"
#include "net/resolver_chain.hpp"

namespace spindle::testing {
namespace {

using namespace netcheck_peers;
using namespace https_peers;
using net::http::HttpClient;
using net::http::HttpClientOptions;
using net::http::HttpRequest;
using net::http::HttpResponse;

std::string describe(const HttpResponse& r) {
  return "status " + std::to_string(r.status) + ", attempts " + std::to_string(r.attempts) +
         (r.error ? ", error: " + r.error->describe() : "") + ", body: " + r.body.substr(0, 200);
}

class HttpsClient : public ::testing::Test {
 protected:
  void SetUp() override {
    m_openssl = findProgram("openssl");
    m_python = findProgram("python3");
    if (m_openssl.empty()) GTEST_SKIP() << "openssl is not installed: apt-get install openssl";
    if (m_python.empty()) GTEST_SKIP() << "python3 is not installed: apt-get install python3";
    m_dir = std::make_unique<ScratchDir>("https");
    m_pki = std::make_unique<TestPki>(m_openssl, *m_dir);
    ASSERT_TRUE(m_pki->makeCa("test-ca", "/O=Spindle Tests/CN=Spindle Test Root CA"));
    ASSERT_TRUE(m_pki->makeServer("good", "test-ca", {"api.spindle.test", "127.0.0.1"}));
    m_server = startHttpsServer(m_python, *m_dir, m_pki->pem("good"), m_pki->key("good"));
    ASSERT_TRUE(m_server);
  }

  HttpClientOptions options() const {
    HttpClientOptions o;
    o.edgeId = "edge-test";
    o.caFile = m_pki->pem("test-ca");
    o.retries = 3;
    o.retryMin = std::chrono::milliseconds(50);
    o.retryMax = std::chrono::milliseconds(200);
    o.connectTimeout = std::chrono::seconds(5);
    o.timeout = std::chrono::seconds(20);
    return o;
  }

  static std::unique_ptr<HttpClient> client(HttpClientOptions o) {
    auto made = HttpClient::create(std::move(o));
    EXPECT_TRUE(made);
    return std::move(made.value());
  }

  std::string url(const std::string& path, std::uint16_t port = 0) const {
    return "https://127.0.0.1:" + std::to_string(port ? port : m_server->port) + path;
  }

  /// The server's record: how often `path` was asked and when (monotonic seconds).
  std::vector<double> hits(const std::string& path) {
    auto c = client(options());
    const auto r = c->perform({.url = url("/stats")});
    EXPECT_EQ(r.status, 200) << describe(r);
    const auto json = nlohmann::json::parse(r.body, nullptr, false);
    if (!json.is_object() || !json.contains(path)) return {};
    return json[path].get<std::vector<double>>();
  }

  std::string m_openssl;
  std::string m_python;
  std::unique_ptr<ScratchDir> m_dir;
  std::unique_ptr<TestPki> m_pki;
  std::optional<Peer> m_server;
};

TEST_F(HttpsClient, AnswersOk) {
  const auto r = client(options())->perform({.url = url("/ok")});
  EXPECT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.headers.at("content-length"), "2");
  EXPECT_GT(r.elapsed.count(), 0);
}

TEST_F(HttpsClient, RetriesFiveHundredsUntilOk) {
  const auto r = client(options())->perform({.url = url("/fail-twice-then-ok")});
  EXPECT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(r.body, "third time");
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(hits("/fail-twice-then-ok").size(), 3u);
}

TEST_F(HttpsClient, ReturnsTheLastFiveHundredWhenRetriesRunOut) {
  auto o = options();
  o.retries = 1;
  const auto r = client(o)->perform({.url = url("/fail-twice-then-ok")});
  EXPECT_FALSE(r.error) << describe(r);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "busy");
  EXPECT_EQ(r.attempts, 2);
}

TEST_F(HttpsClient, HonoursRetryAfterOn429) {
  // retry_max is 200 ms: the second attempt waits the server's 1 s all the same.
  const auto r = client(options())->perform({.url = url("/429-retry-after-1")});
  EXPECT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(r.body, "patience");
  EXPECT_EQ(r.attempts, 2);
  const auto times = hits("/429-retry-after-1");
  ASSERT_EQ(times.size(), 2u);
  EXPECT_GE(times[1] - times[0], 1.0);
}

TEST_F(HttpsClient, ARetryAfterBeyondTheDeadlineEndsWithTheAnswer) {
  HttpRequest request{.url = url("/429-retry-after-1")};
  request.deadline = std::chrono::milliseconds(500);
  const auto r = client(options())->perform(request);
  EXPECT_FALSE(r.error) << describe(r);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_LT(r.elapsed, std::chrono::milliseconds(900));
}

TEST_F(HttpsClient, DoesNotRetryA404AndKeepsItsBody) {
  const auto r = client(options())->perform({.url = url("/404")});
  EXPECT_FALSE(r.error) << describe(r);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.body, "no such thing here");
  EXPECT_EQ(hits("/404").size(), 1u);
}

TEST_F(HttpsClient, RetriesAResetMidBody) {
  const auto r = client(options())->perform({.url = url("/reset-mid-body")});
  EXPECT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(r.body, std::string(4000, 'r'));
}

TEST_F(HttpsClient, APostWithoutIdempotencyKeyIsNotRepeatedAfterAReset) {
  auto c = client(options());
  const auto once = c->perform({.method = "POST", .url = url("/reset-mid-body"), .body = "b"});
  ASSERT_TRUE(once.error) << describe(once);
  EXPECT_EQ(once.attempts, 1);
  EXPECT_EQ(once.error->code(), ErrorCode::kUnavailable);
  // With a key the server can drop a resend, so the client tries again.
  HttpRequest keyed{.method = "POST", .url = url("/reset-mid-body"), .body = "b"};
  keyed.idempotencyKey = "edge-test:1";
  const auto again = c->perform(keyed);
  EXPECT_TRUE(again.ok()) << describe(again);
  EXPECT_EQ(again.attempts, 1);  // the server resets only the first request of the path
}

TEST_F(HttpsClient, RefusesAResponseOverTheLimit) {
  auto o = options();
  o.maxResponse = 1 << 20;
  const auto r = client(o)->perform({.url = url("/huge")});
  ASSERT_TRUE(r.error) << describe(r);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_NE(r.error->describe().find("larger than the limit of 1048576 bytes"), std::string::npos)
      << r.error->describe();
  EXPECT_TRUE(r.body.empty());
  // The same body within a request's own larger limit is fine.
  HttpRequest bigger{.url = url("/huge")};
  bigger.maxResponse = 4 << 20;
  const auto ok = client(o)->perform(bigger);
  EXPECT_TRUE(ok.ok()) << describe(ok);
  EXPECT_EQ(ok.body.size(), 2u << 20);
}

TEST_F(HttpsClient, ASlowBodyTimesOutAndIsRetried) {
  auto o = options();
  o.retries = 1;
  HttpRequest request{.url = url("/slow-body")};
  request.timeout = std::chrono::milliseconds(500);
  const auto r = client(o)->perform(request);
  ASSERT_TRUE(r.error) << describe(r);
  EXPECT_EQ(r.error->code(), ErrorCode::kTimeout);
  EXPECT_EQ(r.attempts, 2);
}

TEST_F(HttpsClient, ManyRequestsRunAtOnceOnTheOneThread) {
  // Each /slow-body takes 2 s; eight one after another would take 16.
  auto c = client(options());
  std::vector<std::future<HttpResponse>> answers;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 8; ++i) {
    auto promise = std::make_shared<std::promise<HttpResponse>>();
    answers.push_back(promise->get_future());
    c->submit({.url = url("/slow-body")},
              [promise](HttpResponse r) { promise->set_value(std::move(r)); });
  }
  for (auto& a : answers) {
    const auto r = a.get();
    EXPECT_TRUE(r.ok()) << describe(r);
    EXPECT_EQ(r.body, std::string(20, 'x'));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(8));
}

TEST_F(HttpsClient, RefusesACertificateForAnotherName) {
  ASSERT_TRUE(m_pki->makeServer("other", "test-ca", {"other.spindle.test"}));
  auto other = startHttpsServer(m_python, *m_dir, m_pki->pem("other"), m_pki->key("other"), "o");
  ASSERT_TRUE(other);
  const auto r = client(options())->perform({.url = url("/ok", other->port)});
  ASSERT_TRUE(r.error) << describe(r);
  EXPECT_EQ(r.attempts, 1);
  const std::string text = r.error->describe();
  EXPECT_NE(text.find("TLS verification of 127.0.0.1 failed"), std::string::npos) << text;
  EXPECT_NE(text.find("127.0.0.1"), std::string::npos) << text;
}

TEST_F(HttpsClient, RefusesAnUntrustedCa) {
  ASSERT_TRUE(m_pki->makeCa("rogue-ca", "/O=Inspection/CN=Rogue CA"));
  ASSERT_TRUE(m_pki->makeServer("rogue", "rogue-ca", {"127.0.0.1"}));
  auto rogue = startHttpsServer(m_python, *m_dir, m_pki->pem("rogue"), m_pki->key("rogue"), "r");
  ASSERT_TRUE(rogue);
  const auto r = client(options())->perform({.url = url("/ok", rogue->port)});
  ASSERT_TRUE(r.error) << describe(r);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_NE(r.error->describe().find("TLS verification"), std::string::npos) << r.error->describe();
  // Without the test CA configured the good server is refused too: nothing trusts it blindly.
  auto o = options();
  o.caFile.clear();
  const auto plain = client(o)->perform({.url = url("/ok")});
  ASSERT_TRUE(plain.error) << describe(plain);
  EXPECT_NE(plain.error->describe().find("TLS verification"), std::string::npos);
}

TEST_F(HttpsClient, APinnedKeyThatMatchesPassesAndOneThatDoesNotFails) {
  ASSERT_TRUE(m_pki->makeCa("rogue-ca", "/O=Inspection/CN=Rogue CA"));
  ASSERT_TRUE(m_pki->makeServer("rogue", "rogue-ca", {"127.0.0.1"}));
  auto o = options();
  o.pinnedKeys = {publicKeyPin(m_openssl, *m_dir, m_pki->pem("good"))};
  const auto pinned = client(o)->perform({.url = url("/ok")});
  EXPECT_TRUE(pinned.ok()) << describe(pinned) << " pin " << o.pinnedKeys[0];

  o.pinnedKeys = {publicKeyPin(m_openssl, *m_dir, m_pki->pem("rogue"))};
  const auto wrong = client(o)->perform({.url = url("/ok")});
  ASSERT_TRUE(wrong.error) << describe(wrong);
  EXPECT_EQ(wrong.attempts, 1);
  EXPECT_NE(wrong.error->describe().find("TLS verification"), std::string::npos)
      << wrong.error->describe();
}

TEST_F(HttpsClient, SendsTheEdgesIdentityAndTheRequest) {
  HttpRequest request{.method = "POST", .url = url("/echo?secret=s3cret"), .body = "{\"a\":1}"};
  request.headers = {{"Content-Type", "application/json"}, {"User-Agent", "impostor"}};
  request.idempotencyKey = "edge-test:42";
  const auto r = client(options())->perform(request);
  ASSERT_TRUE(r.ok()) << describe(r);
  const auto echo = nlohmann::json::parse(r.body);
  EXPECT_EQ(echo["method"], "POST");
  EXPECT_EQ(echo["path"], "/echo?secret=s3cret");
  EXPECT_EQ(echo["body"], "{\"a\":1}");
  EXPECT_EQ(echo["headers"]["user-agent"], std::string("spindle/") + SPINDLE_VERSION);
  EXPECT_EQ(echo["headers"]["spindle-edge"], "edge-test");
  EXPECT_EQ(echo["headers"]["idempotency-key"], "edge-test:42");
  EXPECT_EQ(echo["headers"]["content-type"], "application/json");
  EXPECT_FALSE(echo["headers"].contains("expect"));
  EXPECT_EQ(r.headers.at("content-type"), "application/json");
}

TEST_F(HttpsClient, UploadsAFileRangeAndStreamsTheAnswerToAFile) {
  const std::string source = m_dir->write("source.bin", "0123456789abcdef");
  HttpRequest request{.method = "PUT", .url = url("/echo")};
  request.uploadFrom = net::http::FileRange{source, 3, 5};
  request.responseFile = *m_dir / "answer.json";
  const auto r = client(options())->perform(request);
  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_TRUE(r.body.empty());
  const auto echo = nlohmann::json::parse(readFile(*m_dir / "answer.json"));
  EXPECT_EQ(echo["method"], "PUT");
  EXPECT_EQ(echo["body"], "34567");
  EXPECT_EQ(echo["headers"]["content-length"], "5");

  request.uploadFrom = net::http::FileRange{source, 10, 100};
  const auto shortFile = client(options())->perform(request);
  ASSERT_TRUE(shortFile.error) << describe(shortFile);
  EXPECT_EQ(shortFile.error->code(), ErrorCode::kIo);
  EXPECT_NE(shortFile.error->message().find("fewer than the 110"), std::string::npos);
}

TEST_F(HttpsClient, StopAnswersARequestInFlight) {
  auto c = client(options());
  std::promise<HttpResponse> got;
  c->submit({.url = url("/slow-body")}, [&](HttpResponse r) { got.set_value(std::move(r)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  c->stop();
  auto future = got.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(1)), std::future_status::ready);
  const auto r = future.get();
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->describe().find("the HTTP client stopped"), std::string::npos);
}

// ---- through Debian's tinyproxy -------------------------------------------------------------

TEST_F(HttpsClient, GoesThroughAProxy) {
  NETCHECK_REQUIRE_PROGRAM(tinyproxyProgram, "tinyproxy", "tinyproxy");
  auto tinyproxy = startTinyproxy(tinyproxyProgram, *m_dir, m_server->port, false);
  ASSERT_TRUE(tinyproxy);
  auto o = options();
  o.proxy = proxyAt(tinyproxy->port);
  const auto r = client(o)->perform({.url = url("/ok")});
  EXPECT_TRUE(r.ok()) << describe(r);
  // tinyproxy's log is buffered until it exits: stop it (by PID) before reading.
  tinyproxy->process->kill();
  const std::string log = readFile(*m_dir / "tinyproxy.err") + readFile(*m_dir / "tinyproxy.out");
  EXPECT_NE(log.find("CONNECT 127.0.0.1:" + std::to_string(m_server->port)), std::string::npos)
      << log;
}

TEST_F(HttpsClient, AProxyThatWantsCredentialsIsExplained) {
  NETCHECK_REQUIRE_PROGRAM(tinyproxyProgram, "tinyproxy", "tinyproxy");
  auto tinyproxy = startTinyproxy(tinyproxyProgram, *m_dir, m_server->port, true);
  ASSERT_TRUE(tinyproxy);
  auto o = options();
  o.proxy = proxyAt(tinyproxy->port);
  const auto none = client(o)->perform({.url = url("/ok")});
  ASSERT_TRUE(none.error) << describe(none);
  EXPECT_EQ(none.attempts, 1);
  EXPECT_NE(none.error->describe().find("asks for credentials (HTTP 407): set "
                                        "net.proxy_credentials"),
            std::string::npos)
      << none.error->describe();

  o.proxy = proxyAt(tinyproxy->port, "edge", "wrong-pass");
  o.proxy->credentialsFile = "/etc/spindle/proxy.pass";
  const auto wrong = client(o)->perform({.url = url("/ok")});
  ASSERT_TRUE(wrong.error) << describe(wrong);
  EXPECT_NE(wrong.error->describe().find("refused the credentials"), std::string::npos)
      << wrong.error->describe();
  EXPECT_NE(wrong.error->describe().find("/etc/spindle/proxy.pass"), std::string::npos);
  EXPECT_EQ(wrong.error->describe().find("wrong-pass"), std::string::npos);

  o.proxy = proxyAt(tinyproxy->port, "edge", "s3cret");
  const auto right = client(o)->perform({.url = url("/ok")});
  EXPECT_TRUE(right.ok()) << describe(right);
}

TEST_F(HttpsClient, NoProxyHostsGoDirect) {
  auto o = options();
  o.proxy = proxyAt(freePort());  // nothing listens there
  o.proxy->noProxy = {"127.0.0.1"};
  const auto r = client(o)->perform({.url = url("/ok")});
  EXPECT_TRUE(r.ok()) << describe(r);
  o.proxy->noProxy.clear();
  o.retries = 0;
  const auto viaDeadProxy = client(o)->perform({.url = url("/ok")});
  ASSERT_TRUE(viaDeadProxy.error) << describe(viaDeadProxy);
  EXPECT_NE(viaDeadProxy.error->describe().find("through the proxy"), std::string::npos)
      << viaDeadProxy.error->describe();
}

// ---- names through the DNS chain --------------------------------------------------------------

class ChainThread {
 public:
  ChainThread() : m_work(m_io.get_executor()), m_thread([this] { m_io.run(); }) {}
  ~ChainThread() {
    if (m_chain) m_chain->stop();
    m_work.reset();
    m_io.stop();
    m_thread.join();
  }
  std::shared_ptr<net::ResolverChain> chain(std::vector<net::ServerAddress> servers) {
    net::ResolverOptions o;
    for (const auto& s : servers) o.servers.push_back({s, net::DnsSource::kConfigured, ""});
    o.hostsFile = false;
    o.timeout = std::chrono::seconds(1);
    auto made = net::ResolverChain::create(m_io.get_executor(), o);
    EXPECT_TRUE(made);
    m_chain = made.value();
    return m_chain;
  }

 private:
  boost::asio::io_context m_io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> m_work;
  std::thread m_thread;
  std::shared_ptr<net::ResolverChain> m_chain;
};

TEST_F(HttpsClient, ResolvesNamesThroughTheDnsChain) {
  NETCHECK_REQUIRE_PROGRAM(dnsmasqProgram, "dnsmasq", "dnsmasq");
  auto dnsmasq = startDnsmasq(dnsmasqProgram, *m_dir);
  ASSERT_TRUE(dnsmasq);
  ChainThread chains;
  auto o = options();
  o.resolver = chains.chain({net::ServerAddress{"127.0.0.1", dnsmasq->port}});
  // Only dnsmasq knows api.spindle.test; the certificate names it, so SNI and the host check
  // used the name while the connection went to the address the chain found.
  const std::string named = "https://api.spindle.test:" + std::to_string(m_server->port) + "/ok";
  auto c = client(o);
  const auto r = c->perform({.url = named});
  EXPECT_TRUE(r.ok()) << describe(r);
  // The second request reuses what the chain found: dnsmasq may be gone.
  dnsmasq->process->kill();
  const auto again = c->perform({.url = named});
  EXPECT_TRUE(again.ok()) << describe(again);
}

TEST_F(HttpsClient, AChainThatCannotResolveSaysSo) {
  ChainThread chains;
  auto o = options();
  o.retries = 0;
  o.resolver = chains.chain({});
  const auto r =
      client(o)->perform({.url = "https://api.spindle.test:" + std::to_string(m_server->port)});
  ASSERT_TRUE(r.error) << describe(r);
  EXPECT_NE(r.error->describe().find("resolving api.spindle.test through the DNS chain: "),
            std::string::npos)
      << r.error->describe();
}

}  // namespace
}  // namespace spindle::testing
