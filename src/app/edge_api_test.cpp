// The EdgeApi as the gateway's machine manager answers it, without a cloud: list, restart,
// validate and apply a configuration, figures.

#include "app/edge_api.hpp"

#include <filesystem>

#include <gtest/gtest.h>

#include "app/gateway.hpp"
#include "collectors/registry.hpp"

namespace spindle::app {
namespace {

namespace fs = std::filesystem;

class EdgeApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("spindle_edge_api_" + std::to_string(getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  /// A configuration whose machines (SHDR on a closed loopback port) never connect.
  std::string yaml(const std::string& machines) const {
    return "edge:\n  id: edge-1\n  data_dir: " + (m_dir / "data").string() +
           "\n  status_interval: 0s\nnet:\n  ntp_servers: []\nweb:\n  enabled: false\n  "
           "management:\n    enabled: false\n"
           "machines:\n" +
           machines;
  }
  static std::string machine(const std::string& id, bool enabled = true) {
    return "  - id: " + id + "\n    type: shdr\n    host: 127.0.0.1\n    port: 1\n" +
           (enabled ? "" : "    enabled: false\n");
  }
  std::unique_ptr<Gateway> start(const std::string& text) {
    collectors::Registry registry;
    collectors::registerBuiltinCollectors(registry);
    auto loaded = loadConfigText(text, "edge.yaml", registry);
    EXPECT_TRUE(loaded.config.has_value()) << loaded.diagnostics.describe();
    if (!loaded.config) return nullptr;
    auto gateway =
        std::make_unique<Gateway>(std::move(*loaded.config), loaded.text, RunOptions{}, m_clock);
    const auto status = gateway->start();
    EXPECT_TRUE(status.ok()) << (status.ok() ? "" : status.error().describe());
    return gateway;
  }

  fs::path m_dir;
  SystemClock m_clock;
};

TEST_F(EdgeApiTest, ListsRestartsAndRefusesWhatItCannotRestart) {
  auto gateway = start(yaml(machine("mill-1") + machine("lathe-2", false)));
  ASSERT_TRUE(gateway);
  EdgeApi& api = gateway->api();
  const auto machines = api.machines();
  ASSERT_EQ(machines.size(), 2u);
  EXPECT_EQ(machines[0].id, "mill-1");
  EXPECT_EQ(machines[0].type, "shdr");
  EXPECT_TRUE(machines[0].enabled);
  EXPECT_EQ(machines[1].id, "lathe-2");
  EXPECT_FALSE(machines[1].enabled);
  EXPECT_EQ(machines[1].state, "stopped");

  EXPECT_TRUE(api.restartMachine("mill-1").ok());
  const auto unknown = api.restartMachine("nope");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
  const auto disabled = api.restartMachine("lathe-2");
  ASSERT_FALSE(disabled.ok());
  EXPECT_EQ(disabled.error().code(), ErrorCode::kInvalidArgument);

  const auto status = api.status();
  EXPECT_EQ(status["edge"], "edge-1");
  EXPECT_EQ(status["machines"].size(), 1u);  // the machines that run
  EXPECT_TRUE(api.journal().contains("durable_sequence"));
  EXPECT_EQ(api.startConfig().source, "file");

  gateway->stop();
  EXPECT_EQ(api.restartMachine("mill-1").error().code(), ErrorCode::kUnavailable);
}

TEST_F(EdgeApiTest, AppliesAConfigurationMachineByMachine) {
  auto gateway = start(yaml(machine("mill-1")));
  ASSERT_TRUE(gateway);
  EdgeApi& api = gateway->api();
  EXPECT_FALSE(api.validateConfig("machines: [").ok());
  EXPECT_FALSE(api.applyConfig(yaml("  - id: x\n    type: nonesuch\n"), "kv:1").ok());
  EXPECT_EQ(api.machines().size(), 1u);  // nothing changed on failure

  const std::string next = yaml(machine("mill-1") + machine("drill-3"));
  ASSERT_TRUE(api.validateConfig(next).ok());
  const auto outcome = api.applyConfig(next, "kv:2");
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_TRUE(outcome->pendingRestart.empty());
  const auto machines = api.machines();
  ASSERT_EQ(machines.size(), 2u);
  EXPECT_EQ(machines[1].id, "drill-3");
  EXPECT_TRUE(gateway->machineStatus("drill-3").has_value());  // started at once
  EXPECT_EQ(api.configText(), next);
  gateway->stop();
}

}  // namespace
}  // namespace spindle::app
