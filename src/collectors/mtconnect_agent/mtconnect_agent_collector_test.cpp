// The collector's configuration path and a short session against the scripted agent; the
// recovery cases are in tests/integration/mtconnect_recovery_test.cpp.

#include "collectors/mtconnect_agent/mtconnect_agent_collector.hpp"

#include <gtest/gtest.h>

#include "collectors/mtconnect_agent/testing/test_agent.hpp"
#include "collectors/testing/fake_context.hpp"
#include "collectors/testing/wait_until.hpp"

namespace spindle::collectors::mtconnect_agent {
namespace {

using namespace std::chrono_literals;
using collectors::testing::waitUntil;

TEST(MtconnectAgentCollector, RegistersAndValidatesItsBlock) {
  Registry registry;
  registerCollector(registry);
  const CollectorInfo* info = registry.find("mtconnect_agent");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->defaultPort, 5000);
  config::Diagnostics diags;
  EXPECT_NE(info->create(YAML::Load("{id: a, type: mtconnect_agent, url: 'http://10.0.0.1'}"), "a",
                         diags),
            nullptr);
  EXPECT_EQ(diags.size(), 0u);
  EXPECT_EQ(info->create(YAML::Load("{id: b, type: mtconnect_agent}"), "b", diags), nullptr);
  EXPECT_EQ(
      info->create(YAML::Load("{id: c, type: mtconnect_agent, host: h, count: 0}"), "c", diags),
      nullptr);
  EXPECT_EQ(
      info->create(YAML::Load("{id: d, type: mtconnect_agent, host: h, mode: push}"), "d", diags),
      nullptr);
  EXPECT_GE(diags.size(), 3u);
}

TEST(MtconnectAgentCollector, ReadsTheSelectedDeviceByUuid) {
  testing::TestAgent agent({{"exec", "EVENT", "EXECUTION"}, {"x", "SAMPLE", "POSITION"}});
  agent.add("exec", "ACTIVE");
  agent.add("x", "1.5");
  collectors::testing::FakeContext ctx;
  MtconnectAgentOptions o;
  o.host = "127.0.0.1";
  o.port.value = agent.port();
  o.device = "dev-uuid";
  o.key = "name";
  o.interval = 10ms;
  MtconnectAgentCollector collector(o);
  ASSERT_TRUE(collector.start(ctx).ok());
  ASSERT_TRUE(waitUntil([&] { return ctx.latestText("x_name") == "1.500000"; }));
  EXPECT_EQ(ctx.latestText("exec_name"), "ACTIVE");
  const auto& x = ctx.catalog().item(ctx.catalog().intern(ctx.machine(), "x_name").value());
  EXPECT_EQ(x.kind, model::Kind::kSample);
  EXPECT_EQ(x.type, "POSITION");  // the probe's description is kept with the item
  EXPECT_EQ(ctx.catalog().item(ctx.catalog().intern(ctx.machine(), "exec_name").value()).type,
            "EXECUTION");
  collector.stop();
}

TEST(MtconnectAgentCollector, UnknownDeviceIsRetriedWithAClearReason) {
  testing::TestAgent agent({{"exec", "EVENT", "EXECUTION"}});
  collectors::testing::FakeContext ctx;
  MtconnectAgentOptions o;
  o.host = "127.0.0.1";
  o.port.value = agent.port();
  o.device = "nope";
  o.reconnectMin = 10ms;
  o.reconnectMax = 20ms;
  MtconnectAgentCollector collector(o);
  ASSERT_TRUE(collector.start(ctx).ok());
  ASSERT_TRUE(waitUntil([&] { return agent.requests("/probe") >= 2; }));
  EXPECT_EQ(agent.requests("/dev/current"), 0);
  EXPECT_TRUE(ctx.observations().empty());
  collector.stop();
}

TEST(MtconnectAgentCollector, ADeeplyNestedProbeIsRetriedNotACrash) {
  testing::TestAgent agent({{"exec", "EVENT", "EXECUTION"}});
  agent.add("exec", "ACTIVE");
  std::string deep =
      "<MTConnectDevices xmlns=\"urn:mtconnect.org:MTConnectDevices:2.2\"><Header "
      "instanceId=\"1\"/><Devices><Device id=\"d\" name=\"dev\" uuid=\"dev-uuid\">";
  for (int i = 0; i < 50'000; ++i) deep += "<Components><Axes id=\"a\">";
  for (int i = 0; i < 50'000; ++i) deep += "</Axes></Components>";
  deep += "</Device></Devices></MTConnectDevices>";
  agent.setProbeOverride(deep);
  collectors::testing::FakeContext ctx;
  MtconnectAgentOptions o;
  o.host = "127.0.0.1";
  o.port.value = agent.port();
  o.interval = 10ms;
  o.reconnectMin = 10ms;
  o.reconnectMax = 20ms;
  MtconnectAgentCollector collector(o);
  ASSERT_TRUE(collector.start(ctx).ok());
  ASSERT_TRUE(waitUntil([&] { return agent.requests("/probe") >= 3; }));
  EXPECT_TRUE(ctx.observations().empty());
  agent.setProbeOverride("");  // the agent is fixed: the collector reads it
  ASSERT_TRUE(waitUntil([&] { return ctx.latestText("exec") == "ACTIVE"; }));
  collector.stop();
}

}  // namespace
}  // namespace spindle::collectors::mtconnect_agent
