// The HTTPS uplink against real peers on loopback: the harness's data endpoint
// (uplink_server.py: TLS, checks each request's signature and batches, drops a resent
// Idempotency-Key, injects faults on demand), certificates made with the openssl CLI, Debian's
// tinyproxy in between. Every observation arrives once, in order per machine when one request
// is in flight; refusals are held; a wrong key or TLS name delivers nothing until fixed.

#include "uplinks/https/https_uplink.hpp"

#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "https_peers.hpp"
#include "loopback_config.hpp"
#include "test_journal.hpp"
#include "uplinks/testing/uplink_contract.hpp"

namespace spindle::testing {
namespace {

using namespace netcheck_peers;
using namespace https_peers;
using namespace std::chrono_literals;
using nlohmann::json;
using uplinks::https::HttpsUplink;
using uplinks::https::HttpsUplinkOptions;
using uplinks::https::RequestSigner;

constexpr const char* kPython = "/usr/bin/python3";  // Debian's, with python3-zstandard

/// The data endpoint, its CA and the edge's key: what every HTTPS uplink test needs.
class UplinkPeer {
 public:
  explicit UplinkPeer(const ScratchDir& dir) : m_dir(dir) {
    const std::string openssl = findProgram("openssl");
    EXPECT_FALSE(openssl.empty()) << "openssl is not installed (scripts/setup installs it)";
    m_pki = std::make_unique<TestPki>(openssl, dir);
    EXPECT_TRUE(m_pki->makeCa("ca", "/O=Spindle Tests/CN=Spindle Uplink Test CA"));
    EXPECT_TRUE(m_pki->makeServer("api", "ca", {"127.0.0.1"}));
    EXPECT_TRUE(m_pki->makeServer("other", "ca", {"other.spindle.test"}));
    const auto keys = update::generateKeyPair();
    std::ofstream(dir / "edge-key.pem") << keys.privatePem;
    m_publicKey = update::base64Encode(keys.publicKey.raw);
    m_port = freePort();
  }

  /// Starts (or restarts, on the same port) the endpoint with `cert` ("api" or "other"),
  /// checking signatures against `publicKey` ("" = the edge's).
  bool start(const std::string& cert = "api", const std::string& publicKey = "") {
    m_process.reset();
    const std::string script =
        std::string(SPINDLE_SOURCE_DIR) + "/tests/integration/uplink_server.py";
    const std::string out = m_dir / "server.out";
    m_process = std::make_unique<Process>(
        std::vector<std::string>{kPython, script, std::to_string(m_port), m_pki->pem(cert),
                                 m_pki->key(cert), publicKey.empty() ? m_publicKey : publicKey},
        out, m_dir / "server.err");
    if (!eventually([&] { return readFile(out).find("ready") != std::string::npos; }) ||
        !eventually([&] { return tcpOpen(m_port); })) {
      ADD_FAILURE() << "uplink_server.py did not start: " << readFile(m_dir / "server.err");
      return false;
    }
    return true;
  }
  void stop() { m_process.reset(); }

  net::http::HttpClientOptions clientOptions() const {
    net::http::HttpClientOptions o;
    o.edgeId = "e1";
    o.caFile = m_pki->pem("ca");
    o.retries = 2;
    o.retryMin = 50ms;
    o.retryMax = 200ms;
    o.connectTimeout = 5s;
    o.timeout = 10s;
    return o;
  }
  std::string caFile() const { return m_pki->pem("ca"); }
  std::string keyFile() const { return m_dir / "edge-key.pem"; }
  std::string url() const {
    return "https://127.0.0.1:" + std::to_string(m_port) + "/v1/edges/e1/data";
  }

  const TestPki& pki() const { return *m_pki; }

  std::unique_ptr<HttpsUplink> make(const model::ItemCatalog& catalog, HttpsUplinkOptions o,
                                    std::optional<net::http::HttpClientOptions> c = {},
                                    const std::string& to = "") {
    auto client = net::http::HttpClient::create(c ? *c : clientOptions());
    EXPECT_TRUE(client);
    auto signer = RequestSigner::load(m_dir / "edge-key.pem");
    EXPECT_TRUE(signer) << signer.error().describe();
    return std::make_unique<HttpsUplink>(o, to.empty() ? url() : to, "e1", std::move(*signer),
                                         std::move(*client), catalog);
  }

  json call(const std::string& method, const std::string& path, const json& body = {}) {
    auto client = net::http::HttpClient::create(clientOptions());
    net::http::HttpRequest rq;
    rq.method = method;
    rq.url = "https://127.0.0.1:" + std::to_string(m_port) + path;
    if (method == "POST") rq.body = body.dump();
    const auto r = (*client)->perform(rq);
    EXPECT_EQ(r.status, 200) << r.body << (r.error ? r.error->describe() : "");
    return json::parse(r.body.empty() ? "{}" : r.body, nullptr, false);
  }
  void faults(const json& spec) { call("POST", "/faults", spec); }
  json received() { return call("GET", "/received"); }

 private:
  const ScratchDir& m_dir;
  std::unique_ptr<TestPki> m_pki;
  std::string m_publicKey;
  std::uint16_t m_port = 0;
  std::unique_ptr<Process> m_process;
};

class HttpsUplinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = std::make_unique<ScratchDir>("https-uplink");
    m_peer = std::make_unique<UplinkPeer>(*m_dir);
    ASSERT_TRUE(m_peer->start());
    m_journal =
        std::make_unique<TestJournal>(m_dir->path(), 1ULL << 30, std::vector<std::string>{"https"});
    for (int m = 0; m < 3; ++m) {
      m_machines.push_back(m_catalog.addMachine("mill-" + std::to_string(m + 1)));
      m_items.push_back(m_catalog.intern(m_machines.back(), "Sspeed").value());
    }
  }

  /// `records` records of `per` observations, machine by sequence (s % 3), valued by sequence.
  void produce(int records, int per) {
    for (int r = 0; r < records; ++r) {
      const std::uint64_t first = m_journal->end();
      model::Batch b;
      for (int i = 0; i < per; ++i) {
        const std::uint64_t seq = first + static_cast<std::uint64_t>(i);
        b.push_back({m_machines[seq % 3], m_items[seq % 3], wallClockNs(), model::Kind::kSample, 0,
                     static_cast<double>(seq)});
      }
      m_journal->append(b, m_catalog);
    }
  }

  static HttpsUplinkOptions options(int inFlight) {
    HttpsUplinkOptions o;
    o.maxInFlight = inFlight;
    o.maxBatch = 40;  // records of 50 are sent in two requests
    o.compressAbove = ByteSize{1024};
    o.timeout = 5s;
    o.backlogRate = 0;
    return o;
  }

  bool deliverAll(uplinks::DeliveryEngine& engine, std::chrono::seconds limit = 60s) {
    return eventually([&] { return engine.stats().position >= m_journal->end(); }, limit);
  }

  /// Every sequence 1..end-1 stored exactly once.
  void expectEachOnce(const json& got) {
    auto seqs = got["sequences"].get<std::vector<std::uint64_t>>();
    std::sort(seqs.begin(), seqs.end());
    std::vector<std::uint64_t> want(m_journal->end() - 1);
    for (std::size_t i = 0; i < want.size(); ++i) want[i] = i + 1;
    EXPECT_EQ(seqs, want) << "stored " << seqs.size() << " of " << want.size();
  }

  std::unique_ptr<ScratchDir> m_dir;
  std::unique_ptr<UplinkPeer> m_peer;
  std::unique_ptr<TestJournal> m_journal;
  model::ItemCatalog m_catalog;
  std::vector<model::MachineId> m_machines;
  std::vector<model::ItemId> m_items;
};

TEST_F(HttpsUplinkTest, EveryObservationArrivesOnceThroughEveryFault) {
  // First one of each fault, then a third of the requests meet one at random.
  m_peer->faults({{"plan", {"lost", "reset", "503", "429", "slow", "lost"}},
                  {"rate", 0.35},
                  {"seed", 7},
                  {"mix", {"503", "429", "reset", "slow", "lost"}}});
  produce(60, 50);
  uplinks::DeliveryEngine engine(**m_journal, m_peer->make(m_catalog, options(4)), m_catalog);
  ASSERT_TRUE(engine.start());
  ASSERT_TRUE(deliverAll(engine)) << engine.stats().lastError;
  const auto stats = engine.stats();
  engine.stop();
  const json got = m_peer->received();
  expectEachOnce(got);
  EXPECT_GE(got["faults"].get<int>(), 6);
  EXPECT_GE(got["duplicates"].get<int>(), 2) << "the lost answers' requests came again";
  EXPECT_EQ(got["rejected"].size(), 0u) << got["rejected"].dump();
  EXPECT_EQ(stats.held, 0u);
  EXPECT_GE(counter(stats, "duplicates"), 2u);
  EXPECT_GT(counter(stats, "bytes_raw"), counter(stats, "bytes_out"));  // zstd on the way
}

TEST_F(HttpsUplinkTest, OneRequestInFlightKeepsEachMachineInOrder) {
  m_peer->faults({{"rate", 0.3}, {"seed", 3}, {"mix", {"503", "reset", "lost", "slow"}}});
  produce(20, 50);
  uplinks::DeliveryEngine engine(**m_journal, m_peer->make(m_catalog, options(1)), m_catalog);
  ASSERT_TRUE(engine.start());
  ASSERT_TRUE(deliverAll(engine)) << engine.stats().lastError;
  engine.stop();
  const json got = m_peer->received();
  expectEachOnce(got);
  ASSERT_EQ(got["by_machine"].size(), 3u);
  for (const auto& [machine, seqs] : got["by_machine"].items()) {
    const auto list = seqs.get<std::vector<std::uint64_t>>();
    EXPECT_TRUE(std::is_sorted(list.begin(), list.end())) << machine;
    EXPECT_TRUE(std::adjacent_find(list.begin(), list.end()) == list.end()) << machine;
  }
}

TEST_F(HttpsUplinkTest, ARefusedBatchIsHeldWithTheAnswerAndTheRestFlows) {
  produce(10, 50);
  // The journal's id is in every key: read it from the first request the server sees.
  uplinks::DeliveryEngine probe(**m_journal, m_peer->make(m_catalog, options(1)), m_catalog);
  const std::string prefix = "e1:" + uplinks::journalIdText((*m_journal)->journalId()) + ":";
  // Record 4 holds sequences 151-200: its first request is 151-190.
  m_peer->faults({{"refuse_keys", {prefix + "151-"}}});
  ASSERT_TRUE(probe.start());
  ASSERT_TRUE(deliverAll(probe)) << probe.stats().lastError;
  const auto stats = probe.stats();
  probe.stop();
  EXPECT_EQ(stats.held, 50u);
  const json got = m_peer->received();
  auto seqs = got["sequences"].get<std::vector<std::uint64_t>>();
  std::sort(seqs.begin(), seqs.end());
  // Everything but 151-190 is stored (191-200 was accepted before the record was held).
  EXPECT_EQ(seqs.size(), 460u);
  EXPECT_EQ(std::count_if(seqs.begin(), seqs.end(), [](auto s) { return s >= 151 && s <= 190; }),
            0);
  const std::string held = readFile(m_dir->path() / "journal" / "held" / "https.jsonl");
  EXPECT_NE(held.find("refused by the test"), std::string::npos) << held;
  EXPECT_NE(held.find("\"seq\":151"), std::string::npos) << held.substr(0, 300);
}

TEST_F(HttpsUplinkTest, AnUnknownKeyDeliversNothingUntilTheServerKnowsIt) {
  const auto stranger = update::generateKeyPair();
  ASSERT_TRUE(m_peer->start("api", update::base64Encode(stranger.publicKey.raw)));
  produce(5, 50);
  uplinks::DeliveryEngine engine(**m_journal, m_peer->make(m_catalog, options(2)), m_catalog);
  ASSERT_TRUE(engine.start());
  ASSERT_TRUE(
      eventually([&] { return engine.stats().lastError.find("401") != std::string::npos; }, 20s))
      << engine.stats().lastError;
  EXPECT_NE(engine.stats().lastError.find("signature"), std::string::npos)
      << engine.stats().lastError;
  EXPECT_EQ(engine.stats().position, 1u);
  EXPECT_EQ(engine.stats().held, 0u);  // waiting, not refused
  EXPECT_EQ(m_peer->received()["sequences"].size(), 0u);
  ASSERT_TRUE(m_peer->start());  // the API learns the edge's key
  ASSERT_TRUE(deliverAll(engine)) << engine.stats().lastError;
  engine.stop();
  expectEachOnce(m_peer->received());
}

TEST_F(HttpsUplinkTest, ACertificateForAnotherNameDeliversNothing) {
  ASSERT_TRUE(m_peer->start("other"));
  produce(3, 50);
  uplinks::DeliveryEngine engine(**m_journal, m_peer->make(m_catalog, options(2)), m_catalog);
  ASSERT_TRUE(engine.start());
  ASSERT_TRUE(eventually([&] { return !engine.stats().lastError.empty(); }, 20s));
  const std::string why = engine.stats().lastError;
  EXPECT_TRUE(why.find("certificate") != std::string::npos || why.find("name") != std::string::npos)
      << why;
  EXPECT_EQ(engine.stats().position, 1u);
  engine.stop();
  ASSERT_TRUE(m_peer->start("api"));
  EXPECT_EQ(m_peer->received()["requests"].get<int>(), 0);
}

TEST_F(HttpsUplinkTest, ThroughAProxyThatWantsCredentials) {
  NETCHECK_REQUIRE_PROGRAM(tinyproxyProgram, "tinyproxy", "tinyproxy");
  const auto port = static_cast<std::uint16_t>(
      std::stoi(m_peer->url().substr(std::string("https://127.0.0.1:").size(), 5)));
  auto proxy = startTinyproxy(tinyproxyProgram, *m_dir, port, true);
  ASSERT_TRUE(proxy);
  m_peer->faults({{"plan", {"503", "reset"}}});
  produce(10, 50);
  auto c = m_peer->clientOptions();
  c.proxy = proxyAt(proxy->port, "edge", "s3cret");
  uplinks::DeliveryEngine engine(**m_journal, m_peer->make(m_catalog, options(4), c), m_catalog);
  ASSERT_TRUE(engine.start());
  ASSERT_TRUE(deliverAll(engine)) << engine.stats().lastError;
  engine.stop();
  expectEachOnce(m_peer->received());
  proxy->process->kill();
  const std::string log = readFile(*m_dir / "tinyproxy.err") + readFile(*m_dir / "tinyproxy.out");
  EXPECT_NE(log.find("CONNECT 127.0.0.1:" + std::to_string(port)), std::string::npos) << log;
}

// The whole edge: `spindle run` with the simulator, `uplinks: https: {}` and the API from
// `https:` (the data path made from it), signing with the key in the data directory. What the
// file uplink wrote beside it, the API stored: every observation, once, signed.
TEST_F(HttpsUplinkTest, SpindleRunPostsItsJournalToTheApi) {
  const auto base = freePortRange(2);
  const fs::path data = m_dir->path() / "data";
  fs::create_directories(data);
  fs::copy_file(m_peer->keyFile(), data / "edge-key.pem");
  const std::string api = m_peer->url().substr(0, m_peer->url().find("/v1/"));
  std::string yaml = "edge:\n  id: e1\n  data_dir: " + data.string() + "\n  status_interval: 0s\n" +
                     loopbackSections() + "https:\n  api: " + api +
                     "\n  ca_file: " + m_peer->caFile() +
                     "\nuplinks:\n  https: {}\n"
                     "simulator:\n  enabled: true\n  machines: 2\n  base_port: " +
                     std::to_string(base) + "\n  time_scale: 20\n  tick: 20ms\nmachines:\n";
  for (int i = 0; i < 2; ++i) {
    yaml += "  - id: m" + std::to_string(i + 1) + "\n    type: shdr\n    host: 127.0.0.1\n" +
            "    port: " + std::to_string(base + i) + "\n";
  }
  const std::string config = m_dir->write("spindle.yaml", yaml);
  Process run({SPINDLE_BINARY, "run", "--config", config, "--for", "4s"}, *m_dir / "run.out",
              *m_dir / "run.err");
  ASSERT_EQ(run.wait(60s), 0) << readFile(*m_dir / "run.err");
  const std::string log = readFile(*m_dir / "run.out") + readFile(*m_dir / "run.err");
  EXPECT_NE(log.find("signed with key"), std::string::npos) << log;
  std::size_t lines = 0;
  std::ifstream in(data / "observations.jsonl");
  for (std::string line; std::getline(in, line);) lines += line.empty() ? 0 : 1;
  ASSERT_GT(lines, 100u) << log;
  const json got = m_peer->received();
  auto seqs = got["sequences"].get<std::vector<std::uint64_t>>();
  std::sort(seqs.begin(), seqs.end());
  EXPECT_EQ(seqs.size(), lines) << log;
  EXPECT_TRUE(std::adjacent_find(seqs.begin(), seqs.end()) == seqs.end());
  EXPECT_EQ(got["rejected"].size(), 0u) << got["rejected"].dump();
}

// Node's own HTTP/2 server (h2_server.js): curl negotiates h2 by ALPN and the uplink's requests
// share one connection as streams.
TEST_F(HttpsUplinkTest, SpeaksHttp2WithRequestsMultiplexedOnOneConnection) {
  const std::string node = findProgram("node");
  ASSERT_FALSE(node.empty()) << "node is not installed (scripts/setup installs nodejs)";
  const std::uint16_t port = freePort();
  const std::string out = *m_dir / "h2.out";
  Process server({node, std::string(SPINDLE_SOURCE_DIR) + "/tests/integration/h2_server.js",
                  std::to_string(port), m_peer->pki().pem("api"), m_peer->pki().key("api")},
                 out, *m_dir / "h2.err");
  ASSERT_TRUE(eventually([&] { return readFile(out).find("ready") != std::string::npos; }))
      << readFile(*m_dir / "h2.err");
  produce(40, 50);
  const std::string base = "https://127.0.0.1:" + std::to_string(port);
  uplinks::DeliveryEngine engine(
      **m_journal, m_peer->make(m_catalog, options(8), {}, base + "/v1/edges/e1/data"), m_catalog);
  ASSERT_TRUE(engine.start());
  ASSERT_TRUE(deliverAll(engine)) << engine.stats().lastError;
  engine.stop();
  auto client = net::http::HttpClient::create(m_peer->clientOptions());
  const auto r = (*client)->perform({.url = base + "/received"});
  ASSERT_EQ(r.status, 200) << (r.error ? r.error->describe() : r.body);
  const json seen = json::parse(r.body);
  EXPECT_EQ(seen["observations"].get<std::uint64_t>(), m_journal->end() - 1);
  EXPECT_EQ(seen["versions"], json({{"2.0", seen["streams"]}})) << seen.dump();
  EXPECT_GE(seen["streams"].get<int>(), 40) << "records of 50 in requests of 40 and 10";
  // One connection for the uplink's streams, one for the question above.
  EXPECT_LE(seen["sessions"].get<int>(), 2) << seen.dump();
}

// kill -9 of an edge in miniature (uplink_feeder: a journal that survives the kill and the
// HTTPS uplink) three times mid-stream, against an endpoint that also fails now and then, then
// a run to the end: every observation is stored once.
TEST_F(HttpsUplinkTest, KillNineMidStreamAndRestartLosesAndDuplicatesNothing) {
  m_peer->faults({{"rate", 0.1}, {"seed", 5}, {"mix", {"503", "lost", "reset"}}});
  constexpr std::uint64_t kTotal = 60000;  // 3 s of production at 20k observations/s
  const std::string feederDir = m_dir->path() / "feeder";
  const std::vector<std::string> argv{UPLINK_FEEDER_BINARY,
                                      "--url",
                                      m_peer->url(),
                                      "--ca",
                                      m_peer->caFile(),
                                      "--key",
                                      m_peer->keyFile(),
                                      "--edge",
                                      "e1",
                                      "--dir",
                                      feederDir,
                                      "--total",
                                      std::to_string(kTotal),
                                      "--rate",
                                      "20000",
                                      "--record",
                                      "50"};
  const std::string out = *m_dir / "feeder.out", err = *m_dir / "feeder.err";
  for (std::size_t atObservations : {2000u, 15000u, 30000u}) {
    Process feeder(argv, out, err);
    ASSERT_TRUE(
        eventually([&] { return m_peer->received()["sequences"].size() >= atObservations; }, 30s))
        << readFile(err);
    EXPECT_EQ(feeder.kill(SIGKILL), -SIGKILL);
  }
  Process feeder(argv, out, err);
  ASSERT_EQ(feeder.wait(90s), 0) << readFile(err);
  EXPECT_NE(readFile(out).find("done cursor=" + std::to_string(kTotal + 1)), std::string::npos)
      << readFile(out);
  const json got = m_peer->received();
  auto seqs = got["sequences"].get<std::vector<std::uint64_t>>();
  std::sort(seqs.begin(), seqs.end());
  EXPECT_EQ(seqs.size(), kTotal);
  EXPECT_TRUE(std::adjacent_find(seqs.begin(), seqs.end()) == seqs.end()) << "stored twice";
  EXPECT_EQ(seqs.front(), 1u);
  EXPECT_EQ(seqs.back(), kTotal);
  EXPECT_GT(got["duplicates"].get<int>(), 0) << "a kill or a lost answer sent something again";
}

}  // namespace

// The uplink contract (uplinks/testing/uplink_contract.hpp) against the harness's endpoint.
struct HttpsPeer {
  void SetUp(const fs::path& dir) {
    fs::create_directories(dir);
    scratch = std::make_unique<ScratchDir>("https-contract");
    peer = std::make_unique<UplinkPeer>(*scratch);
    ASSERT_TRUE(peer->start());
  }
  void TearDown() {
    peer.reset();
    scratch.reset();
  }
  std::unique_ptr<uplinks::Uplink> make(model::ItemCatalog& catalog) {
    HttpsUplinkOptions o;
    o.maxInFlight = 8;
    return peer->make(catalog, o);
  }
  std::vector<std::uint64_t> received() {
    return peer->received()["sequences"].get<std::vector<std::uint64_t>>();
  }
  std::unique_ptr<ScratchDir> scratch;
  std::unique_ptr<UplinkPeer> peer;
};

}  // namespace spindle::testing

namespace spindle::uplinks::testing {
INSTANTIATE_TYPED_TEST_SUITE_P(Https, UplinkContract, spindle::testing::HttpsPeer);
}  // namespace spindle::uplinks::testing
