// The mtconnect_agent collector against a scripted agent on loopback: an agent restart with a
// new instanceId, OUT_OF_RANGE (HTTP 200 from old agents, 400 from new ones), a dropped stream,
// an agent that goes away, the 1.x multipart type, and an agent that does not stream.

#include <gtest/gtest.h>

#include "collectors/mtconnect_agent/mtconnect_agent_collector.hpp"
#include "collectors/mtconnect_agent/testing/test_agent.hpp"
#include "collectors/testing/fake_context.hpp"
#include "process.hpp"

namespace spindle::testing {
namespace {

using collectors::mtconnect_agent::MtconnectAgentCollector;
using collectors::mtconnect_agent::MtconnectAgentOptions;
using collectors::mtconnect_agent::testing::TestAgent;
using collectors::testing::FakeContext;
using namespace std::chrono_literals;

std::vector<TestAgent::Item> items() {
  return {
      {"exec", "EVENT", "EXECUTION"}, {"x", "SAMPLE", "POSITION"}, {"sys", "CONDITION", "SYSTEM"}};
}

MtconnectAgentOptions optionsFor(const TestAgent& agent) {
  MtconnectAgentOptions o;
  o.host = "127.0.0.1";
  o.port.value = agent.port();
  o.interval = 10ms;
  o.heartbeat = 1s;
  o.reconnectMin = 20ms;
  o.reconnectMax = 100ms;
  o.pollInterval = 20ms;
  o.requestTimeout = 2s;
  return o;
}

/// Every value the collector emitted for `key`, in order (text).
std::vector<std::string> values(FakeContext& ctx, const std::string& key) {
  std::vector<std::string> out;
  for (const auto& o : ctx.observations()) {
    if (ctx.catalog().item(o.item).key != key) continue;
    if (model::isUnavailable(o.value)) {
      out.push_back("UNAVAILABLE");
    } else if (const auto* s = std::get_if<std::string>(&o.value)) {
      out.push_back(*s);
    } else if (const auto* d = std::get_if<double>(&o.value)) {
      out.push_back(std::to_string(static_cast<int>(*d)));
    } else {
      out.push_back("?");
    }
  }
  return out;
}

/// Waits until the collector has read /current (data added later arrives through /sample).
bool connected(FakeContext& ctx) {
  return eventually([&] { return ctx.latestText("connection_status") == "ESTABLISHED"; }, 10s);
}

std::vector<std::string> range(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back(std::to_string(i));
  return out;
}

TEST(MtconnectRecovery, StreamsEveryValueOnceInOrder) {
  TestAgent agent(items());
  agent.add("exec", "READY");
  FakeContext ctx;
  MtconnectAgentCollector collector(optionsFor(agent));
  ASSERT_TRUE(collector.start(ctx).ok());
  ASSERT_TRUE(eventually([&] { return ctx.latestText("exec") == "READY"; }, 10s));
  for (int i = 0; i < 200; ++i) agent.add("x", std::to_string(i));
  ASSERT_TRUE(eventually([&] { return values(ctx, "x").size() >= 200; }, 10s));
  EXPECT_EQ(values(ctx, "x"), range(0, 200));
  EXPECT_EQ(ctx.latestText("connection_status"), "ESTABLISHED");
  EXPECT_GE(agent.requests("/dev/sample?from="), 1);
  collector.stop();
}

TEST(MtconnectRecovery, DroppedStreamResumesWithoutGapOrDuplicate) {
  TestAgent agent(items());
  agent.setLegacyMultipart(true);  // 1.x content type, same framing
  FakeContext ctx;
  MtconnectAgentCollector collector(optionsFor(agent));
  ASSERT_TRUE(collector.start(ctx).ok());
  ASSERT_TRUE(connected(ctx));
  for (int i = 0; i < 50; ++i) agent.add("x", std::to_string(i));
  ASSERT_TRUE(eventually([&] { return values(ctx, "x").size() >= 50; }, 10s));
  agent.dropConnections();
  for (int i = 50; i < 100; ++i) agent.add("x", std::to_string(i));
  ASSERT_TRUE(eventually([&] { return values(ctx, "x").size() >= 100; }, 10s));
  // Values may pass through UNAVAILABLE if the reconnect failed once; never twice the same.
  std::vector<std::string> numbers;
  for (auto& v : values(ctx, "x"))
    if (v != "UNAVAILABLE") numbers.push_back(v);
  EXPECT_EQ(numbers, range(0, 100));
  EXPECT_GE(agent.requests("/dev/sample"), 2);
  collector.stop();
}

TEST(MtconnectRecovery, AgentRestartWithNewInstanceIdIsFollowed) {
  TestAgent agent(items());
  agent.add("exec", "ACTIVE");
  FakeContext ctx;
  MtconnectAgentCollector collector(optionsFor(agent));
  ASSERT_TRUE(collector.start(ctx).ok());
  ASSERT_TRUE(eventually([&] { return ctx.latestText("exec") == "ACTIVE"; }, 10s));
  agent.restart();  // sequences start again at 1 with a new instanceId
  agent.add("exec", "STOPPED");
  agent.add("x", "7");
  ASSERT_TRUE(eventually([&] { return ctx.latestText("exec") == "STOPPED"; }, 10s));
  EXPECT_TRUE(eventually([&] { return values(ctx, "x") == std::vector<std::string>{"7"}; }, 5s))
      << ::testing::PrintToString(values(ctx, "x"));  // no UNAVAILABLE: the agent came back at once
  EXPECT_GE(agent.requests("/probe"), 2);             // the model is read again
  collector.stop();
}

class OutOfRange : public ::testing::TestWithParam<int> {};

TEST_P(OutOfRange, ReadsCurrentAgainAndCarriesOn) {
  TestAgent agent(items());
  agent.setErrorStatus(GetParam());
  agent.setStreaming(false);  // polling, so the collector asks with from= each time
  agent.add("exec", "READY");
  FakeContext ctx;
  auto o = optionsFor(agent);
  o.mode = "poll";
  o.pollInterval = 300ms;
  MtconnectAgentCollector collector(o);
  ASSERT_TRUE(collector.start(ctx).ok());
  ASSERT_TRUE(eventually([&] { return agent.requests("/dev/sample") >= 1; }, 10s));
  // Between two polls the buffer moves past the collector's position.
  for (int i = 0; i < 10; ++i) agent.add("x", std::to_string(i));
  agent.add("exec", "ACTIVE");
  agent.forgetBefore(8);
  ASSERT_TRUE(eventually([&] { return ctx.latestText("exec") == "ACTIVE"; }, 10s));
  EXPECT_GE(agent.requests("/dev/current"), 2);  // recovered through /current
  agent.add("x", "42");
  ASSERT_TRUE(eventually([&] { return ctx.latestText("x") == "42.000000"; }, 10s));
  collector.stop();
}

INSTANTIATE_TEST_SUITE_P(MtconnectRecovery, OutOfRange, ::testing::Values(200, 400),
                         [](const auto& param) { return "Http" + std::to_string(param.param); });

TEST(MtconnectRecovery, UnreachableAgentMakesEveryItemUnavailable) {
  auto agent = std::make_unique<TestAgent>(items());
  agent->add("exec", "ACTIVE");
  agent->add("x", "5");
  FakeContext ctx;
  MtconnectAgentCollector collector(optionsFor(*agent));
  ASSERT_TRUE(collector.start(ctx).ok());
  ASSERT_TRUE(eventually([&] { return ctx.latestText("x") == "5.000000"; }, 10s));
  agent.reset();  // the agent is gone
  ASSERT_TRUE(eventually([&] { return ctx.latestText("exec") == "UNAVAILABLE"; }, 10s));
  EXPECT_EQ(ctx.latestText("x"), "UNAVAILABLE");
  EXPECT_EQ(ctx.latestText("sys"), "UNAVAILABLE");
  EXPECT_EQ(ctx.latestText("connection_status"), "CLOSED");
  collector.stop();
}

TEST(MtconnectRecovery, AgentThatDoesNotStreamIsPolled) {
  TestAgent agent(items());
  agent.setStreaming(false);
  FakeContext ctx;
  MtconnectAgentCollector collector(optionsFor(agent));
  ASSERT_TRUE(collector.start(ctx).ok());
  ASSERT_TRUE(connected(ctx));
  for (int i = 0; i < 30; ++i) agent.add("x", std::to_string(i));
  ASSERT_TRUE(eventually([&] { return values(ctx, "x").size() >= 30; }, 10s));
  EXPECT_EQ(values(ctx, "x"), range(0, 30));
  EXPECT_GE(agent.requests("/dev/sample"), 2);
  collector.stop();
}

}  // namespace
}  // namespace spindle::testing
