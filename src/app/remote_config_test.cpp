#include "app/remote_config.hpp"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "uplinks/file/file_uplink.hpp"

namespace spindle::app {
namespace {

namespace fs = std::filesystem;

const char* const kLocal =
    "edge:\n  id: e1\n  data_dir: /var/lib/spindle\n"
    "journal:\n  dir: j\n"
    "uplinks:\n  nats:\n    servers: [nats://127.0.0.1:4222]\n"
    "control:\n  allowed_hosts: [10.0.0.0/8, mill-3.plant.local]\n"
    "machines:\n  - {id: m1, type: shdr, host: 10.0.0.5}\n";

class RemoteConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    collectors::registerBuiltinCollectors(m_registry);
    m_dir = fs::temp_directory_path() / ("spindle_remote_" + std::to_string(::getpid()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir / "scripts");
    control::ControlOptions control;
    control.allowedHosts = {"10.0.0.0/8", "mill-3.plant.local"};
    m_rules = remoteRules(control, m_dir.string()).value();
  }
  void TearDown() override { fs::remove_all(m_dir); }

  RemoteLoad load(const std::string& remote) {
    return loadRemoteConfig(kLocal, "edge:\n  id: e1\n" + remote, "spindle_config/e1", m_registry,
                            m_rules, m_dir.string());
  }
  std::string machine(const std::string& extra) {
    return "machines:\n  - {id: m1, type: shdr, host: 10.0.0.5" + extra + "}\n";
  }

  collectors::Registry m_registry;
  fs::path m_dir;
  RemoteRules m_rules;
};

TEST_F(RemoteConfigTest, ScriptsOnlyFromTheScriptFolder) {
  std::ofstream(m_dir / "secret.txt") << "version: 2\ntop-secret-line: 42\n";
  std::ofstream(m_dir / "scripts" / "good.yaml") << "version: 2\npassthrough: true\n";
  for (const char* path : {"secret.txt", "scripts/../secret.txt", "/etc/passwd"}) {
    auto r = load(machine(std::string(", script: '") + path + "'"));
    EXPECT_FALSE(r.loaded.config.has_value()) << path;
    const std::string text = r.loaded.diagnostics.describe();
    EXPECT_NE(text.find("outside the script folder"), std::string::npos) << text;
    EXPECT_EQ(text.find("top-secret-line"), std::string::npos) << text;
  }
  auto good = load(machine(", script: scripts/good.yaml"));
  ASSERT_TRUE(good.loaded.config.has_value()) << good.loaded.diagnostics.describe();
  EXPECT_NE(good.loaded.config->machines[0].script, nullptr);
}

TEST_F(RemoteConfigTest, ProblemsInAScriptAreReportedByPlaceNeverByContent) {
  std::ofstream(m_dir / "scripts" / "bad.yaml") << "version: 2\nsecret-in-script: 77\n";
  auto r = load(machine(", script: scripts/bad.yaml"));
  ASSERT_FALSE(r.loaded.config.has_value());
  const std::string text = r.loaded.diagnostics.describe();
  EXPECT_NE(text.find("bad.yaml:2:1: the script has a problem here"), std::string::npos) << text;
  EXPECT_EQ(text.find("secret-in-script"), std::string::npos) << text;
  // The same file named locally is reported in full: the edge's own file, for its operator.
  auto local = loadConfigText(machine(", script: scripts/bad.yaml"), "spindle.yaml", m_registry,
                              m_dir.string());
  EXPECT_NE(local.diagnostics.describe().find("secret-in-script"), std::string::npos);
}

TEST_F(RemoteConfigTest, HostsOutsideAllowedHostsAreRefused) {
  auto r = load(
      "net:\n  ntp_servers: [time.example.com, 10.0.0.1]\n"
      "machines:\n"
      "  - {id: m1, type: shdr, host: 192.168.1.1}\n"
      "  - {id: m2, type: mtconnect_agent, url: 'http://u:p@169.254.169.254:80/latest'}\n"
      "  - {id: m3, type: shdr, host: mill-3.plant.local}\n"
      "  - {id: m4, type: shdr, host: 10.1.2.3}\n");
  ASSERT_FALSE(r.loaded.config.has_value());
  const auto& items = r.loaded.diagnostics.items();
  ASSERT_EQ(items.size(), 3u) << r.loaded.diagnostics.describe();
  EXPECT_NE(items[0].message.find("machine 'm1' names host '192.168.1.1'"), std::string::npos);
  EXPECT_NE(items[1].message.find("host '169.254.169.254'"), std::string::npos);
  EXPECT_NE(items[2].message.find("net.ntp_servers names host 'time.example.com'"),
            std::string::npos);
  EXPECT_EQ(items[0].line, 6);
  auto ok = load(machine(""));
  EXPECT_TRUE(ok.loaded.config.has_value()) << ok.loaded.diagnostics.describe();
}

TEST_F(RemoteConfigTest, TheCloudMayNameOnlyAnAllowedProxy) {
  // The proxy sees where every HTTPS connection goes: a host outside allowed_hosts is refused.
  auto r = load("net:\n  proxy: http://proxy.example.com:3128\n" + machine(""));
  ASSERT_FALSE(r.loaded.config.has_value());
  EXPECT_NE(r.loaded.diagnostics.describe().find("net.proxy names host 'proxy.example.com'"),
            std::string::npos)
      << r.loaded.diagnostics.describe();
  auto allowed = load("net:\n  proxy: http://10.0.0.8:3128\n" + machine(""));
  EXPECT_TRUE(allowed.loaded.config.has_value()) << allowed.loaded.diagnostics.describe();
  auto env = load("net:\n  proxy: env\n" + machine(""));
  EXPECT_TRUE(env.loaded.config.has_value()) << env.loaded.diagnostics.describe();
}

TEST_F(RemoteConfigTest, LocalOnlyKeysKeepTheLocalValueAndAreRefused) {
  auto r = load(
      "  data_dir: /tmp/elsewhere\n"
      "journal:\n  dir: /tmp/evil\n  max_size: 2GiB\n"
      "output:\n  path: /etc/cron.d/x\n"
      "uplinks:\n  nats:\n    servers: [nats://attacker.example.com:4222]\n" +
      machine(""));
  ASSERT_TRUE(r.loaded.config.has_value()) << r.loaded.diagnostics.describe();
  const auto& cfg = *r.loaded.config;
  EXPECT_EQ(cfg.edge.dataDir, "/var/lib/spindle");
  EXPECT_EQ(cfg.journal.dir, "j");
  EXPECT_EQ(cfg.journal.maxSize.bytes, 2ULL << 30);  // not local-only: taken
  const auto file = std::find_if(cfg.uplinks.begin(), cfg.uplinks.end(),
                                 [](const auto& u) { return u.name == "file"; });
  ASSERT_NE(file, cfg.uplinks.end());
  // The local file leaves it out.
  EXPECT_EQ(std::any_cast<const uplinks::file::FileOptions&>(file->options).path,
            "observations.jsonl");
  ASSERT_TRUE(cfg.cloud.nats.has_value());
  EXPECT_EQ(cfg.cloud.nats->servers, std::vector<std::string>{"nats://127.0.0.1:4222"});
  EXPECT_EQ(cfg.cloud.control.allowedHosts.size(), 2u);
  std::vector<std::string> keys;
  for (const auto& refusal : r.refused) keys.push_back(refusal.key);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"edge.data_dir", "journal.dir", "output.path", "uplinks"}));
  // Left out or the same as the local file: nothing refused.
  EXPECT_TRUE(load("uplinks:\n  nats:\n    servers: [nats://127.0.0.1:4222]\n" + machine(""))
                  .refused.empty());
}

TEST_F(RemoteConfigTest, ADeeplyNestedDesiredTextIsRefusedBeforeItIsParsed) {
  auto r = load("x: " + std::string(100000, '[') + "\n");
  EXPECT_FALSE(r.loaded.config.has_value());
  EXPECT_NE(r.loaded.diagnostics.describe().find("nests deeper than"), std::string::npos)
      << r.loaded.diagnostics.describe();
}

}  // namespace
}  // namespace spindle::app
