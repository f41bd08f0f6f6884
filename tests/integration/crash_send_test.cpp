// A real crash reaches the crash endpoint: `spindle debug crash` dies of SIGSEGV and leaves a
// report; the next `spindle run` sends it through the edge's HTTP client (TLS with the test's
// own CA) to a loopback HTTPS server in Bugsnag's notifier format, and deletes it once the
// server accepted it. Without an API key the report stays, and the start says so.

#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "https_peers.hpp"
#include "net/http/http_client.hpp"

namespace spindle::testing {
namespace {

namespace fs = std::filesystem;
using namespace netcheck_peers;
using nlohmann::json;

class CrashSend : public ::testing::Test {
 protected:
  void SetUp() override {
    m_openssl = findProgram("openssl");
    m_python = findProgram("python3");
    ASSERT_FALSE(m_openssl.empty()) << "openssl is missing: scripts/setup installs it";
    ASSERT_FALSE(m_python.empty()) << "python3 is missing: scripts/setup installs it";
    m_dir = std::make_unique<ScratchDir>("crashsend");
    m_pki = std::make_unique<TestPki>(m_openssl, *m_dir);
    ASSERT_TRUE(m_pki->makeCa("ca", "/CN=Spindle test CA"));
    ASSERT_TRUE(m_pki->makeServer("notify", "ca", {"127.0.0.1"}));
    auto server =
        https_peers::startHttpsServer(m_python, *m_dir, m_pki->pem("notify"), m_pki->key("notify"));
    ASSERT_TRUE(server.has_value());
    m_server = std::move(*server);
    m_crash = *m_dir / "data/crash";
  }

  /// `spindle run` for a few seconds with `crashReports` as its crash_reports section.
  int runEdge(const std::string& crashReports) {
    const std::string config = m_dir->write(
        "spindle.yaml", "edge:\n  id: crash-edge\n  data_dir: " + (*m_dir / "data") +
                            "\n  status_interval: 0s\n"
                            "net:\n  dns_preferred: []\n  resolv_conf: \"\"\n  ntp_servers: []\n"
                            "https:\n  ca_file: " +
                            m_pki->pem("ca") +
                            "\nweb:\n  enabled: false\n  management:\n    enabled: false\n" +
                            crashReports + "machines: []\n");
    ++m_runs;
    return runProgram({SPINDLE_BINARY, "run", "-c", config, "--for", "3s"},
                      *m_dir / ("run" + std::to_string(m_runs)));
  }
  std::string runLog() const {
    const std::string base = *m_dir / ("run" + std::to_string(m_runs));
    return readFile(base + ".out") + readFile(base + ".err");
  }
  std::size_t reports() const {
    std::size_t n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(m_crash, ec)) {
      n += e.path().extension() == ".report" ? 1 : 0;
    }
    return n;
  }
  json collected() {
    auto client = net::http::HttpClient::create({.caFile = m_pki->pem("ca"), .retries = 0});
    const auto r = (*client)->perform(
        {.url = "https://127.0.0.1:" + std::to_string(m_server.port) + "/collected"});
    return json::parse(r.body, nullptr, false);
  }

  std::string m_openssl, m_python, m_crash;
  std::unique_ptr<ScratchDir> m_dir;
  std::unique_ptr<TestPki> m_pki;
  Peer m_server;
  int m_runs = 0;
};

TEST_F(CrashSend, TheNextStartSendsTheReportAndDeletesItOnceAccepted) {
  Process crash(
      {"/usr/bin/env", "SPINDLE_DEBUG_CRASH=1", SPINDLE_BINARY, "debug", "crash", "--dir", m_crash},
      *m_dir / "crash.out", *m_dir / "crash.err");
  ASSERT_EQ(crash.wait(std::chrono::seconds(60)), -SIGSEGV) << readFile(*m_dir / "crash.err");
  ASSERT_EQ(reports(), 1u);

  // No API key: kept, and the start says why.
  EXPECT_EQ(runEdge(""), 0) << runLog();
  EXPECT_EQ(reports(), 1u);
  EXPECT_NE(runLog().find("kept, not sent"), std::string::npos) << runLog();
  EXPECT_TRUE(collected().empty());

  // With a key: sent once, in Bugsnag's format, and deleted.
  const std::string key = m_dir->write("bugsnag.key", "0123456789abcdef0123456789abcdef\n");
  EXPECT_EQ(runEdge("crash_reports:\n  api_key_file: " + key + "\n  endpoint: https://127.0.0.1:" +
                    std::to_string(m_server.port) + "/collect\n"),
            0)
      << runLog();
  EXPECT_EQ(reports(), 0u) << runLog();
  const auto got = collected();
  ASSERT_EQ(got.size(), 1u) << got.dump();
  EXPECT_EQ(got[0]["headers"]["bugsnag-api-key"], "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(got[0]["headers"]["bugsnag-payload-version"], "5");
  EXPECT_EQ(got[0]["headers"]["spindle-edge"], "crash-edge");
  const auto payload = json::parse(got[0]["body"].get<std::string>(), nullptr, false);
  ASSERT_TRUE(payload.is_object()) << got[0]["body"];
  const auto& exception = payload["events"][0]["exceptions"][0];
  EXPECT_EQ(exception["errorClass"], "SIGSEGV");
  EXPECT_NE(exception["stacktrace"].dump().find("spindleDebugCrashHere"), std::string::npos)
      << exception["stacktrace"].dump().substr(0, 500);
}

}  // namespace
}  // namespace spindle::testing
