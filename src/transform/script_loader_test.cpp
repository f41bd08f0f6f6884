#include "transform/script_loader.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace spindle::transform {
namespace {

std::vector<std::string> problems(const std::string& yaml) {
  auto out = compileScriptDiagnostics(yaml, "s.yaml");
  std::vector<std::string> lines;
  for (const auto& d : out.diagnostics.items()) lines.push_back(d.describe());
  EXPECT_EQ(out.script == nullptr, !lines.empty());
  return lines;
}

testing::AssertionResult hasProblem(const std::string& yaml, const std::string& expected) {
  const auto lines = problems(yaml);
  for (const auto& l : lines) {
    if (l.find(expected) != std::string::npos) return testing::AssertionSuccess();
  }
  std::string all;
  for (const auto& l : lines) all += "\n  " + l;
  return testing::AssertionFailure() << "no problem containing '" << expected << "' in:" << all;
}

TEST(TransformScriptLoader, ExpressionErrorsPointInsideQuotedAndBlockScalars) {
  EXPECT_TRUE(hasProblem(R"(version: 2
keys: [a]
data-items:
  - out: "a + nope"
)",
                         "s.yaml:4:15: unknown name 'nope' in 'a + nope'"));
  EXPECT_TRUE(hasProblem(R"(version: 2
keys: [a]
variables:
  v:
    - expression: |
        a > 1 and
          (a < )
data-items: [v]
)",
                         "s.yaml:7:16: expected a value, a name or '(' but found ')'"));
  EXPECT_TRUE(hasProblem("version: 2\nkeys: [a]\ndata-items:\n  - out: 'a + ('\n",
                         "s.yaml:4:16: expected an expression in 'a + ('"));
}

TEST(TransformScriptLoader, DeeplyNestedScriptIsAClearError) {
  EXPECT_TRUE(hasProblem("version: 2\nkeys: " + std::string(200000, '['),
                         "s.yaml:2:70: the script nests deeper than 64 levels"));
}

TEST(TransformScriptLoader, ReportsEveryProblemInOnePass) {
  const auto lines = problems(R"(version: 2
keys: [a, a]
registers:
  p1: {address: 70000, type: int17}
coils:
  c1: {adress: 3}
variables:
  t:
    - source: a
    - threshold: {value: 5, direction: sideways}
  avg:
    - source: a
    - average: {window: 5, samples: 3}
  h:
    - source: a
    - hash: crc64
  l:
    - source: a
    - latch-value: {reset-value: 1}
  c:
    - source: a
    - count: {amout: 2}
  m:
    - source: a
    - rising-edge: 5
generators:
  g: {type: counter}
data-items: [t]
)");
  const std::vector<std::string> expected = {
      "2:11: 'a' is defined twice",
      "4:17: a Modbus address is a whole number from 0 to 65535",
      "6:8: unknown key 'adress' in coils 'c1' (did you mean 'address'?)",
      "27:6: generator 'g' needs an interval",
      "10:40: direction must be 'above' or 'below', not 'sideways'",
      "13:16: average needs either window (a duration) or samples (a count)",
      "16:13: unknown hash 'crc64' (use md5, sha1 or sha256)",
      "19:20: latch-value needs {reset: condition}",
      "22:15: unknown key 'amout' in count (did you mean 'amount'?)",
      "25:20: rising-edge takes {min-dwell: s, max-dwell: s}",
  };
  ASSERT_EQ(lines.size(), expected.size()) << testing::PrintToString(lines);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NE(lines[i].find(expected[i]), std::string::npos) << lines[i];
  }
}

TEST(TransformScriptLoader, FirstOperationAndThis) {
  EXPECT_TRUE(
      hasProblem("version: 2\nkeys: [a]\nvariables:\n  v:\n    - source: this + 1\n"
                 "data-items: [v]\n",
                 "5:15: 'this' has no value here"));
  EXPECT_TRUE(hasProblem("version: 2\nkeys: [a]\nvariables:\n  v: []\ndata-items: [v]\n",
                         "4:6: variable 'v' needs a list of operations"));
  EXPECT_TRUE(
      hasProblem("version: 2\nkeys: [a]\nvariables:\n  v:\n    - source: a\n"
                 "      threshold: 1\ndata-items: [v]\n",
                 "this map has 2 keys; did you forget a '-'?"));
  EXPECT_TRUE(hasProblem("version: 2\nkeys: [X.01]\ndata-items: [X.01]\n",
                         "'X.01' cannot be used as a name"));
  EXPECT_TRUE(hasProblem("version: 2\npassthrough: false\n", "the script outputs nothing"));
  EXPECT_TRUE(hasProblem("version: 2\nkeys: [a, {b: a}]\ndata-items: [a]\n",
                         "2:12: key 'a' is already read as 'a'"));
}

TEST(TransformScriptLoader, ModbusInputsCarryTheirFormat) {
  auto out = compileScriptDiagnostics(R"(version: 2
registers:
  a: {ref: 40001}
  b: {ref: 300010, type: float32, order: badc, scale: 0.1, offset: -40}
  c: {address: 20, bit: 3, poll-group: fast}
  d: {address: 30, type: string, length: 8}
  e: {address: 40, type: bool, word-order: big}
coils:
  f: {ref: 10005}
  g: {ref: "000012", poll-group: slow}
passthrough: false
data-items: [a, b, c, d, e, f, g]
)",
                                      "s.yaml");
  ASSERT_NE(out.script, nullptr) << out.diagnostics.describe();
  const auto& in = out.script->inputs();
  ASSERT_EQ(in.size(), 7u);
  EXPECT_EQ(in[0].address, 0);
  EXPECT_EQ(in[0].addressSpace, 4);
  EXPECT_EQ(in[1].address, 9);
  EXPECT_EQ(in[1].addressSpace, 3);
  EXPECT_EQ(in[1].wordOrder, "BADC");
  EXPECT_DOUBLE_EQ(in[1].scale, 0.1);
  EXPECT_DOUBLE_EQ(in[1].offset, -40);
  EXPECT_EQ(in[2].bit, 3);
  EXPECT_EQ(in[2].conversion, InputConversion::kBoolean);
  EXPECT_EQ(in[2].pollGroup, "fast");
  EXPECT_EQ(in[3].length, 8);
  EXPECT_EQ(in[3].conversion, InputConversion::kString);
  EXPECT_EQ(in[4].type, "bool");
  EXPECT_EQ(in[4].wordOrder, "ABCD");
  EXPECT_EQ(in[5].addressSpace, 1);
  EXPECT_EQ(in[5].address, 4);
  EXPECT_EQ(in[6].addressSpace, 0);
  EXPECT_EQ(in[6].address, 11);
  EXPECT_EQ(in[6].pollGroup, "slow");
}

TEST(TransformScriptLoader, ModbusInputMistakesAreClear) {
  auto problem = [](const std::string& section) {
    return problems("version: 2\n" + section + "\ndata-items: [x]\n");
  };
  auto has = [&](const std::string& section, const std::string& text) {
    const auto lines = problem(section);
    for (const auto& l : lines) {
      if (l.find(text) != std::string::npos) return true;
    }
    ADD_FAILURE() << section << " -> " << testing::PrintToString(lines);
    return false;
  };
  has("registers:\n  x: {ref: 40000}", "is not a register reference");
  has("registers:\n  x: {ref: 10001}", "is not a register reference");
  has("coils:\n  x: {ref: 40001}", "is not a coil reference");
  has("registers:\n  x: {ref: 40001, address: 3}", "give either address");
  has("registers:\n  x: {ref: 40001, address-space: 3}", "contradicts ref 40001");
  has("registers:\n  x: {address: 1, order: ACBD}", "order is ABCD, CDAB, BADC or DCBA");
  has("registers:\n  x: {address: 1, type: string}", "needs its length");
  has("registers:\n  x: {address: 1, bit: 16}", "bit is 0");
  has("registers:\n  x: {address: 1, type: float32, bit: 2}", "does not combine");
  has("registers:\n  x: {address: 65535, type: uint32}", "runs past address 65535");
  has("registers:\n  x: {address: 1, scale: 0}", "scale 0");
  has("coils:\n  x: {address: 1, type: int16}", "unknown key 'type'");
}

TEST(TransformScriptLoader, InputSectionsDescribeWhatCollectorsRead) {
  auto out = compileScriptDiagnostics(R"(version: 2
address-space: 3
tags:
  running: ns=2;s=Machine.Running
  temp: {tag: "ns=2;s=Oil.Temp", type: number}
registers:
  p1: {address: 1002, type: int16}
  energy: {address: 2000, type: float32, address-space: 4, word-order: little}
  raw: 7
coils:
  door: {address: 3, address-space: 1}
keys:
  - execution
  - speed: S1speed
passthrough: false
data-items: [running, temp, p1, energy, raw, door, execution, speed]
)",
                                      "s.yaml");
  ASSERT_NE(out.script, nullptr) << out.diagnostics.describe();
  const auto& in = out.script->inputs();
  ASSERT_EQ(in.size(), 8u);
  EXPECT_EQ(in[0].identifier, "execution");
  EXPECT_EQ(in[0].section, InputSection::kKeys);
  EXPECT_EQ(in[1].key, "S1speed");
  EXPECT_EQ(in[2].section, InputSection::kTags);
  EXPECT_EQ(in[2].tag, "ns=2;s=Machine.Running");
  EXPECT_EQ(in[2].key, "running");
  EXPECT_EQ(in[3].conversion, InputConversion::kNumber);
  EXPECT_EQ(in[4].section, InputSection::kRegisters);
  EXPECT_EQ(in[4].address, 1002);
  EXPECT_EQ(in[4].addressSpace, 3);
  EXPECT_EQ(in[4].type, "int16");
  EXPECT_EQ(in[5].addressSpace, 4);
  EXPECT_EQ(in[5].wordOrder, "CDAB");  // little: low word first
  EXPECT_EQ(in[6].address, 7);
  EXPECT_EQ(in[6].type, "uint16");
  EXPECT_EQ(in[7].section, InputSection::kCoils);
  EXPECT_EQ(in[7].addressSpace, 1);
  EXPECT_EQ(in[7].conversion, InputConversion::kBoolean);
  EXPECT_FALSE(out.script->passthrough());
}

TEST(TransformScriptLoader, CompileScriptListsEveryProblem) {
  auto r = compileScript("version: 1\nkeys: [a]\ndata-items: [b]\n", "m.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("m.yaml:1:10: expected version 2"), std::string::npos);
  EXPECT_NE(r.error().message().find("\nm.yaml:3:14: unknown name 'b'"), std::string::npos);
}

TEST(TransformScriptLoader, LoadsFiles) {
  auto missing = loadScriptFile("/nonexistent/script.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kIo);
  const auto path = std::filesystem::temp_directory_path() / "spindle_transform_test.yaml";
  {
    std::ofstream f(path);
    f << "version: 2\nkeys: [a]\ndata-items: [a]\n";
  }
  auto ok = loadScriptFile(path.string());
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_EQ((*ok)->name(), path.string());
  std::filesystem::remove(path);
}

TEST(TransformScriptLoader, DefaultScriptsShipForCollectorTypes) {
  const auto types = defaultScriptTypes();
  EXPECT_NE(std::find(types.begin(), types.end(), "shdr"), types.end());
  ASSERT_NE(defaultScriptText("shdr"), nullptr);
  EXPECT_EQ(defaultScriptText("no-such-collector"), nullptr);
  auto none = loadDefaultScript("no-such-collector");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), ErrorCode::kNotFound);
  auto shdr = loadDefaultScript("shdr");
  ASSERT_TRUE(shdr.ok()) << shdr.error().message();
  std::vector<std::string> outputs;
  for (const auto& d : (*shdr)->dataItems()) outputs.push_back(d.key);
  for (const auto& c : (*shdr)->conditions()) outputs.push_back(c.key);
  for (const char* name :
       {"availability", "execution", "controller_mode", "program", "part_count", "spindle_speed",
        "spindle_load", "feedrate", "feedrate_override", "emergency_stop", "system"}) {
    EXPECT_NE(std::find(outputs.begin(), outputs.end(), name), outputs.end()) << name;
  }
}

}  // namespace
}  // namespace spindle::transform
