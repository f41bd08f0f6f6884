// The collector against the FOCAS simulator (sim/focas_sim) on loopback: the three series, two
// paths, an alarm raised and cleared with its text, the control killed and back, all session
// slots taken, a reply cut mid sub-packet, garbage, one machine never stalling another, and
// the script's macro writes.

#include "collectors/focas/focas_collector.hpp"

#include <cmath>
#include <future>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "collectors/focas/focas_reads.hpp"
#include "collectors/focas/testing/focas_controls.hpp"
#include "collectors/testing/fake_context.hpp"
#include "collectors/testing/wait_for_value.hpp"
#include "collectors/testing/wait_until.hpp"
#include "sim/focas_sim.hpp"
#include "transform/script_loader.hpp"

namespace spindle::collectors::focas {
namespace {

using namespace std::chrono_literals;
using testing::FakeContext;
using testing::seen;
using testing::unavailable;
using testing::waitUntil;

using Controls = testing::FocasControls;
constexpr auto script = testing::compiledScript;

FocasOptions options(std::uint16_t port, std::vector<std::uint16_t> paths = {1}) {
  FocasOptions o;
  o.host = "127.0.0.1";
  o.port.value = port;
  o.pollInterval = 20ms;
  o.slowInterval = 60ms;
  o.readTimeout = 300ms;
  o.reconnectMin = 50ms;
  o.reconnectMax = 200ms;
  o.pathNumbers = paths;
  return o;
}

const char* kScript = R"(version: 2
keys: [param_6711, macro_3901, diag_308_1, pmc_D2204_word, p2_param_6711]
passthrough: true
)";

TEST(FocasCollector, EverySeriesReportsTheMonitoringSetAndDropsWhatItRefuses) {
  for (auto series : {sim::FocasSeries::k0i, sim::FocasSeries::k16i, sim::FocasSeries::k30i}) {
    SCOPED_TRACE(std::string(sim::focasSeriesName(series)));
    Controls controls({series});
    FakeContext ctx;
    ctx.setScript(
        script("version: 2\nkeys: [param_6711, macro_3901, diag_308_1, pmc_D2204_word]\n"
               "passthrough: true\n"));
    FocasCollector collector(options(controls.port()));
    ASSERT_TRUE(collector.start(ctx));
    for (const char* key : {"run", "aut", "program", "feed", "spindle_speed", "X_abs", "Z_load",
                            "param_6711", "macro_3901", "diag_308_1", "pmc_D2204_word",
                            "timer_power_on", "X_machine", "Z_decimals", "cnc_date", "cnc_time"}) {
      EXPECT_TRUE(seen(ctx, key)) << key;
    }
    // The axes' number format (IS-C on the simulated 30i) and the control's clock.
    EXPECT_EQ(ctx.latest("Z_decimals"),
              model::Value(std::int64_t{series == sim::FocasSeries::k30i ? 4 : 3}));
    EXPECT_EQ(ctx.latest("cnc_date"), model::Value(std::string("2026-01-01")));
    const auto time = ctx.latest("cnc_time");
    ASSERT_TRUE(time && std::holds_alternative<std::string>(*time));
    EXPECT_EQ(std::get<std::string>(*time).size(), 8u);
    EXPECT_EQ(ctx.latest("pmc_D2204_word"), model::Value(std::int64_t{600}));
    // Parameter 6711 and macro #3901 both hold the part count, read in the same slow frame.
    EXPECT_TRUE(waitUntil(
        [&] {
          auto p = ctx.latest("param_6711");
          auto m = ctx.latest("macro_3901");
          return p && m && std::holds_alternative<std::int64_t>(*p) &&
                 std::holds_alternative<double>(*m) &&
                 static_cast<double>(std::get<std::int64_t>(*p)) == std::get<double>(*m);
        },
        5s));
    // 16i refuses the 30i program name and path and distance to go, 0i the executing block
    // and the program path; the 30i answers everything asked.
    if (series != sim::FocasSeries::k30i) {
      ASSERT_TRUE(waitUntil([&] { return collector.stats().refused > 0; }, 5s));
    }
    const auto refused = collector.stats().refused;
    const auto calls = controls.sim->server(0).calls();
    // Several slow rounds later nothing refused has been asked again.
    EXPECT_TRUE(waitUntil([&] { return controls.sim->server(0).calls() > calls + 200; }, 5s));
    EXPECT_EQ(collector.stats().refused, refused);
    if (series == sim::FocasSeries::k30i) {
      EXPECT_TRUE(seen(ctx, "program_path"));
      EXPECT_EQ(refused, 0u);
    }
    if (series == sim::FocasSeries::k16i) {
      EXPECT_TRUE(unavailable(ctx, "X_dtg"));
      // The state detail names the series and what the control does not support.
      EXPECT_TRUE(waitUntil(
          [&] {
            const auto d = ctx.stateDetail();
            return d.find("16") != std::string::npos &&
                   d.find("position type 7 (EW_NOOPT)") != std::string::npos &&
                   d.find("program name (EW_FUNC)") != std::string::npos;
          },
          5s))
          << ctx.stateDetail();
    }
    if (series == sim::FocasSeries::k0i) {
      EXPECT_TRUE(unavailable(ctx, "block"));
    }
    collector.stop();
  }
}

TEST(FocasCollector, TwoPathsInOneSessionAndAlarmsWithText) {
  Controls controls({sim::FocasSeries::k30i}, 2);
  FakeContext ctx;
  ctx.setScript(script(kScript));
  FocasCollector collector(options(controls.port(), {1, 2}));
  ASSERT_TRUE(collector.start(ctx));
  EXPECT_TRUE(seen(ctx, "p2_run"));
  EXPECT_TRUE(seen(ctx, "p2_X_abs"));
  EXPECT_TRUE(seen(ctx, "p2_param_6711"));
  EXPECT_EQ(controls.sim->server(0).sessions(), 1);

  controls.sim->server(0).withControl(
      [](sim::FocasControl& c) { c.raiseAlarm(2, 1001, "SPINDLE OVERLOAD"); });
  auto alarm = [&](model::Level level) {
    return testing::conditionSeen(ctx, "p2_alarms", "1001", level, "SPINDLE OVERLOAD");
  };
  EXPECT_TRUE(alarm(model::Level::kFault));
  controls.sim->server(0).withControl([](sim::FocasControl& c) { c.clearAlarms(2); });
  EXPECT_TRUE(alarm(model::Level::kNormal));
  collector.stop();
}

TEST(FocasCollector, ControlGoneIsUnavailableThenBack) {
  std::uint16_t port = 0;
  FakeContext ctx;
  std::unique_ptr<FocasCollector> collector;
  {
    Controls controls({sim::FocasSeries::k16i});
    port = controls.port();
    collector = std::make_unique<FocasCollector>(options(port));
    ASSERT_TRUE(collector->start(ctx));
    ASSERT_TRUE(seen(ctx, "run"));
  }
  EXPECT_TRUE(unavailable(ctx, "run"));
  EXPECT_TRUE(unavailable(ctx, "X_abs"));
  EXPECT_TRUE(unavailable(ctx, "alarms"));
  const auto gone = ctx.observations().size();
  Controls again({sim::FocasSeries::k16i}, 1, 1, port);
  EXPECT_TRUE(seen(ctx, "run"));
  // The alarm condition is known again (all clear, or the alarms the control shows).
  EXPECT_TRUE(waitUntil(
      [&] {
        const auto obs = ctx.observations();
        for (std::size_t i = gone; i < obs.size(); ++i) {
          if (ctx.catalog().item(obs[i].item).key == "alarms" &&
              !std::holds_alternative<model::Unavailable>(obs[i].value)) {
            return true;
          }
        }
        return false;
      },
      5s));
  collector->stop();
}

TEST(FocasCollector, SlotsFullRetriesUntilOneFrees) {
  Controls controls({sim::FocasSeries::k30i}, 1, 1, 0, 1);
  FakeContext first("a");
  FakeContext second("b");
  FocasCollector a(options(controls.port()));
  ASSERT_TRUE(a.start(first));
  ASSERT_TRUE(seen(first, "run"));
  FocasCollector b(options(controls.port()));
  ASSERT_TRUE(b.start(second));
  EXPECT_TRUE(waitUntil([&] { return second.stateCount(ConnectionState::kBackoff) >= 2; }, 5s));
  EXPECT_FALSE(second.latest("run").has_value());
  EXPECT_NE(second.stateDetail().find("FOCAS sessions in use"), std::string::npos)
      << second.stateDetail();
  EXPECT_GE(controls.sim->server(0).refused(), 2u);
  a.stop();  // frees the slot (close frame)
  EXPECT_TRUE(seen(second, "run"));
  b.stop();
}

TEST(FocasCollector, CutReplyAndGarbageResetTheSessionAndAnotherMachineKeepsFlowing) {
  Controls controls({sim::FocasSeries::k30i}, 1, 2);
  FakeContext broken("broken");
  FakeContext healthy("healthy");
  FocasCollector a(options(controls.port(0)));
  FocasCollector b(options(controls.port(1)));
  ASSERT_TRUE(a.start(broken));
  ASSERT_TRUE(b.start(healthy));
  ASSERT_TRUE(seen(broken, "run"));
  ASSERT_TRUE(seen(healthy, "run"));
  controls.sim->server(0).truncateNextReply();
  EXPECT_TRUE(unavailable(broken, "run"));
  EXPECT_TRUE(seen(broken, "run"));
  controls.sim->server(0).garbageNextReply();
  EXPECT_TRUE(unavailable(broken, "run"));
  EXPECT_TRUE(seen(broken, "run"));
  controls.sim->server(0).setReplyDelay(1s);  // slower than read_timeout: dropped, retried
  EXPECT_TRUE(unavailable(broken, "run"));
  const auto before = healthy.observations().size();
  EXPECT_TRUE(waitUntil([&] { return healthy.observations().size() > before + 20; }, 5s));
  EXPECT_TRUE(healthy.latest("run").has_value() &&
              !std::holds_alternative<model::Unavailable>(*healthy.latest("run")));
  controls.sim->server(0).setReplyDelay(0ms);
  EXPECT_TRUE(seen(broken, "run"));
  a.stop();
  b.stop();
}

// The simulator's standing faults (spindle sim --focas-cut-every, --focas-garbage-every,
// --focas-drop-every, --focas-delay): the collector resets and comes back every time.
TEST(FocasCollector, StandingFaultsAreSurvivedAgainAndAgain) {
  Controls controls({sim::FocasSeries::k30i}, 1, 1, 0, 5, [](sim::FocasSimOptions& o) {
    o.cutEvery = 23;
    o.garbageEvery = 37;
    o.dropEvery = 700ms;
    o.replyDelay = 5ms;
  });
  FakeContext ctx;
  FocasCollector collector(options(controls.port()));
  ASSERT_TRUE(collector.start(ctx));
  EXPECT_TRUE(waitUntil([&] { return ctx.stateCount(ConnectionState::kBackoff) >= 6; }, 15s));
  EXPECT_TRUE(seen(ctx, "run"));
  EXPECT_TRUE(seen(ctx, "X_abs"));
  collector.stop();
}

TEST(FocasCollector, SplitRepliesAreReassembled) {
  Controls controls({sim::FocasSeries::k30i});
  controls.sim->server(0).setSplitBytes(7);
  FakeContext ctx;
  FocasCollector collector(options(controls.port()));
  ASSERT_TRUE(collector.start(ctx));
  EXPECT_TRUE(seen(ctx, "Z_abs"));
  EXPECT_TRUE(seen(ctx, "timer_cycle"));
  collector.stop();
}

Status writeNow(FocasCollector& c, const std::string& key, model::Value v) {
  std::promise<Status> done;
  auto answered = done.get_future();
  c.write(key, std::move(v), [&](Status s) { done.set_value(std::move(s)); });
  if (answered.wait_for(10s) != std::future_status::ready) {
    return Error(ErrorCode::kTimeout, "the write was never answered");
  }
  return answered.get();
}

double macroOf(Controls& controls, std::int32_t n) {
  double v = 0;
  controls.sim->server(0).withControl([&](sim::FocasControl& c) { v = c.macro(n); });
  return v;
}

// A script's writes of macro variables: behind allow_write, asked before the control is up
// (written once it is), refused by a write-protected control (said, not retried), and written
// again when the control comes back after a restart.
TEST(FocasCollector, WritesMacroVariablesAndWritesThemAgainAfterARestart) {
  FakeContext ctx;
  {
    FocasCollector off(options(1));
    ASSERT_TRUE(off.start(ctx));
    const auto refused = writeNow(off, "macro_500", 1.0);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message().find("allow_write"), std::string::npos);
    off.stop();
  }
  std::uint16_t port = 0;
  auto o = options(0);
  o.allowWrite = true;
  std::unique_ptr<FocasCollector> collector;
  {
    Controls controls({sim::FocasSeries::k30i}, 2);
    port = controls.port();
    o.port.value = port;
    o.pathNumbers = {1, 2};
    collector = std::make_unique<FocasCollector>(o);
    FakeContext live;
    ASSERT_TRUE(collector->start(live));
    // Asked at once: the session is not open yet, so it waits for the control.
    EXPECT_TRUE(writeNow(*collector, "macro_500", 21.5).ok());
    EXPECT_DOUBLE_EQ(macroOf(controls, 500), 21.5);
    EXPECT_TRUE(writeNow(*collector, "macro_501", std::int64_t{-3}).ok());
    EXPECT_DOUBLE_EQ(macroOf(controls, 501), -3.0);
    EXPECT_NE(writeNow(*collector, "param_6711", 1.0).error().message().find("no macro variable"),
              std::string::npos);
    EXPECT_NE(writeNow(*collector, "p3_macro_500", 1.0).error().message().find("path 3"),
              std::string::npos);
    EXPECT_TRUE(writeNow(*collector, "p2_macro_100", 7.0).ok());

    controls.sim->server(0).withControl([](sim::FocasControl& c) { c.setWriteProtected(true); });
    const auto prot = writeNow(*collector, "macro_502", 2.0);
    ASSERT_FALSE(prot.ok());
    EXPECT_NE(prot.error().message().find("EW_PROT"), std::string::npos) << prot.error().message();
    EXPECT_TRUE(std::isnan(macroOf(controls, 502)));
    controls.sim->server(0).withControl([](sim::FocasControl& c) { c.setWriteProtected(false); });
    collector->stop();
    // Restarted with the same values wanted: a fresh control gets them again.
    collector = std::make_unique<FocasCollector>(o);
    ASSERT_TRUE(collector->start(ctx));
    EXPECT_TRUE(writeNow(*collector, "macro_500", 33.0).ok());
    EXPECT_TRUE(seen(ctx, "run"));
  }
  // The control restarted: its macros are gone; the collector writes what is wanted again.
  Controls again({sim::FocasSeries::k30i}, 2, 1, port);
  EXPECT_TRUE(seen(ctx, "run"));
  EXPECT_TRUE(waitUntil([&] { return macroOf(again, 500) == 33.0; }, 5s));
  collector->stop();
  EXPECT_EQ(writeNow(*collector, "macro_500", 1.0).error().code(), ErrorCode::kUnavailable);
}

TEST(FocasCollector, MalformedScriptKeysAndForeignPathsAreRefusedAtStart) {
  FakeContext ctx;
  ctx.setScript(script("version: 2\nkeys: [pmc_Q1_word]\n"));
  FocasCollector bad(options(1));
  EXPECT_FALSE(bad.start(ctx).ok());
  FakeContext other;
  other.setScript(script("version: 2\nkeys: [p3_param_6711]\n"));
  FocasCollector foreign(options(1));
  auto s = foreign.start(other);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().describe().find("path 3"), std::string::npos);
}

}  // namespace
}  // namespace spindle::collectors::focas
