// What the edge tells about itself, against the spindle binary and a real hub: no password of
// a URL in any log line, diagnostic or heartbeat; the age of each machine's last data (a
// connected adapter that sends nothing); and which TLS error keeps the cloud link down, while the
// edge runs on and connects once the hub's certificate is fixed.

#include "cloud_edge.hpp"
#include "collectors/testing/line_server.hpp"

namespace spindle::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class NatsEdgeDiagnosticsTest : public CloudEdgeTest {};

TEST_F(NatsEdgeDiagnosticsTest, PasswordsInUrlsStayOutOfLogsDiagnosticsAndHealth) {
  startHub(
      "authorization { users: [ { user: admin, password: admin }, "
      "{ user: e1, password: hub-s3cret-pw } ] }",
      "admin", "admin");
  EdgeText t;
  t.server = "nats://e1:hub-s3cret-pw@127.0.0.1:" + std::to_string(m_hub->port());
  t.machines =
      "  - id: agent-1\n    type: mtconnect_agent\n    url: http://reader:agent-s3cret-pw@"
      "127.0.0.1:" +
      std::to_string(freePort()) + "/\n    reconnect_min: 50ms\n    reconnect_max: 100ms\n";
  writeConfig(edgeConfig(t));
  startSpindle();
  const json beat = beatWhere([](const json& b) { return b["machines"].size() == 1; });
  ASSERT_TRUE(beat.is_object()) << spindleLog();  // connected with the password
  // The agent is retried (and logged) while nothing listens on its port.
  ASSERT_TRUE(eventually([&] { return spindleLog().find("retrying") != std::string::npos; }, 10s))
      << spindleLog();
  const std::string everything = spindleLog() + beat.dump() +
                                 ask("logs", R"({"lines":1000})").dump() + ask("status").dump() +
                                 ask("config").dump();
  EXPECT_NE(everything.find("NATS connected"), std::string::npos) << everything;
  for (const char* secret : {"hub-s3cret-pw", "agent-s3cret-pw"}) {
    EXPECT_EQ(everything.find(secret), std::string::npos) << secret << " in:\n" << everything;
  }
  EXPECT_EQ(stopSpindle(), 0);

  // `spindle validate` quotes the URL it refuses, without the password.
  EdgeText bad = t;
  bad.server = "nat://e1:hub-s3cret-pw@127.0.0.1:4222";
  writeConfig(edgeConfig(bad));
  Process validate({SPINDLE_BINARY, "validate", configPath()}, (m_dir / "v.out").string(),
                   (m_dir / "v.err").string());
  EXPECT_NE(validate.wait(30s), 0);
  const std::string refused = readFile((m_dir / "v.err").string());
  EXPECT_NE(refused.find("nat://e1:<redacted>@127.0.0.1:4222"), std::string::npos) << refused;
  EXPECT_EQ(refused.find("hub-s3cret-pw"), std::string::npos) << refused;
}

TEST_F(NatsEdgeDiagnosticsTest, AConnectedAdapterThatSendsNothingShowsTheAgeOfItsLastData) {
  startHub();
  // An adapter that sends one line to its client and then nothing, its connection open (it
  // answers no PING).
  collectors::testing::LineServer adapter("");
  EdgeText t;
  t.machines = "  - id: mill-1\n    type: shdr\n    host: 127.0.0.1\n    port: " +
               std::to_string(adapter.port()) + "\n";
  t.statusInterval = "1s";
  writeConfig(edgeConfig(t));
  startSpindle();
  ASSERT_TRUE(eventually([&] { return adapter.connections() >= 1; }, 15s)) << spindleLog();
  adapter.send("2024-01-01T00:00:00.000Z|execution|ACTIVE\n");
  const json beat = beatWhere([](const json& b) {
    if (b["machines"].size() != 1) return false;
    const json& m = b["machines"][0];
    return m["state"] == "connected" && m["last_data_age_s"].is_number() &&
           m["last_data_age_s"].get<double>() >= 2.0;
  });
  ASSERT_TRUE(beat.is_object()) << spindleLog();
  EXPECT_GE(beat["machines"][0]["observations"].get<std::uint64_t>(), 1u);
  const json status = ask("status");
  ASSERT_TRUE(status["result"]["machines"][0]["last_data_age_s"].is_number()) << status.dump();
  EXPECT_TRUE(eventually(
      [&] { return spindleLog().find("mill-1     connected") != std::string::npos; }, 5s));
  const std::string log = spindleLog();
  EXPECT_NE(log.find("last data "), std::string::npos) << log;
  EXPECT_EQ(stopSpindle(), 0);
}

/// Runs an openssl command; true when it succeeds.
bool openssl(const fs::path& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"/usr/bin/openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  Process p(argv, (dir / "openssl.out").string(), (dir / "openssl.err").string());
  return p.wait(30s) == 0;
}

TEST_F(NatsEdgeDiagnosticsTest, ATlsFailureIsLoggedWithItsTlsError) {
  if (!fs::exists("/usr/bin/openssl")) GTEST_SKIP() << "openssl is not installed";
  const fs::path pki = m_dir / "pki";
  fs::create_directories(pki);
  auto path = [&](const std::string& name) { return (pki / name).string(); };
  const std::vector<std::string> ec{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                                    "-nodes"};
  auto req = [&](std::vector<std::string> args) {
    std::vector<std::string> all{"req"};
    all.insert(all.end(), ec.begin(), ec.end());
    all.insert(all.end(), args.begin(), args.end());
    return openssl(pki, all);
  };
  std::ofstream(pki / "san.ext") << "subjectAltName=IP:127.0.0.1\n";
  // The edge trusts one CA; the hub's certificate comes from another.
  ASSERT_TRUE(req({"-x509", "-keyout", path("trusted.key"), "-out", path("trusted.pem"), "-subj",
                   "/CN=trusted", "-days", "2"}));
  ASSERT_TRUE(req({"-x509", "-keyout", path("other.key"), "-out", path("other.pem"), "-subj",
                   "/CN=other", "-days", "2"}));
  ASSERT_TRUE(req({"-keyout", path("hub.key"), "-out", path("hub.csr"), "-subj", "/CN=127.0.0.1"}));
  ASSERT_TRUE(openssl(pki, {"x509", "-req", "-in", path("hub.csr"), "-CA", path("other.pem"),
                            "-CAkey", path("other.key"), "-CAcreateserial", "-days", "2",
                            "-extfile", path("san.ext"), "-out", path("hub.pem")}))
      << readFile((pki / "openssl.err").string());
  const std::uint16_t port = freePort();
  auto startTlsHub = [&](const std::string& cert, const std::string& key) {
    std::ofstream(m_dir / "tls-hub.conf")
        << "listen: 127.0.0.1:" << port << "\ntls { cert_file: \"" << path(cert)
        << "\", key_file: \"" << path(key) << "\" }\n";
    auto hub = std::make_unique<Process>(
        std::vector<std::string>{natsServerBinary(), "-c", (m_dir / "tls-hub.conf").string()},
        (m_dir / "tls-hub.out").string(), (m_dir / "tls-hub.err").string());
    EXPECT_TRUE(eventually([&] { return portOpen(port); }, 10s));
    return hub;
  };
  auto hub = startTlsHub("hub.pem", "hub.key");

  EdgeText t;
  t.server = "tls://127.0.0.1:" + std::to_string(port);
  t.natsExtra = "    tls_ca: " + path("trusted.pem") + "\n";
  t.machines = "  - id: mill-1\n    type: shdr\n    host: 127.0.0.1\n    port: " +
               std::to_string(freePort()) + "\n";
  writeConfig(edgeConfig(t));
  startSpindle();
  EXPECT_TRUE(eventually(
      [&] {
        return spindleLog().find("unable to get local issuer certificate") != std::string::npos;
      },
      15s))
      << spindleLog();
  // cnats gives such a connection up for good; the edge runs on and builds new ones.
  ASSERT_TRUE(eventually(
      [&] { return spindleLog().find("building a new connection") != std::string::npos; }, 15s))
      << spindleLog();
  EXPECT_EQ(m_spindle->wait(1s), -1000) << "the edge stopped:\n" << spindleLog();

  // The hub gets a certificate the edge trusts (restarted on the same port): the link comes up
  // without a restart of the edge.
  ASSERT_TRUE(
      req({"-keyout", path("hub2.key"), "-out", path("hub2.csr"), "-subj", "/CN=127.0.0.1"}));
  ASSERT_TRUE(openssl(pki, {"x509", "-req", "-in", path("hub2.csr"), "-CA", path("trusted.pem"),
                            "-CAkey", path("trusted.key"), "-CAcreateserial", "-days", "2",
                            "-extfile", path("san.ext"), "-out", path("hub2.pem")}))
      << readFile((pki / "openssl.err").string());
  hub->kill(SIGTERM);
  hub = startTlsHub("hub2.pem", "hub2.key");
  EXPECT_TRUE(eventually(
      [&] { return spindleLog().find("NATS connected to tls://") != std::string::npos; }, 20s))
      << spindleLog();
  EXPECT_EQ(stopSpindle(), 0) << spindleLog();
}

}  // namespace
}  // namespace spindle::testing
