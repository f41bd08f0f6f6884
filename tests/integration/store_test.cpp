// The adapter store end to end: a TLS static file server (store_server.py) on a free
// 127.0.0.1 port serving a store folder signed by a test key, certificates from the openssl
// CLI, and configurations loaded through app::loadConfigFile (and the spindle binary) with
// `script: store:NAME@VERSION`. Nothing leaves 127.0.0.0/8.

#include <chrono>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "app/spindle_config.hpp"
#include "https_peers.hpp"
#include "transform/store/store_options.hpp"
#include "transform/store/testing/test_publisher.hpp"

namespace spindle::testing {
namespace {

using namespace netcheck_peers;
using transform::store::testing::TestPublisher;
using transform::store::testing::versionedScript;
namespace fs = std::filesystem;
using Scripts = std::map<std::string, std::map<std::string, std::string>>;

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_openssl = findProgram("openssl");
    m_python = findProgram("python3");
    if (m_openssl.empty()) GTEST_SKIP() << "openssl is not installed: apt-get install openssl";
    if (m_python.empty()) GTEST_SKIP() << "python3 is not installed: apt-get install python3";
    collectors::registerBuiltinCollectors(m_registry);
    m_dir = std::make_unique<ScratchDir>("store");
    m_pki = std::make_unique<TestPki>(m_openssl, *m_dir);
    ASSERT_TRUE(m_pki->makeCa("test-ca", "/O=Spindle Tests/CN=Spindle Store Test CA"));
    ASSERT_TRUE(m_pki->makeServer("store", "test-ca", {"127.0.0.1"}));
    m_bucket = *m_dir / "bucket/adapters";
    fs::create_directories(m_bucket);
    m_publisher = std::make_unique<TestPublisher>(*m_dir / "keys");
    startServer();
  }

  void startServer() {
    const std::uint16_t port = m_port != 0 ? m_port : freePort();
    auto process = std::make_unique<Process>(
        std::vector<std::string>{
            m_python, std::string(SPINDLE_SOURCE_DIR) + "/tests/integration/store_server.py",
            std::to_string(port), m_pki->pem("store"), m_pki->key("store"), *m_dir / "bucket",
            *m_dir / "offline"},
        *m_dir / "server.out", *m_dir / "server.err");
    ASSERT_TRUE(eventually([&] { return readFile(*m_dir / "server.out").find("ready") == 0; }) &&
                eventually([&] { return tcpOpen(port); }))
        << "the store server did not start: " << readFile(*m_dir / "server.err");
    m_port = port;
    m_server = std::move(process);
  }

  /// Stops the store server by its PID: the edge is offline.
  void stopServer() {
    m_server->kill();
    ASSERT_TRUE(eventually([&] { return !tcpOpen(m_port); }));
  }

  std::string url() const { return "https://127.0.0.1:" + std::to_string(m_port) + "/adapters/"; }

  /// spindle.yaml for one machine running `script`, its data in `dataDir` (default: "data").
  std::string config(const std::string& script, const std::string& dataDir = "data",
                     const std::string& key = "") const {
    const std::string text =
        "edge:\n  id: edge-store\n  data_dir: " + *m_dir / dataDir +
        "\n"
        "net:\n  dns_preferred: []\n  resolv_conf: \"\"\n  ntp_servers: []\n"
        "https:\n  ca_file: " +
        m_pki->pem("test-ca") +
        "\n  retries: 1\n  retry_min: 50ms\n  retry_max: 100ms\n"
        "adapter_store:\n  url: " +
        url() + "\n  keys: [" + (key.empty() ? m_publisher->keyText() : key) +
        "]\n  refresh: 0s\n  fetch_timeout: 5s\n"
        "machines:\n  - {id: mill-1, type: shdr, host: 127.0.0.1, port: 7878, script: '" +
        script + "'}\n";
    return m_dir->write("spindle-" + dataDir + ".yaml", text);
  }

  app::LoadResult load(const std::string& script, const std::string& dataDir = "data") {
    return app::loadConfigFile(config(script, dataDir), m_registry);
  }

  /// The data item the machine's script names (versionedScript's tag + "_load"), or a reason.
  static std::string dataItem(const app::LoadResult& r) {
    if (!r.config) return "no configuration: " + r.diagnostics.describe();
    const auto& script = r.config->machines.at(0).script;
    if (!script || script->dataItems().size() != 1) return "no one-item script";
    return script->dataItems()[0].key;
  }

  std::string requests() const { return readFile(*m_dir / "server.out"); }

  static bool contains(const std::vector<std::string>& lines, const std::string& part) {
    for (const auto& l : lines) {
      if (l.find(part) != std::string::npos) return true;
    }
    return false;
  }

  static std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
  }

  CliRun spindle(const std::vector<std::string>& args) {
    std::vector<std::string> argv{SPINDLE_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    CliRun run;
    run.code = runProgram(argv, *m_dir / "spindle");
    run.out = readFile(*m_dir / "spindle.out");
    run.err = readFile(*m_dir / "spindle.err");
    return run;
  }

  std::string m_openssl, m_python;
  collectors::Registry m_registry;
  std::unique_ptr<ScratchDir> m_dir;
  std::unique_ptr<TestPki> m_pki;
  std::unique_ptr<TestPublisher> m_publisher;
  std::string m_bucket;
  std::uint16_t m_port = 0;
  std::unique_ptr<Process> m_server;
  const std::string m_v3 = versionedScript("v3");
  const std::string m_v4 = versionedScript("v4");
};

TEST_F(StoreTest, FetchesVerifiesCachesAndRunsTheScript) {
  m_publisher->publish(m_bucket, {{"haas-ngc", {{"3", m_v3}}}});
  auto r = load("store:haas-ngc@3");
  ASSERT_EQ(dataItem(r), "v3_load");
  EXPECT_EQ(r.config->machines[0].scriptName, "store:haas-ngc@3");
  // The management page shows the store script's own text.
  ASSERT_TRUE(r.config->machines[0].scriptText);
  EXPECT_EQ(*r.config->machines[0].scriptText, m_v3);
  EXPECT_EQ(r.config->notes, (std::vector<std::string>{"store:haas-ngc@3: version 3 fetched from " +
                                                       url() + "haas-ngc/3.yaml"}));
  EXPECT_TRUE(r.config->warnings.empty()) << joined(r.config->warnings);
  EXPECT_NE(requests().find("GET /adapters/index.json\nGET /adapters/haas-ngc/3.yaml\n"),
            std::string::npos)
      << requests();
  // The cache holds the verified index and the script, by its hash.
  transform::store::StoreOptions options;
  options.url = url();
  const fs::path cache = transform::store::cacheDirectory(*m_dir / "data", options);
  update::Sha256 h;
  h.update(m_v3.data(), m_v3.size());
  EXPECT_EQ(readFile(cache / "scripts" / (h.hex() + ".yaml")), m_v3);
  EXPECT_EQ(readFile(cache / "index.json"), readFile(m_bucket + "/index.json"));
  EXPECT_TRUE(fs::exists(*m_dir / "data/store"));
}

TEST_F(StoreTest, UsesTheCachedCopyWhenTheStoreIsDown) {
  m_publisher->publish(m_bucket, {{"haas-ngc", {{"3", m_v3}}}});
  ASSERT_EQ(dataItem(load("store:haas-ngc@3")), "v3_load");
  stopServer();
  const auto start = std::chrono::steady_clock::now();
  auto r = load("store:haas-ngc@3");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
  ASSERT_EQ(dataItem(r), "v3_load");
  ASSERT_EQ(r.config->warnings.size(), 1u) << joined(r.config->warnings);
  EXPECT_NE(r.config->warnings[0].find("store " + url() + ": cannot fetch index.json: "),
            std::string::npos)
      << r.config->warnings[0];
  EXPECT_NE(r.config->warnings[0].find("using the cached index (fetched "), std::string::npos)
      << r.config->warnings[0];
  EXPECT_TRUE(contains(r.config->notes, "store:haas-ngc@3: version 3 from the cache"));
}

TEST_F(StoreTest, UsesTheCachedCopyWhenTheStoreClosesConnections) {
  m_publisher->publish(m_bucket, {{"haas-ngc", {{"3", m_v3}}}});
  ASSERT_EQ(dataItem(load("store:haas-ngc")), "v3_load");
  m_dir->write("offline", "");
  auto r = load("store:haas-ngc");
  ASSERT_EQ(dataItem(r), "v3_load");
  EXPECT_TRUE(contains(r.config->warnings, "cannot fetch index.json"))
      << joined(r.config->warnings);
}

TEST_F(StoreTest, RefusesATamperedScriptAndKeepsTheLastGoodOne) {
  m_publisher->publish(m_bucket, {{"haas-ngc", {{"3", m_v3}}}});
  ASSERT_EQ(dataItem(load("store:haas-ngc")), "v3_load");
  // Version 4 is published, then its file is replaced in the bucket (same size, other bytes).
  m_publisher->publish(m_bucket, {{"haas-ngc", {{"3", m_v3}, {"4", m_v4}}}});
  std::ofstream(m_bucket + "/haas-ngc/4.yaml", std::ios::trunc) << versionedScript("x4");
  auto r = load("store:haas-ngc");
  ASSERT_EQ(dataItem(r), "v3_load");  // still the last good script
  EXPECT_EQ(r.config->machines[0].scriptName, "store:haas-ngc@3");
  ASSERT_EQ(r.config->warnings.size(), 1u) << joined(r.config->warnings);
  const std::string& warning = r.config->warnings[0];
  EXPECT_NE(warning.find("store " + url() +
                         ": script store:haas-ngc (haas-ngc/4.yaml) refused: its SHA-256 is "),
            std::string::npos)
      << warning;
  EXPECT_NE(warning.find("the signed index says "), std::string::npos) << warning;
  EXPECT_NE(warning.find("the last good copy (version 3, sha256 "), std::string::npos) << warning;
  // An edge without an earlier copy cannot run it at all.
  auto fresh = load("store:haas-ngc@4", "fresh");
  ASSERT_FALSE(fresh.config);
  const std::string text = fresh.diagnostics.describe();
  EXPECT_NE(text.find("cannot get script store:haas-ngc@4 of machine 'mill-1': store " + url() +
                      ": script store:haas-ngc@4 (haas-ngc/4.yaml) refused: its SHA-256 is "),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("there is no good copy of store:haas-ngc@4 in the cache"), std::string::npos)
      << text;
}

TEST_F(StoreTest, RefusesATamperedIndex) {
  m_publisher->publish(m_bucket, {{"haas-ngc", {{"3", m_v3}}}});
  ASSERT_EQ(dataItem(load("store:haas-ngc@3")), "v3_load");
  // The index is pointed at another script; its signature is left as it was.
  const std::string evil = versionedScript("x3");
  std::ofstream(m_bucket + "/haas-ngc/3.yaml", std::ios::trunc) << evil;
  auto envelope = transform::store::parseSignedIndex(readFile(m_bucket + "/index.json")).value();
  envelope.index = TestPublisher::index({{"haas-ngc", {{"3", evil}}}});
  std::ofstream(m_bucket + "/index.json", std::ios::trunc)
      << transform::store::signedIndexJson(envelope);
  auto r = load("store:haas-ngc@3");
  ASSERT_EQ(dataItem(r), "v3_load");
  ASSERT_EQ(r.config->warnings.size(), 1u) << joined(r.config->warnings);
  EXPECT_NE(r.config->warnings[0].find("store " + url() +
                                       ": index.json refused: the index signature by key " +
                                       m_publisher->key().id + " does not match the index"),
            std::string::npos)
      << r.config->warnings[0];
  EXPECT_NE(r.config->warnings[0].find("the last good index (fetched "), std::string::npos);
  auto fresh = load("store:haas-ngc@3", "fresh");
  ASSERT_FALSE(fresh.config);
  EXPECT_NE(fresh.diagnostics.describe().find("there is no earlier good index to use"),
            std::string::npos)
      << fresh.diagnostics.describe();
}

TEST_F(StoreTest, RefusesAnIndexSignedByAnUnknownKey) {
  TestPublisher stranger(*m_dir / "keys", "stranger");
  stranger.publish(m_bucket, {{"haas-ngc", {{"3", m_v3}}}});
  auto r = load("store:haas-ngc@3");
  ASSERT_FALSE(r.config);
  EXPECT_NE(r.diagnostics.describe().find("index.json refused: the index is signed only by keys "
                                          "this edge does not trust (" +
                                          stranger.key().id),
            std::string::npos)
      << r.diagnostics.describe();
}

TEST_F(StoreTest, OfflineWithoutACacheIsAClearError) {
  m_publisher->publish(m_bucket, {{"haas-ngc", {{"3", m_v3}}}});
  stopServer();
  auto r = load("store:haas-ngc@3");
  ASSERT_FALSE(r.config);
  const std::string text = r.diagnostics.describe();
  EXPECT_NE(text.find("cannot get script store:haas-ngc@3 of machine 'mill-1': store " + url() +
                      ": cannot fetch index.json: "),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("; there is no cached index"), std::string::npos) << text;
}

TEST_F(StoreTest, ValidateUsesTheCacheWithoutTheNetwork) {
  m_publisher->publish(m_bucket, {{"haas-ngc", {{"3", m_v3}}}});
  const std::string file = config("store:haas-ngc@3");
  auto first = spindle({"validate", file});
  ASSERT_EQ(first.code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("store:haas-ngc@3: version 3 fetched from " + url()), std::string::npos)
      << first.out;
  const std::string asked = requests();
  auto again = spindle({"validate", file});  // refresh: 0s, and still no request
  ASSERT_EQ(again.code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("store:haas-ngc@3: version 3 from the cache"), std::string::npos)
      << again.out;
  EXPECT_EQ(requests(), asked);
}

TEST_F(StoreTest, SignIndexPublishesAFolderTheEdgeAccepts) {
  fs::create_directories(m_bucket + "/haas-ngc");
  std::ofstream(m_bucket + "/haas-ngc/3.yaml") << m_v3;
  std::ofstream(m_bucket + "/haas-ngc/4.yaml") << m_v4;
  auto signed_ =
      spindle({"store", "sign-index", "--dir", m_bucket, "--key", m_publisher->privateKeyPath()});
  ASSERT_EQ(signed_.code, 0) << signed_.out << signed_.err;
  EXPECT_NE(signed_.out.find("1 scripts, 2 versions"), std::string::npos) << signed_.out;
  EXPECT_NE(signed_.out.find("signed by key " + m_publisher->key().id), std::string::npos);
  EXPECT_EQ(dataItem(load("store:haas-ngc")), "v4_load");
  // A script that does not compile is never published.
  std::ofstream(m_bucket + "/haas-ngc/5.yaml") << "version: 2\nkeys: [a]\ndata-items: [b]\n";
  auto refused = spindle({"store", "sign-index", "--dir", m_bucket, "--key",
                          m_publisher->privateKeyPath(), "--out", *m_dir / "other.json"});
  EXPECT_EQ(refused.code, 2) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("haas-ngc/5.yaml:"), std::string::npos) << refused.err;
  EXPECT_FALSE(fs::exists(*m_dir / "other.json"));
}

}  // namespace
}  // namespace spindle::testing
