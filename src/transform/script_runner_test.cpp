#include "transform/script_runner.hpp"

#include <chrono>

#include <gtest/gtest.h>

#include "transform/script_loader.hpp"

namespace spindle::transform {
namespace {

constexpr TimestampNs kT0 = 1704067200LL * 1'000'000'000;
constexpr TimestampNs kSecond = 1'000'000'000;

class FakeClock final : public Clock {
 public:
  TimestampNs now() const override { return m_now; }
  TimestampNs m_now = kT0;
};

std::shared_ptr<const CompiledScript> compile(const std::string& yaml) {
  auto r = compileScript(yaml, "test.yaml");
  EXPECT_TRUE(r.ok()) << r.error().message();
  return r.ok() ? *r : nullptr;
}

class TransformScriptRunnerTest : public ::testing::Test {
 protected:
  model::Observation obs(const std::string& key, model::Value v, TimestampNs at = kT0,
                         model::MachineId machine = 0) {
    return model::Observation{machine,
                              m_catalog.intern(machine, key).value(),
                              at,
                              model::Kind::kEvent,
                              model::kFlagNone,
                              std::move(v)};
  }
  std::string key(const model::Observation& o) { return std::string(m_catalog.item(o.item).key); }

  FakeClock m_clock;
  model::ItemCatalog m_catalog;
  model::MachineId m_machine = m_catalog.addMachine("mill");
};

TEST_F(TransformScriptRunnerTest, StartsOnFirstCallAndDescribesItsOutputs) {
  auto script = compile(R"(version: 2
keys: [s]
data-items:
  - spindle_speed: {source: s, category: sample, type: rotary_velocity, units: REVOLUTION/MINUTE}
conditions:
  hot: {message: Hot, value: {FAULT: s > 100}}
)");
  ScriptRunner runner(script, m_catalog, m_machine, m_clock);
  EXPECT_EQ(runner.nextDeadline(), kT0);  // not started: tick now
  ASSERT_EQ(runner.outputItems().size(), 2u);
  const OutputItem& speed = runner.outputItems()[0];
  EXPECT_EQ(speed.key, "spindle_speed");
  EXPECT_EQ(speed.kind, model::Kind::kSample);
  EXPECT_EQ(m_catalog.item(speed.item).key, "spindle_speed");
  EXPECT_EQ(m_catalog.item(speed.item).type, "ROTARY_VELOCITY");
  EXPECT_EQ(m_catalog.item(speed.item).units, "REVOLUTION/MINUTE");
  EXPECT_EQ(m_catalog.kind(speed.item), model::Kind::kSample);
  EXPECT_EQ(runner.outputItems()[1].kind, model::Kind::kCondition);
  EXPECT_EQ(m_catalog.kind(runner.outputItems()[1].item), model::Kind::kCondition);

  model::Batch out;
  runner.tick(out);
  ASSERT_EQ(out.size(), 2u);  // both UNAVAILABLE until s arrives
  EXPECT_TRUE(model::isUnavailable(out[0].value));
  EXPECT_EQ(runner.nextDeadline(), kNever);
}

TEST_F(TransformScriptRunnerTest, ForwardsOtherMachinesUntouched) {
  auto script = compile("version: 2\nkeys: [a]\npassthrough: false\ndata-items: [a]\n");
  ScriptRunner runner(script, m_catalog, m_machine, m_clock);
  const auto other = m_catalog.addMachine("lathe");
  model::Batch in{obs("a", std::int64_t{1}), obs("a", std::int64_t{2}, kT0, other)};
  model::Batch out;
  runner.process(in, out);
  ASSERT_EQ(out.size(), 3u);  // a=UNAVAILABLE at start, the other machine's a, then a=1
  EXPECT_EQ(out[1].machine, other);
  EXPECT_EQ(out[2].value, model::Value(std::int64_t{1}));
  EXPECT_EQ(runner.stats().observations, 1u);
}

TEST_F(TransformScriptRunnerTest, OneCompiledScriptServesManyMachinesWithTheirOwnState) {
  auto script = compile(R"(version: 2
keys: [p]
variables:
  parts: [{source: p}, count]
data-items: [parts]
)");
  const auto lathe = m_catalog.addMachine("lathe");
  ScriptRunner a(script, m_catalog, m_machine, m_clock);
  ScriptRunner b(script, m_catalog, lathe, m_clock);
  model::Batch out;
  for (bool v : {false, true, false, true}) {
    a.process({obs("p", v)}, out);
  }
  b.process({obs("p", false, kT0, lathe)}, out);
  b.process({obs("p", true, kT0, lathe)}, out);
  ASSERT_FALSE(out.empty());
  std::map<model::MachineId, model::Value> last;
  for (const auto& o : out) last[o.machine] = o.value;
  EXPECT_EQ(last[m_machine], model::Value(std::int64_t{2}));
  EXPECT_EQ(last[lathe], model::Value(std::int64_t{1}));
  EXPECT_NE(a.outputItems()[0].item, b.outputItems()[0].item);
}

TEST_F(TransformScriptRunnerTest, StatsCountErrorsAndAreVisibleFromOtherThreads) {
  auto script = compile("version: 2\nkeys: [a, b]\ndata-items:\n  - ratio: a / b\n");
  ScriptRunner runner(script, m_catalog, m_machine, m_clock);
  model::Batch out;
  runner.process({obs("a", std::int64_t{1}), obs("b", std::int64_t{0})}, out);
  const ScriptStats stats = runner.statsSnapshot();
  EXPECT_EQ(stats.errors, 1u);
  EXPECT_EQ(stats.errorsByKind[static_cast<std::size_t>(RuntimeErrorKind::kDivideByZero)], 1u);
  EXPECT_EQ(stats.lastError, "data item 'ratio': division by zero");
  EXPECT_EQ(stats.lastErrorTime, kT0);
  EXPECT_EQ(stats.inputs, 2u);
  EXPECT_TRUE(model::isUnavailable(out.back().value));
}

// A clock that jumps ten days ahead must not hold the pipeline: each call does a bounded
// amount of work and lands on the latest state.
TEST_F(TransformScriptRunnerTest, AClockJumpNeverStalls) {
  auto script = compile(R"(version: 2
keys: [x]
generators:
  ms: {type: counter, interval: 1ms}
variables:
  fast:
    - source: x
    - resample: 1ms
data-items: [ms, fast]
)");
  ScriptRunner runner(script, m_catalog, m_machine, m_clock);
  model::Batch out;
  runner.process({obs("x", std::int64_t{1})}, out);
  m_clock.m_now += 10LL * 24 * 3600 * kSecond;
  out.clear();
  const auto started = std::chrono::steady_clock::now();
  runner.tick(out);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
  ASSERT_FALSE(out.empty());
  EXPECT_LE(out.size(), 4u);
  EXPECT_EQ(out.back().timestamp, m_clock.m_now);
  EXPECT_GT(runner.nextDeadline(), m_clock.m_now);
  EXPECT_LE(runner.nextDeadline(), m_clock.m_now + kSecond / 1000);
}

TEST_F(TransformScriptRunnerTest, OutputsKeepTheUntrustedClockFlagOfTheirInput) {
  auto script = compile("version: 2\nkeys: [a]\ndata-items:\n  - b: a + 1\n");
  ScriptRunner runner(script, m_catalog, m_machine, m_clock);
  model::Batch out;
  auto o = obs("a", std::int64_t{1});
  o.flags = model::kFlagUntrustedClock;
  runner.process({o}, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].flags, model::kFlagUntrustedClock);
}

TEST_F(TransformScriptRunnerTest, MessagesAndVectorsBecomeTheirModelValues) {
  auto script = compile(R"(version: 2
keys: [m, pos]
data-items:
  - note: {source: m, type: MESSAGE}
  - text: {source: "'plain'", type: message}
  - x: pos[0]
  - pos
)");
  ScriptRunner runner(script, m_catalog, m_machine, m_clock);
  model::Batch out;
  runner.process({obs("m", std::make_shared<const model::Message>(model::Message{"M1", "Hi"})),
                  obs("pos", std::vector<double>{1.5, 2, 3})},
                 out);
  std::map<std::string, model::Observation> last;
  for (const auto& o : out) last[key(o)] = o;
  const auto* note = std::get_if<std::shared_ptr<const model::Message>>(&last["note"].value);
  ASSERT_NE(note, nullptr);
  EXPECT_EQ((*note)->nativeCode, "M1");
  EXPECT_EQ(last["note"].kind, model::Kind::kMessage);
  const auto* text = std::get_if<std::shared_ptr<const model::Message>>(&last["text"].value);
  ASSERT_NE(text, nullptr);
  EXPECT_EQ((*text)->text, "plain");
  EXPECT_EQ(last["x"].value, model::Value(1.5));
  EXPECT_EQ(last["pos"].value, model::Value(std::vector<double>{1.5, 2, 3}));
}

}  // namespace
}  // namespace spindle::transform
