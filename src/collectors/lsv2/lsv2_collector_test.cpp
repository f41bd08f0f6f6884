// The collector against the LSV2 simulator (sim/lsv2_sim) on loopback: identification of each
// control type, a control without the DNC option, a login refused, NC errors as conditions,
// PLC operands and data paths, the control killed and back, a cut reply and garbage, a hung
// control (timeouts) that never stalls another machine, and the logout on stop.

#include "collectors/lsv2/lsv2_collector.hpp"

#include <gtest/gtest.h>

#include "collectors/lsv2/testing/lsv2_controls.hpp"
#include "collectors/testing/compiled_script.hpp"
#include "collectors/testing/fake_context.hpp"
#include "collectors/testing/wait_for_value.hpp"
#include "collectors/testing/wait_until.hpp"

namespace spindle::collectors::lsv2 {
namespace {

using namespace std::chrono_literals;
using testing::FakeContext;
using testing::seen;
using testing::unavailable;
using testing::waitUntil;
using Controls = testing::Lsv2Controls;
using sim::Lsv2Identity;
constexpr auto compiled = testing::compiledScript;

Lsv2Options options(std::uint16_t port) {
  Lsv2Options o;
  o.host = "127.0.0.1";
  o.port.value = port;
  o.pollInterval = 20ms;
  o.slowInterval = 60ms;
  o.readTimeout = 300ms;
  o.reconnectMin = 50ms;
  o.reconnectMax = 200ms;
  return o;
}

TEST(Lsv2Collector, IdentifiesEachControlTypeAndReadsWhatItAnswers) {
  struct Want {
    Lsv2Identity id;
    const char* type;
    const char* buffer;
    bool itnc;
  };
  for (const Want& w : {Want{Lsv2Identity::kItnc530, "iTNC 530", "buffer 3072", true},
                        Want{Lsv2Identity::kTnc640, "TNC 640", "buffer 3072", false},
                        Want{Lsv2Identity::kTnc7, "TNC7", "buffer 4096", false},
                        Want{Lsv2Identity::kTnc320, "TNC 320", "buffer 3072", false},
                        Want{Lsv2Identity::kCncPilot640, "CNC PILOT 640", "buffer 3072", false},
                        Want{Lsv2Identity::kTnc426, "TNC 426/430", "buffer 256", false}}) {
    SCOPED_TRACE(w.type);
    Controls controls({w.id});
    FakeContext ctx;
    Lsv2Collector collector(options(controls.port()));
    ASSERT_TRUE(collector.start(ctx));
    for (const char* key : {"control", "nc_software", "X_pos", "Z_pos", "execution_mode", "program",
                            "line", "feed_override", "program_state"}) {
      EXPECT_TRUE(seen(ctx, key)) << key;
    }
    EXPECT_EQ(ctx.latestText("control_type"), w.type);
    EXPECT_EQ(ctx.latestText("login"), "DNC");
    EXPECT_NE(ctx.stateDetail().find(w.buffer), std::string::npos) << ctx.stateDetail();
    if (w.itnc) {
      // R_RI 51 and 27/28: the iTNC 530 only.
      EXPECT_TRUE(seen(ctx, "tool"));
      EXPECT_TRUE(seen(ctx, "tool_length"));
      EXPECT_TRUE(waitUntil([&] { return ctx.latest("alarms").has_value(); }, 5s));
      EXPECT_TRUE(seen(ctx, "B_pos"));
    } else {
      const auto asked = controls.sim->server(0).requests();
      EXPECT_TRUE(waitUntil([&] { return controls.sim->server(0).requests() > asked + 60; }, 5s));
      EXPECT_FALSE(ctx.latest("tool").has_value());
      EXPECT_FALSE(ctx.latest("alarms").has_value());
    }
    EXPECT_EQ(collector.stats().refused, 0u) << ctx.stateDetail();
    EXPECT_EQ(controls.sim->server(0).oversized(), 0u);
    collector.stop();
    // Logged out before the connection closed.
    EXPECT_TRUE(waitUntil([&] { return controls.sim->server(0).logouts() == 1; }, 5s));
  }
}

TEST(Lsv2Collector, AControlWithoutTheDncOptionReportsWhatInspectGives) {
  Controls controls({Lsv2Identity::kTnc640}, 1, 0,
                    [](sim::Lsv2SimOptions& o) { o.dncOption = false; });
  FakeContext ctx;
  Lsv2Collector collector(options(controls.port()));
  ASSERT_TRUE(collector.start(ctx));
  EXPECT_TRUE(seen(ctx, "control"));
  EXPECT_EQ(ctx.latestText("control_type"), "TNC 640");
  EXPECT_EQ(ctx.latestText("login"), "INSPECT");
  EXPECT_TRUE(waitUntil(
      [&] { return ctx.stateDetail().find("DNC login refused") != std::string::npos; }, 5s))
      << ctx.stateDetail();
  // Nothing that needs DNC is asked: the control sees no more telegrams after the logins.
  const auto asked = controls.sim->server(0).requests();
  std::this_thread::sleep_for(200ms);  // ten poll intervals
  EXPECT_EQ(controls.sim->server(0).requests(), asked);
  EXPECT_FALSE(ctx.latest("X_pos").has_value());
  collector.stop();
}

TEST(Lsv2Collector, ARefusedLoginRetriesWithTheBackoffUntilAllowed) {
  Controls controls({Lsv2Identity::kItnc530});
  controls.sim->server(0).withControl([](sim::Lsv2Control& c) { c.setRefuseLogins(true); });
  FakeContext ctx;
  Lsv2Collector collector(options(controls.port()));
  ASSERT_TRUE(collector.start(ctx));
  EXPECT_TRUE(waitUntil([&] { return ctx.stateCount(ConnectionState::kBackoff) >= 2; }, 5s));
  EXPECT_NE(ctx.stateDetail().find("refused login INSPECT"), std::string::npos)
      << ctx.stateDetail();
  EXPECT_FALSE(ctx.latest("control").has_value());
  controls.sim->server(0).withControl([](sim::Lsv2Control& c) { c.setRefuseLogins(false); });
  EXPECT_TRUE(seen(ctx, "X_pos"));
  collector.stop();
}

TEST(Lsv2Collector, NcErrorsAreConditionsWithText) {
  Controls controls({Lsv2Identity::kItnc530});
  FakeContext ctx;
  Lsv2Collector collector(options(controls.port()));
  ASSERT_TRUE(collector.start(ctx));
  controls.sim->server(0).withControl(
      [](sim::Lsv2Control& c) { c.raiseError(-2130706422, "010 Machine guard is open !"); });
  auto alarm = [&](model::Level level) {
    return testing::conditionSeen(ctx, "alarms", "-2130706422", level,
                                  "010 Machine guard is open !");
  };
  EXPECT_TRUE(alarm(model::Level::kFault));
  controls.sim->server(0).withControl([](sim::Lsv2Control& c) { c.clearErrors(); });
  EXPECT_TRUE(alarm(model::Level::kNormal));
  collector.stop();
}

TEST(Lsv2Collector, ReadsTheScriptsPlcOperandsAndTheDataPaths) {
  Controls controls({Lsv2Identity::kItnc530});
  FakeContext ctx;
  ctx.setScript(compiled("version: 2\nkeys: [plc_D4, plc_W2, plc_M1]\npassthrough: true\n"));
  auto o = options(controls.port());
  o.dataPaths = {{"tool_3_length", "\\TABLE\\TOOL\\T\\3\\L"}, {"parts", "\\PLC\\memory\\D\\4"}};
  Lsv2Collector collector(o);
  ASSERT_TRUE(collector.start(ctx));
  for (const char* key : {"plc_D4", "plc_W2", "plc_M1", "tool_3_length", "parts"}) {
    EXPECT_TRUE(seen(ctx, key)) << key;
  }
  EXPECT_EQ(ctx.latest("tool_3_length"), model::Value(53.0));
  EXPECT_EQ(ctx.latest("plc_M1"), model::Value(std::int64_t{0}));  // no emergency stop
  // W2 holds the feed override the simulator's PLC shows (percent).
  EXPECT_TRUE(waitUntil(
      [&] {
        auto w = ctx.latest("plc_W2");
        auto f = ctx.latest("feed_override");
        return w && f && std::holds_alternative<std::int64_t>(*w) &&
               std::holds_alternative<double>(*f) &&
               std::get<std::int64_t>(*w) == static_cast<std::int64_t>(std::get<double>(*f));
      },
      5s));
  collector.stop();

  // A data path on a control without R_DP: the DATA login is refused, said, nothing asked.
  Controls tnc({Lsv2Identity::kTnc640});
  FakeContext other;
  auto p = options(tnc.port());
  p.dataPaths = {{"parts", "\\PLC\\memory\\D\\4"}};
  Lsv2Collector second(p);
  ASSERT_TRUE(second.start(other));
  EXPECT_TRUE(seen(other, "X_pos"));
  EXPECT_FALSE(other.latest("parts").has_value());
  second.stop();
}

TEST(Lsv2Collector, MalformedPlcKeysAreRefusedAtStart) {
  FakeContext ctx;
  ctx.setScript(compiled("version: 2\nkeys: [plc_W3]\n"));
  Lsv2Collector bad(options(1));
  auto s = bad.start(ctx);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().describe().find("even byte address"), std::string::npos);
  EXPECT_FALSE(parsePlcKey("plc_Q1").ok());
  EXPECT_EQ(parsePlcKey("plc_D8").value()->number, 8u);
  EXPECT_FALSE(parsePlcKey("program").value().has_value());
}

TEST(Lsv2Collector, ControlGoneIsUnavailableThenBack) {
  std::uint16_t port = 0;
  FakeContext ctx;
  std::unique_ptr<Lsv2Collector> collector;
  {
    Controls controls({Lsv2Identity::kItnc530});
    port = controls.port();
    collector = std::make_unique<Lsv2Collector>(options(port));
    ASSERT_TRUE(collector->start(ctx));
    ASSERT_TRUE(seen(ctx, "program_state"));
  }
  EXPECT_TRUE(unavailable(ctx, "program_state"));
  EXPECT_TRUE(unavailable(ctx, "X_pos"));
  EXPECT_TRUE(unavailable(ctx, "control"));
  Controls again({Lsv2Identity::kItnc530}, 1, port);
  EXPECT_TRUE(seen(ctx, "program_state"));
  EXPECT_TRUE(seen(ctx, "control"));
  collector->stop();
}

TEST(Lsv2Collector, CutRepliesGarbageAndAHungControlNeverStallAnotherMachine) {
  Controls controls({Lsv2Identity::kItnc530, Lsv2Identity::kTnc640}, 2);
  FakeContext broken("broken");
  FakeContext healthy("healthy");
  Lsv2Collector a(options(controls.port(0)));
  Lsv2Collector b(options(controls.port(1)));
  ASSERT_TRUE(a.start(broken));
  ASSERT_TRUE(b.start(healthy));
  ASSERT_TRUE(seen(broken, "program_state"));
  ASSERT_TRUE(seen(healthy, "program_state"));
  controls.sim->server(0).truncateNextReply();
  EXPECT_TRUE(unavailable(broken, "program_state"));
  EXPECT_TRUE(seen(broken, "program_state"));
  controls.sim->server(0).garbageNextReply();
  EXPECT_TRUE(unavailable(broken, "program_state"));
  EXPECT_TRUE(seen(broken, "program_state"));
  // A hung control: connected, reading, never answering. The read timeout drops it.
  controls.sim->server(0).setSilent(true);
  EXPECT_TRUE(unavailable(broken, "program_state"));
  EXPECT_TRUE(
      waitUntil([&] { return broken.stateDetail().find("no answer to") != std::string::npos; }, 5s))
      << broken.stateDetail();
  const auto before = healthy.observations().size();
  EXPECT_TRUE(waitUntil([&] { return healthy.observations().size() > before + 20; }, 5s));
  EXPECT_TRUE(healthy.latest("program_state").has_value() &&
              !std::holds_alternative<model::Unavailable>(*healthy.latest("program_state")));
  controls.sim->server(0).setSilent(false);
  EXPECT_TRUE(seen(broken, "program_state"));
  a.stop();
  b.stop();
}

TEST(Lsv2Collector, StandingFaultsAndSplitRepliesAreSurvived) {
  Controls controls({Lsv2Identity::kItnc530}, 1, 0, [](sim::Lsv2SimOptions& o) {
    o.cutEvery = 41;
    o.garbageEvery = 67;
    o.splitBytes = 5;
  });
  FakeContext ctx;
  Lsv2Collector collector(options(controls.port()));
  ASSERT_TRUE(collector.start(ctx));
  EXPECT_TRUE(waitUntil([&] { return ctx.stateCount(ConnectionState::kBackoff) >= 3; }, 20s));
  EXPECT_TRUE(seen(ctx, "X_pos"));
  EXPECT_TRUE(seen(ctx, "program"));
  collector.stop();
}

}  // namespace
}  // namespace spindle::collectors::lsv2
