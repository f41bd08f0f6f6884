// Configuration from the cloud against the spindle binary and a real hub: what it may name
// (scripts only from the script folder, hosts only as control.allowed_hosts allows, nothing
// of a file it names in any error), and what it changes (machines at once, other sections at
// the next start from the last-known-good configuration, local-only keys refused), as the
// heartbeat reports it.

#include <thread>

#include "cloud_edge.hpp"

namespace spindle::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

/// Accepts TCP connections on 127.0.0.2 and greets each with a banner (a service the cloud
/// should not be able to aim a machine at); counts them.
class BannerServer {
 public:
  BannerServer() {
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(0x7f000002);
    ::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &len);
    m_port = ntohs(addr.sin_port);
    ::listen(m_fd, 8);
    m_thread = std::thread([this] {
      while (true) {
        const int c = ::accept(m_fd, nullptr, nullptr);
        if (c < 0) return;
        ++m_connections;
        const std::string banner = "SSH-2.0-banner-from-the-forbidden-host\n";
        ::send(c, banner.data(), banner.size(), MSG_NOSIGNAL);
        ::close(c);
      }
    });
  }
  ~BannerServer() {
    ::shutdown(m_fd, SHUT_RDWR);
    ::close(m_fd);
    m_thread.join();
  }
  std::uint16_t port() const { return m_port; }
  int connections() const { return m_connections.load(); }

 private:
  int m_fd = -1;
  std::uint16_t m_port = 0;
  std::atomic<int> m_connections{0};
  std::thread m_thread;
};

std::string shdrMachine(std::uint16_t port, const std::string& host = "127.0.0.1") {
  return "  - id: mill-1\n    type: shdr\n    host: " + host +
         "\n    port: " + std::to_string(port) + "\n";
}

class NatsRemoteConfigTest : public CloudEdgeTest {};

TEST_F(NatsRemoteConfigTest, ScriptsOnlyFromTheScriptFolderAndTheirTextNeverInAnError) {
  startHub();
  fs::create_directories(m_dir / "scripts");
  std::ofstream(m_dir / "secret.txt") << "version: 2\ntop-secret-line: 42\n";
  std::ofstream(m_dir / "scripts" / "bad.yaml") << "version: 2\nsecret-in-script: 77\n";
  EdgeText t;
  t.machines = shdrMachine(freePort());
  writeConfig(edgeConfig(t));
  startSpindle();
  ASSERT_TRUE(beatWhere([](const json&) { return true; }).is_object()) << spindleLog();

  // A file outside the script folder is not read at all.
  EdgeText outside = t;
  outside.machines += "    script: " + (m_dir / "secret.txt").string() + "\n";
  const std::string v1 = putDesired(edgeConfig(outside));
  json beat =
      beatWhere([&](const json& b) { return b["config"].value("rejected_version", "") == v1; });
  ASSERT_TRUE(beat.is_object()) << spindleLog();
  const std::string e1 = beat["config"]["error"];
  EXPECT_NE(e1.find("outside the script folder"), std::string::npos) << e1;
  EXPECT_EQ(e1.find("top-secret-line"), std::string::npos) << e1;

  // A broken script in the folder: its problems by place, never by what the file says.
  EdgeText inside = t;
  inside.machines += "    script: " + (m_dir / "scripts" / "bad.yaml").string() + "\n";
  const std::string v2 = putDesired(edgeConfig(inside));
  beat = beatWhere([&](const json& b) { return b["config"].value("rejected_version", "") == v2; });
  ASSERT_TRUE(beat.is_object()) << spindleLog();
  const std::string e2 = beat["config"]["error"];
  EXPECT_NE(e2.find("bad.yaml:2:1: the script has a problem here"), std::string::npos) << e2;
  EXPECT_EQ(e2.find("secret-in-script"), std::string::npos) << e2;

  const std::string logs = ask("logs", R"({"lines":1000})").dump();
  EXPECT_NE(logs.find("rejected"), std::string::npos) << logs;
  for (const char* secret : {"top-secret-line", "secret-in-script"}) {
    EXPECT_EQ(logs.find(secret), std::string::npos) << logs;
    EXPECT_EQ(spindleLog().find(secret), std::string::npos) << spindleLog();
  }
  EXPECT_EQ(stopSpindle(), 0) << spindleLog();
}

TEST_F(NatsRemoteConfigTest, AllowedHostsKeepTheCloudFromAimingMachinesElsewhere) {
  startHub();
  BannerServer forbidden;
  EdgeText t;
  t.machines = shdrMachine(freePort());
  t.controlExtra = "  allowed_hosts: [127.0.0.1/32]\n";
  writeConfig(edgeConfig(t));
  startSpindle();
  ASSERT_TRUE(beatWhere([](const json&) { return true; }).is_object()) << spindleLog();

  EdgeText elsewhere = t;
  elsewhere.machines = shdrMachine(forbidden.port(), "127.0.0.2");
  const std::string refused = putDesired(edgeConfig(elsewhere));
  json beat = beatWhere(
      [&](const json& b) { return b["config"].value("rejected_version", "") == refused; });
  ASSERT_TRUE(beat.is_object()) << spindleLog();
  const std::string error = beat["config"]["error"];
  EXPECT_NE(error.find("names host '127.0.0.2', which control.allowed_hosts does not allow"),
            std::string::npos)
      << error;

  // A host it allows is applied as before.
  EdgeText allowed = t;
  allowed.machines = shdrMachine(freePort(), "127.0.0.1");
  const std::string applied = putDesired(edgeConfig(allowed));
  beat = beatWhere([&](const json& b) { return b["config"]["version"] == applied; });
  ASSERT_TRUE(beat.is_object()) << spindleLog();
  EXPECT_EQ(forbidden.connections(), 0);
  EXPECT_EQ(ask("logs", R"({"lines":1000})").dump().find("banner-from"), std::string::npos);
  EXPECT_EQ(stopSpindle(), 0) << spindleLog();
}

TEST_F(NatsRemoteConfigTest, OtherSectionsRunFromTheNextStartAndLocalOnlyKeysAreRefused) {
  startHub();
  EdgeText t;
  t.machines = shdrMachine(freePort());
  writeConfig(edgeConfig(t));  // no web server
  startSpindle();
  ASSERT_TRUE(beatWhere([](const json&) { return true; }).is_object()) << spindleLog();

  // The cloud turns the web server on (a restart section) and points the uplink elsewhere
  // (local-only).
  EdgeText desired = t;
  desired.webPort = freePort();
  desired.server = "nats://127.0.0.1:1";
  const std::string version = putDesired(edgeConfig(desired));
  json beat = beatWhere([&](const json& b) { return b["config"]["version"] == version; });
  ASSERT_TRUE(beat.is_object()) << spindleLog();
  EXPECT_FALSE(beat["config"].value("complete", true)) << beat["config"].dump();
  EXPECT_EQ(beat["config"]["pending_restart"], json::array({"web"})) << beat["config"].dump();
  ASSERT_TRUE(beat["config"]["refused"].is_array()) << beat["config"].dump();
  ASSERT_EQ(beat["config"]["refused"].size(), 1u) << beat["config"].dump();
  EXPECT_EQ(beat["config"]["refused"][0].get<std::string>().rfind("uplinks: local-only", 0), 0u);
  EXPECT_FALSE(portOpen(desired.webPort));

  // At the next start the last-known-good configuration runs, web server included; the uplink
  // still goes to the hub of the local file (this heartbeat came through it).
  EXPECT_EQ(stopSpindle(), 0) << spindleLog();
  startSpindle();
  beat = beatWhere([&](const json& b) { return b["config"]["source"] == "last-known-good"; });
  ASSERT_TRUE(beat.is_object()) << spindleLog();
  EXPECT_EQ(beat["config"]["version"], version);
  EXPECT_TRUE(beat["config"]["pending_restart"].empty()) << beat["config"].dump();
  EXPECT_EQ(beat["config"]["refused"].size(), 1u) << beat["config"].dump();
  EXPECT_TRUE(eventually([&] { return portOpen(desired.webPort); }, 10s)) << spindleLog();
  EXPECT_EQ(stopSpindle(), 0) << spindleLog();
}

}  // namespace
}  // namespace spindle::testing
