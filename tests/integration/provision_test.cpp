// `spindle provision` against the reference cloud API (cloud_api_server.py: Python's
// http.server with TLS on loopback, its certificate from the test's own CA): the claim writes
// the key, the credentials and the configuration; a second claim is refused without --force;
// a token another edge used, a wrong token and an untrusted API are refused with words that
// say what to do, and change nothing.

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "netcheck_peers.hpp"

namespace spindle::testing {
namespace {

namespace fs = std::filesystem;
using namespace netcheck_peers;
using nlohmann::json;

const char* kCreds =
    "-----BEGIN NATS USER JWT-----\neyJ0eXAiOiJKV1QifQ.payload.sig\n"
    "------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\nSUAPROVISIONTESTSEED\n"
    "------END USER NKEY SEED------\n";

class Provision : public ::testing::Test {
 protected:
  void SetUp() override {
    m_openssl = findProgram("openssl");
    m_python = findProgram("python3");
    ASSERT_FALSE(m_openssl.empty()) << "openssl is missing: scripts/setup installs it";
    ASSERT_FALSE(m_python.empty()) << "python3 is missing: scripts/setup installs it";
    m_dir = std::make_unique<ScratchDir>("provision");
    m_pki = std::make_unique<TestPki>(m_openssl, *m_dir);
    ASSERT_TRUE(m_pki->makeCa("ca", "/CN=Spindle test cloud CA"));
    ASSERT_TRUE(m_pki->makeServer("api", "ca", {"127.0.0.1"}));
    const json tokens = {{"tok-good",
                          {{"edge_id", "plant-7_edge-3"},
                           {"nats_servers", {"tls://127.0.0.1:7422"}},
                           {"credentials", kCreds},
                           {"config_bucket", "fleet_config"}}}};
    m_dir->write("tokens.json", tokens.dump());
    m_peer.port = freePort();
    m_peer.process = std::make_unique<Process>(
        std::vector<std::string>{
            m_python, std::string(SPINDLE_SOURCE_DIR) + "/tests/integration/cloud_api_server.py",
            std::to_string(m_peer.port), m_pki->pem("api"), m_pki->key("api"),
            *m_dir / "tokens.json", *m_dir / "claims.json"},
        *m_dir / "api.out", *m_dir / "api.err");
    ASSERT_TRUE(eventually([&] { return readFile(*m_dir / "api.out").find("ready") == 0; }))
        << readFile(*m_dir / "api.err");
    m_config = m_dir->write("spindle.yaml",
                            "edge:\n  id: unclaimed\n  data_dir: " + (*m_dir / "data") +
                                "\n# the plant's machines\nmachines:\n"
                                "  - {id: mill-1, type: shdr, host: 127.0.0.1, port: 7878}\n"
                                "net:\n  dns_preferred: []\n  resolv_conf: \"\"\n"
                                "  ntp_servers: []\n");
  }

  int provision(const std::string& token, std::vector<std::string> extra = {},
                bool trustCa = true) {
    std::vector<std::string> argv = {
        SPINDLE_BINARY, "provision", "--config",
        m_config,       "--api",     "https://127.0.0.1:" + std::to_string(m_peer.port),
        "--token",      token};
    if (trustCa) {
      argv.push_back("--ca-file");
      argv.push_back(m_pki->pem("ca"));
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    ++m_runs;
    return runProgram(argv, *m_dir / ("run" + std::to_string(m_runs)));
  }
  std::string out() const { return readFile(*m_dir / ("run" + std::to_string(m_runs) + ".out")); }
  std::string err() const { return readFile(*m_dir / ("run" + std::to_string(m_runs) + ".err")); }
  std::string data(const std::string& name) const { return *m_dir / ("data/" + name); }

  std::string m_openssl, m_python, m_config;
  std::unique_ptr<ScratchDir> m_dir;
  std::unique_ptr<TestPki> m_pki;
  Peer m_peer;
  int m_runs = 0;
};

fs::perms permissions(const std::string& path) {
  return fs::status(path).permissions() & fs::perms::all;
}

TEST_F(Provision, ClaimsTheEdgeAndWritesWhatItNeedsToJoinTheFleet) {
  const std::string before = readFile(m_config);
  ASSERT_EQ(provision("tok-good"), 0) << err();
  EXPECT_NE(out().find("this edge is plant-7_edge-3"), std::string::npos) << out();
  EXPECT_EQ(err().find("tok-good"), std::string::npos) << "the token was printed";
  // The key: Ed25519, private, and the public half is what the API received.
  const auto key = data("edge-key.pem");
  EXPECT_EQ(permissions(key), fs::perms::owner_read | fs::perms::owner_write);
  const auto claims = json::parse(readFile(*m_dir / "claims.json"));
  ASSERT_TRUE(claims.contains("tok-good")) << claims;
  const std::string pubOut = *m_dir / "pub.der";
  ASSERT_EQ(
      runProgram({m_openssl, "pkey", "-in", key, "-pubout", "-outform", "DER", "-out", pubOut},
                 *m_dir / "pkey"),
      0);
  const std::string der = readFile(pubOut);
  ASSERT_EQ(der.size(), 44u) << "an Ed25519 SubjectPublicKeyInfo is 44 bytes";
  const std::string rawB64 = *m_dir / "raw.b64";
  std::ofstream(*m_dir / "raw.bin", std::ios::binary) << der.substr(12);
  ASSERT_EQ(
      runProgram({"/bin/sh", "-c", "base64 -w0 '" + (*m_dir / "raw.bin") + "' > '" + rawB64 + "'"},
                 *m_dir / "b64"),
      0);
  EXPECT_EQ(claims["tok-good"]["public_key"], readFile(rawB64));
  // The credentials: the API's text, private.
  EXPECT_EQ(readFile(data("nats.creds")), kCreds);
  EXPECT_EQ(permissions(data("nats.creds")), fs::perms::owner_read | fs::perms::owner_write);
  // The configuration: the answer laid in, the machines kept, the previous file kept.
  const YAML::Node root = YAML::LoadFile(m_config);
  EXPECT_EQ(root["edge"]["id"].as<std::string>(), "plant-7_edge-3");
  EXPECT_EQ(root["uplinks"]["nats"]["servers"][0].as<std::string>(), "tls://127.0.0.1:7422");
  EXPECT_EQ(root["uplinks"]["nats"]["credentials"].as<std::string>(), data("nats.creds"));
  EXPECT_EQ(root["control"]["config_bucket"].as<std::string>(), "fleet_config");
  EXPECT_EQ(root["machines"][0]["id"].as<std::string>(), "mill-1");
  EXPECT_EQ(readFile(m_config + ".bak"), before);
  EXPECT_EQ(readFile(m_config).find("SUAPROVISIONTESTSEED"), std::string::npos);
  // What was written is a configuration the edge runs.
  EXPECT_EQ(runProgram({SPINDLE_BINARY, "validate", m_config}, *m_dir / "validate"), 0)
      << readFile(*m_dir / "validate.err") << readFile(*m_dir / "validate.out");
  const auto record = json::parse(readFile(data("provisioning.json")));
  EXPECT_EQ(record["edge_id"], "plant-7_edge-3");

  // Again: refused before anything is sent; with --force the same key claims the same edge.
  const std::string provisioned = readFile(m_config);
  EXPECT_NE(provision("tok-good"), 0);
  EXPECT_NE(err().find("already provisioned"), std::string::npos) << err();
  EXPECT_EQ(readFile(m_config), provisioned);
  EXPECT_EQ(provision("tok-good", {"--force"}), 0) << err();
}

TEST_F(Provision, RefusalsSayWhatToDoAndChangeNothing) {
  const std::string before = readFile(m_config);
  EXPECT_NE(provision("tok-wrong"), 0);
  EXPECT_NE(err().find("refused the token"), std::string::npos) << err();
  EXPECT_NE(err().find("new one-time token"), std::string::npos) << err();
  EXPECT_FALSE(fs::exists(data("provisioning.json")));
  EXPECT_FALSE(fs::exists(data("nats.creds")));

  // An API whose certificate this edge does not trust: no claim is sent.
  EXPECT_NE(provision("tok-good", {}, /*trustCa=*/false), 0);
  EXPECT_NE(err().find("no answer from the API"), std::string::npos) << err();
  EXPECT_FALSE(fs::exists(*m_dir / "claims.json")) << "the claim went to an untrusted server";

  // Another edge (another key) claims the token first: this one is told it was used.
  ASSERT_EQ(provision("tok-good"), 0) << err();
  fs::remove(data("provisioning.json"));
  fs::remove(data("edge-key.pem"));
  EXPECT_NE(provision("tok-good"), 0);
  EXPECT_NE(err().find("already used"), std::string::npos) << err();

  // http:// is refused: a claim carries a token.
  EXPECT_NE(runProgram({SPINDLE_BINARY, "provision", "--config", m_config, "--api",
                        "http://127.0.0.1:1", "--token", "t"},
                       *m_dir / "plain"),
            0);
  EXPECT_NE(readFile(*m_dir / "plain.err").find("https://"), std::string::npos);
  EXPECT_NE(before, "");
}

}  // namespace
}  // namespace spindle::testing
