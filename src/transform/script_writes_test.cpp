// The `writes` section: what a script may write (holding registers, coils and keys of its own;
// which keys is the collector's to say), and when the runner asks for a write (each change to a
// value, never UNAVAILABLE).

#include <gtest/gtest.h>

#include "transform/script_loader.hpp"
#include "transform/script_runner.hpp"

namespace spindle::transform {
namespace {

constexpr TimestampNs kT0 = 1704067200LL * 1'000'000'000;

class FixedClock final : public Clock {
 public:
  TimestampNs now() const override { return kT0; }
};

std::string problemsOf(const std::string& yaml) {
  auto out = compileScriptDiagnostics(yaml, "s.yaml");
  std::string all;
  for (const auto& d : out.diagnostics.items()) all += d.describe() + "\n";
  EXPECT_EQ(out.script == nullptr, !all.empty());
  return all;
}

const std::string kInputs = R"(version: 2
registers:
  temp: {ref: 30001}
  setpoint: {ref: 40010, type: float32, scale: 0.1}
  flags: {ref: 40020, bit: 3}
coils:
  lamp: 0
  door: {ref: 10001}
keys: [alarm]
)";

TEST(TransformScriptWrites, LoadsHoldingRegistersAndCoilsWithTheirExpressions) {
  auto compiled = compileScript(kInputs + R"(writes:
  lamp: alarm == "ON"
  setpoint: {value: "temp * 2"}
data-items: [temp]
)",
                                "s.yaml");
  ASSERT_TRUE(compiled) << compiled.error().describe();
  const auto& writes = (*compiled)->writes();
  ASSERT_EQ(writes.size(), 2u);
  EXPECT_EQ(writes[0].target, "lamp");
  EXPECT_EQ((*compiled)->inputs()[static_cast<std::size_t>(writes[0].input)].identifier, "lamp");
  EXPECT_EQ(writes[1].target, "setpoint");
}

TEST(TransformScriptWrites, RefusesWhatNoDeviceLetsAClientWrite) {
  const std::string tail = "data-items: [temp]\n";
  EXPECT_NE(problemsOf(kInputs + "writes:\n  temp: 1\n" + tail)
                .find("'temp' cannot be written: "
                      "it is an input register"),
            std::string::npos);
  EXPECT_NE(problemsOf(kInputs + "writes:\n  door: true\n" + tail).find("it is a discrete input"),
            std::string::npos);
  EXPECT_NE(problemsOf(kInputs + "writes:\n  flags: true\n" + tail).find("one bit of a register"),
            std::string::npos);
  EXPECT_NE(problemsOf(kInputs + "tags:\n  speed: ns=2;s=Line.Speed\nwrites:\n  speed: 1\n" + tail)
                .find("it is under tags"),
            std::string::npos);
  EXPECT_NE(problemsOf(kInputs + "writes:\n  nope: 1\n" + tail)
                .find("s.yaml:11:3: writes names 'nope', which is no input of this script"),
            std::string::npos);
  EXPECT_NE(problemsOf(kInputs + "writes:\n  lamp:\n" + tail)
                .find("write 'lamp' needs an "
                      "expression"),
            std::string::npos);
  EXPECT_NE(problemsOf(kInputs + "writes:\n  lamp: {valu: 1}\n" + tail).find("valu"),
            std::string::npos);
  EXPECT_NE(problemsOf(kInputs + "writes:\n  lamp: nope == 1\n" + tail).find("unknown name 'nope'"),
            std::string::npos);
  EXPECT_NE(problemsOf(kInputs + "writes: [lamp]\n" + tail).find("writes must be a map"),
            std::string::npos);
  // A script whose only output is a write is a script.
  EXPECT_EQ(problemsOf(kInputs + "passthrough: false\nwrites:\n  lamp: alarm == 'ON'\n"), "");
}

class TransformScriptWritesRun : public ::testing::Test {
 protected:
  model::Observation obs(const std::string& key, model::Value v) {
    return model::Observation{m_machine,
                              m_catalog.intern(m_machine, key).value(),
                              kT0,
                              model::Kind::kEvent,
                              model::kFlagNone,
                              std::move(v)};
  }
  std::vector<WriteRequest> feed(ScriptRunner& runner, model::Batch in) {
    model::Batch out;
    runner.process(in, out);
    return runner.takeWrites();
  }

  FixedClock m_clock;
  model::ItemCatalog m_catalog;
  model::MachineId m_machine = m_catalog.addMachine("press");
};

TEST_F(TransformScriptWritesRun, AsksOncePerChangeAndNeverForUnavailable) {
  auto compiled = compileScript(kInputs +
                                    "writes:\n  lamp: alarm == 'ON'\n  setpoint: temp / 2\n"
                                    "data-items: [temp]\n",
                                "s.yaml");
  ASSERT_TRUE(compiled) << compiled.error().describe();
  ScriptRunner runner(*compiled, m_catalog, m_machine, m_clock);
  auto w = feed(runner, {obs("alarm", std::string("ON"))});
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].key, "lamp");
  EXPECT_EQ(w[0].value, model::Value(true));
  EXPECT_EQ(w[0].at, kT0);
  EXPECT_FALSE(runner.hasWrites());
  EXPECT_TRUE(feed(runner, {obs("alarm", std::string("ON"))}).empty());  // no change
  w = feed(runner, {obs("alarm", std::string("OFF")), obs("temp", std::int64_t{91})});
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].key, "lamp");
  EXPECT_EQ(w[0].value, model::Value(false));
  EXPECT_EQ(w[1].key, "setpoint");
  EXPECT_EQ(w[1].value, model::Value(45.5));
  // The input went away: the device keeps what it was told.
  EXPECT_TRUE(feed(runner, {obs("temp", model::Unavailable{})}).empty());
  // Back with the old value: nothing to write, the device holds it already.
  EXPECT_TRUE(feed(runner, {obs("temp", std::int64_t{91})}).empty());
  EXPECT_EQ(runner.stats().writes, 3u);
}

// A keys input is written under its key, whatever the script calls it.
TEST_F(TransformScriptWritesRun, AKeyIsWrittenUnderItsKey) {
  auto compiled = compileScript(R"(version: 2
keys:
  goal: macro_500
  count: part_count
writes:
  goal: count + 10
data-items: [count]
)",
                                "s.yaml");
  ASSERT_TRUE(compiled) << compiled.error().describe();
  ScriptRunner runner(*compiled, m_catalog, m_machine, m_clock);
  auto w = feed(runner, {obs("part_count", std::int64_t{5})});
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].key, "macro_500");
  EXPECT_EQ(w[0].value, model::Value(std::int64_t{15}));
}

TEST_F(TransformScriptWritesRun, AConstantIsWrittenAtStartAndAnErrorIsCounted) {
  auto compiled = compileScript(kInputs +
                                    "writes:\n  setpoint: 21.5\n  lamp: 1 / temp > 0\n"
                                    "data-items: [temp]\n",
                                "s.yaml");
  ASSERT_TRUE(compiled) << compiled.error().describe();
  ScriptRunner runner(*compiled, m_catalog, m_machine, m_clock);
  auto w = feed(runner, {});
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].key, "setpoint");
  EXPECT_EQ(w[0].value, model::Value(21.5));
  EXPECT_TRUE(feed(runner, {obs("temp", std::int64_t{0})}).empty());
  EXPECT_EQ(runner.stats().errors, 1u);
  EXPECT_NE(runner.stats().lastError.find("write 'lamp'"), std::string::npos);
}

}  // namespace
}  // namespace spindle::transform
