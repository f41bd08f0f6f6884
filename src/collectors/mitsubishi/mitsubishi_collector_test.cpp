// The collector against the Mitsubishi simulator (sim/mitsubishi_sim) on loopback: every
// system type, two part systems with alarms, addresses the NC refuses, split and big-endian
// replies, the NC killed and back, cut replies, garbage, and a hung NC that never stalls
// another machine.

#include "collectors/mitsubishi/mitsubishi_collector.hpp"

#include <gtest/gtest.h>

#include "collectors/mitsubishi/testing/mitsubishi_controls.hpp"
#include "collectors/testing/compiled_script.hpp"
#include "collectors/testing/fake_context.hpp"
#include "collectors/testing/wait_for_value.hpp"
#include "collectors/testing/wait_until.hpp"

namespace spindle::collectors::mitsubishi {
namespace {

using namespace std::chrono_literals;
using testing::FakeContext;
using testing::seen;
using testing::unavailable;
using testing::waitUntil;
using Controls = testing::MitsubishiControls;
constexpr auto script = testing::compiledScript;

MitsubishiOptions options(std::uint16_t port, SystemType type = SystemType::kM700M,
                          std::vector<std::uint32_t> systems = {1}) {
  MitsubishiOptions o;
  o.host = "127.0.0.1";
  o.port.value = port;
  o.system = type;
  o.systemType = std::string(systemTypeName(type));
  o.pollInterval = 20ms;
  o.slowInterval = 60ms;
  o.readTimeout = 300ms;
  o.reconnectMin = 50ms;
  o.reconnectMax = 200ms;
  o.partSystemNumbers = std::move(systems);
  return o;
}

TEST(MitsubishiCollector, EverySystemTypeReportsTheMonitoringSet) {
  for (auto type :
       {SystemType::kM700L, SystemType::kM700M, SystemType::kM800L, SystemType::kM800M}) {
    SCOPED_TRACE(std::string(systemTypeName(type)));
    Controls controls({type});
    FakeContext ctx;
    ctx.setScript(script("version: 2\nkeys: [plc_R2500, plc_YC67]\npassthrough: true\n"));
    auto o = options(controls.port(), type);
    if (type == SystemType::kM800M) o.pipeline = 1;  // one request at a time works too
    MitsubishiCollector collector(o);
    ASSERT_TRUE(collector.start(ctx));
    const bool lathe = isLathe(type);
    for (const std::string key : {"run_status",
                                  "mode",
                                  "automatic",
                                  "program",
                                  "sequence",
                                  "feed",
                                  "spindle_speed",
                                  "spindle_load",
                                  "tool",
                                  "part_count",
                                  "X_work",
                                  "Z_work",
                                  lathe ? "C_work" : "Y_work",
                                  "X_load",
                                  "X_machine",
                                  "program_path",
                                  "time_power_on",
                                  "nc_version",
                                  "block_text",
                                  "plc_R2500",
                                  "plc_YC67"}) {
      EXPECT_TRUE(seen(ctx, key)) << key;
    }
    EXPECT_EQ(ctx.latest("machine_type"), model::Value(std::int64_t{lathe ? 1 : 0}));
    EXPECT_EQ(ctx.latest("plc_YC67"), model::Value(std::int64_t{1}));
    const auto fovr = ctx.latest("plc_R2500");
    ASSERT_TRUE(fovr && std::holds_alternative<std::int64_t>(*fovr));
    EXPECT_GE(std::get<std::int64_t>(*fovr), 50);
    EXPECT_LE(std::get<std::int64_t>(*fovr), 150);
    // The NC names its axes: a lathe's are X, Z, C; no Y is reported.
    if (lathe) {
      EXPECT_FALSE(ctx.latest("Y_work").has_value());
    }
    EXPECT_NE(ctx.stateDetail().find(std::string(systemTypeName(type))), std::string::npos)
        << ctx.stateDetail();
    EXPECT_EQ(collector.stats().refused, 0u);
    EXPECT_EQ(collector.stats().undecoded, 0u);
    collector.stop();
  }
}

TEST(MitsubishiCollector, AddressesTheNcRefusesAreDroppedAndSaid) {
  Controls controls({SystemType::kM700M});
  FakeContext ctx;
  ctx.setScript(script("version: 2\nkeys: [ez_250_1, ez_35_99, p1_ez_35_10]\npassthrough: true\n"));
  MitsubishiCollector collector(options(controls.port()));
  ASSERT_TRUE(collector.start(ctx));
  EXPECT_TRUE(seen(ctx, "p1_ez_35_10"));  // the run status again, through the script's key
  EXPECT_TRUE(unavailable(ctx, "ez_250_1"));
  EXPECT_TRUE(unavailable(ctx, "ez_35_99"));
  ASSERT_TRUE(waitUntil([&] { return collector.stats().refused == 2; }, 5s));
  EXPECT_TRUE(waitUntil(
      [&] {
        const auto d = ctx.stateDetail();
        return d.find("250/1") != std::string::npos && d.find("35/99") != std::string::npos;
      },
      5s))
      << ctx.stateDetail();
  // Several slow rounds later the refused addresses have not been asked again.
  const auto exceptions = controls.sim->server(0).exceptions();
  const auto requests = controls.sim->server(0).requests();
  EXPECT_TRUE(waitUntil([&] { return controls.sim->server(0).requests() > requests + 300; }, 5s));
  EXPECT_EQ(controls.sim->server(0).exceptions(), exceptions);
  EXPECT_EQ(collector.stats().refused, 2u);
  collector.stop();
}

TEST(MitsubishiCollector, TwoPartSystemsAndAlarmsWithText) {
  Controls controls({SystemType::kM700L}, 2);
  FakeContext ctx;
  MitsubishiCollector collector(options(controls.port(), SystemType::kM700L, {1, 2}));
  ASSERT_TRUE(collector.start(ctx));
  EXPECT_TRUE(seen(ctx, "p2_run_status"));
  EXPECT_TRUE(seen(ctx, "p2_C_work"));
  EXPECT_TRUE(seen(ctx, "p2_part_count"));
  controls.sim->server(0).withControl(
      [](sim::MitsubishiControl& c) { c.raiseAlarm(2, 1001, "SPINDLE OVERLOAD"); });
  auto alarm = [&](model::Level level) {
    return testing::conditionSeen(ctx, "p2_alarms", "1001", level, "SPINDLE OVERLOAD");
  };
  EXPECT_TRUE(alarm(model::Level::kFault));
  controls.sim->server(0).withControl([](sim::MitsubishiControl& c) { c.clearAlarms(2); });
  EXPECT_TRUE(alarm(model::Level::kNormal));
  collector.stop();
}

TEST(MitsubishiCollector, SplitAndBigEndianRepliesAreDecoded) {
  Controls controls({SystemType::kM800M}, 1, 1, 0, [](sim::MitsubishiSimOptions& o) {
    o.splitBytes = 5;
    o.bigEndian = true;
  });
  FakeContext ctx;
  auto o = options(controls.port(), SystemType::kM800M);
  o.readTimeout = 3s;  // ~150 segments of 5 bytes, 2 ms apart, per batch
  MitsubishiCollector collector(o);
  ASSERT_TRUE(collector.start(ctx));
  EXPECT_TRUE(seen(ctx, "Z_work"));
  EXPECT_TRUE(seen(ctx, "program"));
  EXPECT_TRUE(seen(ctx, "time_power_on"));
  EXPECT_EQ(ctx.latest("part_systems"), model::Value(std::int64_t{1}));
  EXPECT_EQ(collector.stats().undecoded, 0u);
  collector.stop();
}

TEST(MitsubishiCollector, NcGoneIsUnavailableThenBack) {
  std::uint16_t port = 0;
  FakeContext ctx;
  std::unique_ptr<MitsubishiCollector> collector;
  {
    Controls controls({SystemType::kM700M});
    port = controls.port();
    collector = std::make_unique<MitsubishiCollector>(options(port));
    ASSERT_TRUE(collector->start(ctx));
    ASSERT_TRUE(seen(ctx, "run_status"));
  }
  EXPECT_TRUE(unavailable(ctx, "run_status"));
  EXPECT_TRUE(unavailable(ctx, "X_work"));
  EXPECT_TRUE(unavailable(ctx, "alarms"));
  EXPECT_TRUE(waitUntil(
      [&] { return ctx.latest("connection_status") == model::Value(std::string("CLOSED")); }, 5s));
  Controls again({SystemType::kM700M}, 1, 1, port);
  EXPECT_TRUE(seen(ctx, "run_status"));
  EXPECT_TRUE(seen(ctx, "X_work"));
  collector->stop();
}

TEST(MitsubishiCollector, CutGarbageAndHungRepliesResetOnlyThatMachine) {
  Controls controls({SystemType::kM700M}, 1, 2);
  FakeContext broken("broken");
  FakeContext healthy("healthy");
  MitsubishiCollector a(options(controls.port(0)));
  MitsubishiCollector b(options(controls.port(1)));
  ASSERT_TRUE(a.start(broken));
  ASSERT_TRUE(b.start(healthy));
  ASSERT_TRUE(seen(broken, "run_status"));
  ASSERT_TRUE(seen(healthy, "run_status"));
  controls.sim->server(0).truncateNextReply();
  EXPECT_TRUE(unavailable(broken, "run_status"));
  EXPECT_TRUE(seen(broken, "run_status"));
  controls.sim->server(0).garbageNextReply();
  EXPECT_TRUE(unavailable(broken, "run_status"));
  EXPECT_TRUE(seen(broken, "run_status"));
  controls.sim->server(0).setSilent(true);  // a hung NC: requests read, never answered
  EXPECT_TRUE(unavailable(broken, "run_status"));
  EXPECT_NE(broken.stateDetail().find("no answer"), std::string::npos) << broken.stateDetail();
  const auto before = healthy.observations().size();
  EXPECT_TRUE(waitUntil([&] { return healthy.observations().size() > before + 20; }, 5s));
  EXPECT_TRUE(healthy.latest("run_status").has_value() &&
              !std::holds_alternative<model::Unavailable>(*healthy.latest("run_status")));
  controls.sim->server(0).setSilent(false);
  EXPECT_TRUE(seen(broken, "run_status"));
  a.stop();
  b.stop();
}

TEST(MitsubishiCollector, StandingFaultsAreSurvivedAgainAndAgain) {
  Controls controls({SystemType::kM700L}, 1, 1, 0, [](sim::MitsubishiSimOptions& o) {
    o.cutEvery = 97;
    o.garbageEvery = 151;
    o.dropEvery = 700ms;
    o.replyDelay = 1ms;
  });
  FakeContext ctx;
  MitsubishiCollector collector(options(controls.port(), SystemType::kM700L));
  ASSERT_TRUE(collector.start(ctx));
  EXPECT_TRUE(waitUntil([&] { return ctx.stateCount(ConnectionState::kBackoff) >= 4; }, 15s));
  EXPECT_TRUE(seen(ctx, "run_status"));
  EXPECT_TRUE(seen(ctx, "X_work"));
  collector.stop();
}

TEST(MitsubishiCollector, MalformedScriptKeysAndForeignPartSystemsAreRefusedAtStart) {
  FakeContext ctx;
  ctx.setScript(script("version: 2\nkeys: [plc_M100]\n"));
  MitsubishiCollector bad(options(1));
  EXPECT_FALSE(bad.start(ctx).ok());
  FakeContext other;
  other.setScript(script("version: 2\nkeys: [p3_ez_35_10]\n"));
  MitsubishiCollector foreign(options(1));
  auto s = foreign.start(other);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().describe().find("part system 3"), std::string::npos);
}

}  // namespace
}  // namespace spindle::collectors::mitsubishi
