#include "app/cloud_config.hpp"

#include <gtest/gtest.h>

#include "app/spindle_config.hpp"

namespace spindle::app {
namespace {

class CloudConfigTest : public ::testing::Test {
 protected:
  CloudConfigTest() { collectors::registerBuiltinCollectors(m_registry); }
  LoadResult load(const std::string& edge, const std::string& cloud) {
    return loadConfigText("edge:\n  id: " + edge + "\n" + cloud +
                              "machines:\n  - id: mill-1\n    type: shdr\n    host: 10.0.0.5\n",
                          "spindle.yaml", m_registry);
  }
  collectors::Registry m_registry;
};

TEST_F(CloudConfigTest, WithoutANatsSectionThereIsNoCloudLink) {
  auto r = load("e1", "");
  ASSERT_TRUE(r.config.has_value()) << r.diagnostics.describe();
  EXPECT_FALSE(r.config->cloud.nats.has_value());
  EXPECT_FALSE(r.text.empty());  // the text it came from, beside (not inside) the configuration
}

TEST_F(CloudConfigTest, NatsAndControlSectionsAreLoaded) {
  auto r = load("e1",
                "uplinks:\n  nats:\n    servers: [nats://127.0.0.1:4222]\n    js_domain: hub\n"
                "control:\n  health_interval: 2s\n  config_watch: false\n");
  ASSERT_TRUE(r.config.has_value()) << r.diagnostics.describe();
  ASSERT_TRUE(r.config->cloud.nats.has_value());
  EXPECT_EQ(r.config->cloud.nats->servers, std::vector<std::string>{"nats://127.0.0.1:4222"});
  EXPECT_EQ(r.config->cloud.nats->jsDomain, "hub");
  EXPECT_EQ(r.config->cloud.control.healthInterval, std::chrono::seconds(2));
  EXPECT_FALSE(r.config->cloud.control.configWatch);
}

TEST_F(CloudConfigTest, ControlWithoutItsChannelIsRefused) {
  auto r = load("e1", "control:\n  health_interval: 2s\n");
  ASSERT_FALSE(r.config.has_value());
  EXPECT_NE(r.diagnostics.describe().find("works over channel 'nats', which needs a NATS uplink"),
            std::string::npos)
      << r.diagnostics.describe();
  r = load("e1", "uplinks:\n  nats:\n    servers: [nats://h:4222]\ncontrol:\n  channel: pigeon\n");
  ASSERT_FALSE(r.config.has_value());
  EXPECT_NE(r.diagnostics.describe().find("unknown control channel 'pigeon'"), std::string::npos)
      << r.diagnostics.describe();
}

TEST_F(CloudConfigTest, UnknownUplinkAndBadKeysAreRefusedWithTheirLine) {
  auto r =
      load("e1", "uplinks:\n  nats:\n    servers: [nats://h:4222]\n    sever: x\n  mqtt: {}\n");
  ASSERT_FALSE(r.config.has_value());
  const std::string text = r.diagnostics.describe();
  EXPECT_NE(text.find("spindle.yaml:6:5: unknown key 'sever'"), std::string::npos) << text;
  EXPECT_NE(text.find("unknown uplink 'mqtt'"), std::string::npos) << text;
}

TEST_F(CloudConfigTest, AnEdgeIdThatCannotNameSubjectsIsRefused) {
  auto r = load("plant.1", "uplinks:\n  nats:\n    servers: [nats://127.0.0.1:4222]\n");
  ASSERT_FALSE(r.config.has_value());
  EXPECT_NE(r.diagnostics.describe().find("cannot name NATS subjects"), std::string::npos)
      << r.diagnostics.describe();
  EXPECT_TRUE(load("plant.1", "").config.has_value()) << "only with a NATS uplink";
}

TEST_F(CloudConfigTest, AllowedHostsMustBeNetworksAddressesOrNames) {
  const std::string nats = "uplinks:\n  nats:\n    servers: [nats://127.0.0.1:4222]\n";
  auto good = load("e1", nats + "control:\n  allowed_hosts: [10.20.0.0/16, '*.plant.local']\n");
  ASSERT_TRUE(good.config.has_value()) << good.diagnostics.describe();
  EXPECT_EQ(good.config->cloud.control.allowedHosts.size(), 2u);
  EXPECT_EQ(good.config->cloud.control.scriptDir, "scripts");
  auto bad = load("e1", nats + "control:\n  allowed_hosts: [10.20.0.0/33]\n");
  ASSERT_FALSE(bad.config.has_value());
  EXPECT_NE(bad.diagnostics.describe().find("spindle.yaml:7:18: control.allowed_hosts: "
                                            "'10.20.0.0/33' has a bad prefix length"),
            std::string::npos)
      << bad.diagnostics.describe();
}

}  // namespace
}  // namespace spindle::app
