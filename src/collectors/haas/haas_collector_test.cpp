// The haas collector against the Haas simulator (sim/haas_sim.hpp): classic framing over TCP
// and over a pseudo-terminal, NGC framing with two clients, garbage and cut-off replies, a
// control that goes silent, a missing serial device; and the option checks.

#include "collectors/haas/haas_collector.hpp"

#include <gtest/gtest.h>

#include "collectors/haas/testing/sim_peer.hpp"
#include "collectors/testing/fake_context.hpp"
#include "collectors/testing/wait_until.hpp"
#include "transform/script_loader.hpp"

namespace spindle::collectors::haas {
namespace {

using collectors::testing::FakeContext;
using collectors::testing::waitUntil;
using haas::testing::SimPeer;
using namespace std::chrono_literals;

std::shared_ptr<const transform::CompiledScript> scriptWith(const std::string& keys) {
  auto script =
      transform::compileScript("version: 2\nkeys: [" + keys + "]\npassthrough: true\n", "test");
  EXPECT_TRUE(script.ok()) << script.error().describe();
  return script.ok() ? script.value() : nullptr;
}

double number(const std::string& text) { return text.empty() ? -1 : std::stod(text); }

/// What every control answers: identity, mode, the three-in-one, a variable the script names.
void expectAPollingRound(FakeContext& ctx, const std::string& serial) {
  ASSERT_TRUE(waitUntil([&] { return ctx.latestText("serial_number") == serial; }));
  ASSERT_TRUE(waitUntil([&] { return !ctx.latestText("mode").empty(); }));
  EXPECT_TRUE(ctx.latestText("mode") == "MEM" || ctx.latestText("mode") == "JOG" ||
              ctx.latestText("mode") == "MDI")
      << ctx.latestText("mode");
  EXPECT_EQ(ctx.latestText("model"), "VF-2");
  EXPECT_EQ(ctx.latestText("software_version"), "100.20.000.1010");
  ASSERT_TRUE(waitUntil([&] { return !ctx.latestText("status").empty(); }));
  ASSERT_TRUE(waitUntil([&] { return !ctx.latestText("macro_3027").empty(); }));
  ASSERT_TRUE(waitUntil([&] { return !ctx.latestText("var_5041").empty(); }));
  EXPECT_GE(number(ctx.latestText("power_on_time")), 0);
  EXPECT_EQ(ctx.latestText("connection_status"), "ESTABLISHED");
}

TEST(HaasCollector, ClassicFramingOverTcpToADeviceServer) {
  SimPeer peer({});
  ASSERT_TRUE(peer.ok());
  FakeContext ctx;
  ctx.setScript(scriptWith("macro_3027, var_5041, mode"));
  HaasCollector collector(peer.options(false));
  ASSERT_TRUE(collector.start(ctx).ok());
  expectAPollingRound(ctx, "12345678");
  // The sim's power-on meter runs 20x: a later round reports a later time.
  const double first = number(ctx.latestText("power_on_time"));
  ASSERT_TRUE(waitUntil([&] { return number(ctx.latestText("power_on_time")) > first; }));
  EXPECT_EQ(peer.sim().clientCount(), 1u);
  collector.stop();
}

TEST(HaasCollector, ClassicFramingOverASerialLine) {
  sim::HaasSimOptions o;
  o.pty = true;
  SimPeer peer(o);
  ASSERT_TRUE(peer.ok());
  ASSERT_FALSE(peer.sim().ptyPath().empty());
  FakeContext ctx;
  ctx.setScript(scriptWith("macro_3027, var_5041"));
  HaasCollector collector(peer.options(false));
  ASSERT_TRUE(collector.start(ctx).ok());
  expectAPollingRound(ctx, "12345678");
  collector.stop();
}

TEST(HaasCollector, NgcFramingWithTwoClientsMatchesRepliesByLabel) {
  sim::HaasSimOptions o;
  o.ngc = true;
  SimPeer peer(o);
  ASSERT_TRUE(peer.ok());
  FakeContext first("first");
  FakeContext second("second");
  first.setScript(scriptWith("macro_3027, var_5041"));
  second.setScript(scriptWith("macro_3027, var_5041"));
  HaasCollector a(peer.options(true));
  HaasCollector b(peer.options(true));
  ASSERT_TRUE(a.start(first).ok());
  ASSERT_TRUE(b.start(second).ok());
  expectAPollingRound(first, "1234567");
  expectAPollingRound(second, "1234567");
  EXPECT_EQ(peer.sim().clientCount(), 2u);
  // Each sees the other's replies too; still every item carries its own command's value.
  const auto before = first.observations().size();
  ASSERT_TRUE(waitUntil([&] { return first.observations().size() > before + 20; }));
  for (const auto& obs : first.observations()) {
    const std::string_view key = first.catalog().item(obs.item).key;
    if (key == "mode" || key == "status" || key == "program" || key == "model") {
      EXPECT_TRUE(std::holds_alternative<std::string>(obs.value)) << key;
    }
    if (key == "tool_number" || key == "m30_count_1" || key == "tool_changes") {
      EXPECT_TRUE(std::holds_alternative<std::int64_t>(obs.value)) << key;
    }
  }
  a.stop();
  b.stop();
}

TEST(HaasCollector, GarbageAndCutOffRepliesAreDroppedAndPollingGoesOn) {
  SimPeer peer({});
  ASSERT_TRUE(peer.ok());
  FakeContext ctx;
  HaasCollector collector(peer.options(false));
  ASSERT_TRUE(collector.start(ctx).ok());
  ASSERT_TRUE(waitUntil([&] { return !ctx.latestText("status").empty(); }));
  peer.sim().garbleNext(5);
  peer.sim().truncateNext(2);
  const auto answered = peer.sim().answered();
  ASSERT_TRUE(waitUntil([&] { return peer.sim().answered() > answered + 40; }));
  const auto seen = ctx.observations().size();
  ASSERT_TRUE(waitUntil([&] { return ctx.observations().size() > seen + 10; }));
  EXPECT_EQ(ctx.latestText("connection_status"), "ESTABLISHED")
      << "two cut-off replies are below max_timeouts: the stream stays open";
  EXPECT_EQ(ctx.stateCount(ConnectionState::kBackoff), 0u);
  collector.stop();
}

TEST(HaasCollector, AControlThatGoesSilentIsUnavailableUntilItAnswersAgain) {
  SimPeer peer({});
  ASSERT_TRUE(peer.ok());
  FakeContext ctx;
  HaasCollector collector(peer.options(false));
  ASSERT_TRUE(collector.start(ctx).ok());
  ASSERT_TRUE(waitUntil([&] { return !ctx.latestText("mode").empty(); }));
  ASSERT_NE(ctx.latestText("mode"), "UNAVAILABLE");
  peer.sim().truncateNext(1);  // stops mid-reply...
  peer.sim().setSilent(true);  // ...and answers nothing more
  ASSERT_TRUE(waitUntil([&] { return ctx.latestText("mode") == "UNAVAILABLE"; }));
  EXPECT_EQ(ctx.latestText("connection_status"), "CLOSED");
  EXPECT_GE(ctx.stateCount(ConnectionState::kBackoff), 1u);
  peer.sim().setSilent(false);
  ASSERT_TRUE(waitUntil([&] { return ctx.latestText("connection_status") == "ESTABLISHED"; }));
  ASSERT_TRUE(waitUntil([&] {
    const auto m = ctx.latestText("mode");
    return !m.empty() && m != "UNAVAILABLE";
  }));
  collector.stop();
}

TEST(HaasCollector, AMissingSerialDeviceIsAClearErrorAndRetried) {
  EXPECT_EQ(openSerial("/dev/spindle-no-such-port", {}).error().message(),
            "serial port /dev/spindle-no-such-port does not exist");
  FakeContext ctx;
  HaasOptions o;
  o.transport = "serial";
  o.device = "/dev/spindle-no-such-port";
  o.reconnectMin = 10ms;
  o.reconnectMax = 20ms;
  HaasCollector collector(o);
  ASSERT_TRUE(collector.start(ctx).ok());
  ASSERT_TRUE(waitUntil([&] { return ctx.stateCount(ConnectionState::kBackoff) >= 2; }));
  collector.stop();
}

TEST(HaasCollector, ANonSerialFileIsRefused) {
  const auto r = openSerial("/dev/null", {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("is not a serial port"), std::string::npos)
      << r.error().message();
}

TEST(HaasCollector, VariablesComeFromTheScriptKeysOnce) {
  auto script = scriptWith("macro_5021, var_5022, mode, macro_x");
  const auto q = variableQueries(script.get(), {"var_3027", "var_5022", "macro_5021"});
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0].name(), "Q600 5021");
  EXPECT_EQ(q[0].key, "macro_5021");
  EXPECT_EQ(q[1].key, "var_5022");
  EXPECT_EQ(q[2].name(), "Q600 3027");
}

TEST(HaasOptions, TransportsNeedTheirAddressAndCommandsMustBeKnown) {
  Registry registry;
  registerCollector(registry);
  const auto* info = registry.find("haas");
  ASSERT_NE(info, nullptr);
  auto problems = [&](const std::string& yaml) {
    config::Diagnostics diags;
    info->create(YAML::Load(yaml), "m", diags);
    return diags.describe();
  };
  EXPECT_EQ(problems("{id: m, type: haas, host: 10.0.0.5}"), "");
  EXPECT_NE(problems("{id: m, type: haas}").find("transport tcp needs host"), std::string::npos);
  EXPECT_NE(problems("{id: m, type: haas, transport: serial}").find("needs device"),
            std::string::npos);
  EXPECT_NE(problems("{id: m, type: haas, transport: serial, device: /dev/ttyS0, baud: 1234}")
                .find("not a standard rate"),
            std::string::npos);
  EXPECT_NE(problems("{id: m, type: haas, host: h, commands: [Q104, Q999]}").find("Q999"),
            std::string::npos);
  EXPECT_NE(problems("{id: m, type: haas, host: h, variables: [macro_x]}").find("macro_x"),
            std::string::npos);
  EXPECT_NE(problems("{id: m, type: haas, host: h, data_bits: 6}").find("data_bits"),
            std::string::npos);
  EXPECT_EQ(info->resolvedPort(YAML::Load("{host: h}")), kDefaultPort);
}

}  // namespace
}  // namespace spindle::collectors::haas
