// The focas collector with `fwlib:` (the stand-in FOCAS library) against the FOCAS simulator on
// loopback: spindle loads and the script's tool offsets as items, a missing file refused at
// validate and at start, a library without cnc_rdtofs said once, and a library call that blocks
// stalling neither the machine's native polls nor another machine.

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "collectors/focas/focas_collector.hpp"
#include "collectors/focas/focas_fwlib_poller.hpp"
#include "collectors/focas/fwlib/testing/standin_knobs.hpp"
#include "collectors/focas/fwlib/testing/standin_paths.hpp"
#include "collectors/focas/testing/focas_controls.hpp"
#include "collectors/registry.hpp"
#include "collectors/testing/fake_context.hpp"
#include "collectors/testing/wait_until.hpp"
#include "sim/focas_sim.hpp"
#include "transform/script_loader.hpp"

namespace spindle::collectors::focas {
namespace {

using namespace std::chrono_literals;
using testing::FakeContext;
using testing::waitUntil;
namespace standin = fwlib::testing;

/// Simulated 30i controls on their own io thread.
struct Controls : testing::FocasControls {
  explicit Controls(int machines = 1)
      : testing::FocasControls({sim::FocasSeries::k30i}, 1, machines) {}
};
constexpr auto script = testing::compiledScript;

FocasOptions options(std::uint16_t port, const std::filesystem::path& library) {
  FocasOptions o;
  o.host = "127.0.0.1";
  o.port.value = port;
  o.pollInterval = 20ms;
  o.slowInterval = 60ms;
  o.readTimeout = 300ms;
  o.reconnectMin = 50ms;
  o.reconnectMax = 200ms;
  o.pathNumbers = {1};
  o.fwlib = library.string();
  return o;
}

bool is(FakeContext& ctx, const std::string& key, const model::Value& value) {
  return waitUntil([&] { return ctx.latest(key) == value; }, 5s);
}

bool unavailable(FakeContext& ctx, const std::string& key) {
  return is(ctx, key, model::Value(model::Unavailable{}));
}

std::size_t count(FakeContext& ctx, const std::string& key) {
  std::size_t n = 0;
  for (const auto& o : ctx.observations()) n += ctx.catalog().item(o.item).key == key ? 1 : 0;
  return n;
}

std::size_t occurrences(const std::string& text, const std::string& word) {
  std::size_t n = 0;
  for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++n;
  return n;
}

TEST(FocasFwlib, SpindleLoadsAndTheScriptsToolOffsetsBesideTheNativeItems) {
  standin::StandinKnobs knobs(standin::standinLibrary());
  Controls controls;
  FakeContext ctx;
  ctx.setScript(
      script("version: 2\nkeys: [run, tool_offset_3, tool_offset_12]\n"
             "passthrough: true\n"));
  FocasCollector collector(options(controls.port(), standin::standinLibrary()));
  ASSERT_TRUE(collector.start(ctx));
  EXPECT_TRUE(waitUntil([&] { return ctx.latest("run").has_value(); }, 5s));
  // The stand-in library reports loads 42 and 7; the simulated control has one spindle.
  EXPECT_TRUE(is(ctx, "spindle_load_1", std::int64_t{42}));
  EXPECT_TRUE(is(ctx, "tool_offset_3_length_geometry", 30.305));
  EXPECT_TRUE(is(ctx, "tool_offset_3_length_wear", -30.205));
  EXPECT_TRUE(is(ctx, "tool_offset_3_radius_geometry", 30.105));
  EXPECT_TRUE(is(ctx, "tool_offset_12_radius_wear", -120.005));
  EXPECT_TRUE(is(ctx, "tool_offset_12_length_geometry", 120.305));
  EXPECT_EQ(count(ctx, "spindle_load_2"), 0u);
  EXPECT_EQ(count(ctx, "tool_offset_1_radius_wear"), 0u);  // only the tools the script names
  EXPECT_EQ(knobs.openHandles(), 1);
  collector.stop();
  EXPECT_TRUE(waitUntil([&] { return knobs.openHandles() == 0; }, 5s));
}

TEST(FocasFwlib, MachinesShareOneLoadOfAFile) {
  standin::StandinKnobs knobs(standin::standinLibrary());
  auto a = sharedFwlib(standin::standinLibrary().string());
  ASSERT_TRUE(a.ok()) << a.error().describe();
  const int startups = knobs.startups();
  auto b = sharedFwlib(standin::standinLibrary().string());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->get(), b->get());
  EXPECT_EQ(knobs.startups(), startups);  // started once per file, not per machine
}

TEST(FocasFwlib, AMissingFileIsAValidateErrorAndAStartError) {
  const std::string missing = "/nonexistent/spindle-test/libfwlib32.so";
  Registry registry;
  registerCollector(registry);
  const auto* info = registry.find("focas");
  ASSERT_NE(info, nullptr);
  auto problems = [&](const std::string& yaml) {
    config::Diagnostics diags;
    info->create(YAML::Load(yaml), "m", diags);
    return diags.describe();
  };
  EXPECT_EQ(problems("{id: m, type: focas, host: 10.0.0.5, fwlib: " +
                     standin::standinLibrary().string() + "}"),
            "");
  EXPECT_NE(problems("{id: m, type: focas, host: 10.0.0.5, fwlib: " + missing + "}")
                .find("fwlib '" + missing + "' is not a readable file"),
            std::string::npos);
  EXPECT_NE(problems("{id: m, type: focas, host: 10.0.0.5, fwlib: /tmp}").find("fwlib '/tmp'"),
            std::string::npos);

  FakeContext ctx;
  FocasCollector collector(options(1, missing));
  const Status started = collector.start(ctx);
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().describe().find(missing), std::string::npos)
      << started.error().describe();
  // A file that is there but not a library is refused at start with its path too.
  FocasCollector notLibrary(options(1, "/proc/self/status"));
  const Status refused = notLibrary.start(ctx);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().describe().find("/proc/self/status"), std::string::npos);
}

TEST(FocasFwlib, MalformedToolKeysAreRefused) {
  FakeContext ctx;
  ctx.setScript(script("version: 2\nkeys: [tool_offset_x]\n"));
  FocasCollector collector(options(1, standin::standinLibrary()));
  const Status s = collector.start(ctx);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().describe().find("tool_offset_x"), std::string::npos);
}

TEST(FocasFwlib, ALibraryWithoutToolOffsetsSaysSoOnceAndTheRestFlows) {
  standin::StandinKnobs knobs(standin::standinWithoutRdtofs());
  Controls controls;
  FakeContext ctx;
  ctx.setScript(script("version: 2\nkeys: [tool_offset_1, tool_offset_2]\npassthrough: true\n"));
  FocasCollector collector(options(controls.port(), standin::standinWithoutRdtofs()));
  ASSERT_TRUE(collector.start(ctx));
  EXPECT_TRUE(is(ctx, "spindle_load_1", std::int64_t{42}));
  EXPECT_TRUE(unavailable(ctx, "tool_offset_1_length_wear"));
  EXPECT_TRUE(unavailable(ctx, "tool_offset_2_radius_geometry"));
  EXPECT_TRUE(
      waitUntil([&] { return ctx.stateDetail().find("cnc_rdtofs") != std::string::npos; }, 5s))
      << ctx.stateDetail();
  // Several slow rounds later: said once, never asked again, and the native items still flow.
  const auto offsets = count(ctx, "tool_offset_1_length_wear");
  const auto before = ctx.observations().size();
  EXPECT_TRUE(waitUntil([&] { return ctx.observations().size() > before + 50; }, 5s));
  EXPECT_EQ(count(ctx, "tool_offset_1_length_wear"), offsets);
  EXPECT_EQ(occurrences(ctx.stateDetail(), "cnc_rdtofs"), 1u) << ctx.stateDetail();
  EXPECT_EQ(ctx.latest("spindle_load_1"), model::Value(std::int64_t{42}));
  collector.stop();
}

TEST(FocasFwlib, ABlockedLibraryCallStallsNeitherTheNativePollsNorAnotherMachine) {
  standin::StandinKnobs stuck(standin::standinLibrary());
  standin::StandinKnobs other(standin::standinWithoutRdtofs());
  Controls controls(2);
  FakeContext blocked("blocked");
  FakeContext healthy("healthy");
  FocasCollector a(options(controls.port(0), standin::standinLibrary()));
  FocasCollector b(options(controls.port(1), standin::standinWithoutRdtofs()));
  ASSERT_TRUE(a.start(blocked));
  ASSERT_TRUE(b.start(healthy));
  ASSERT_TRUE(is(blocked, "spindle_load_1", std::int64_t{42}));
  ASSERT_TRUE(is(healthy, "spindle_load_1", std::int64_t{42}));

  stuck.set("", "cnc_rdspload", 0, 2000);  // far beyond read_timeout (300 ms)
  EXPECT_TRUE(unavailable(blocked, "spindle_load_1"));
  // While the library call hangs, the native polls of the same machine and the other machine
  // (its native items and its own library session) keep going.
  const auto mine = blocked.observations().size();
  const auto theirs = healthy.observations().size();
  const auto theirLoads = count(healthy, "spindle_load_1");
  EXPECT_TRUE(waitUntil(
      [&] {
        return blocked.observations().size() > mine + 20 &&
               healthy.observations().size() > theirs + 20;
      },
      5s));
  EXPECT_EQ(healthy.latest("spindle_load_1"), model::Value(std::int64_t{42}));
  EXPECT_EQ(count(healthy, "spindle_load_1"), theirLoads);  // never made UNAVAILABLE
  EXPECT_TRUE(waitUntil(
      [&] { return blocked.stateDetail().find("cnc_rdspload") != std::string::npos; }, 5s))
      << blocked.stateDetail();

  stuck.set("", "cnc_rdspload", 0, 0);
  EXPECT_TRUE(is(blocked, "spindle_load_1", std::int64_t{42}));  // a new session, reconnected
  a.stop();
  b.stop();
  // The calls that overran finish on their own threads and free their handles; wait for them so
  // that the next test finds the stand-in idle and unloaded.
  EXPECT_TRUE(waitUntil([&] { return stuck.running() == 0 && stuck.openHandles() == 0; }, 10s));
  auto idle = sharedFwlib(standin::standinLibrary().string());
  ASSERT_TRUE(idle.ok());
  EXPECT_TRUE(waitUntil([&] { return idle->use_count() == 1; }, 10s));  // no session holds it
}

}  // namespace
}  // namespace spindle::collectors::focas
