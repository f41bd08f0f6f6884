// The opcua default script and the OPC UA templates in examples/scripts/ load and name OPC UA
// nodes, and turn the values the collector reports (under each tag's name, converted as
// opcua_codec.hpp says: enumerations and integers as int64, text as string, arrays of numbers
// as lists) into availability, execution, controller mode and alarms.

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "collectors/opcua/opcua_collector.hpp"
#include "transform/script_loader.hpp"
#include "transform/script_runner.hpp"

namespace spindle::collectors::opcua {
namespace {

constexpr TimestampNs kT0 = 1704067200LL * 1'000'000'000;
constexpr TimestampNs kSecond = 1'000'000'000;

constexpr const char* kDefaultScript = "src/collectors/opcua/opcua_default_script.yaml";
constexpr const char* kTemplate = "examples/scripts/opcua-template.yaml";
constexpr const char* kSinumerik = "examples/scripts/opcua-sinumerik.yaml";
constexpr const char* kFanucRobot = "examples/scripts/opcua-fanuc-robot.yaml";

std::string read(const std::string& relative) {
  std::ifstream in(std::string(SPINDLE_SOURCE_DIR) + "/" + relative);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::shared_ptr<const transform::CompiledScript> compile(const std::string& relative) {
  auto script = transform::compileScript(read(relative), relative);
  EXPECT_TRUE(script) << relative << ": " << (script ? "" : script.error().describe());
  return script ? *script : nullptr;
}

std::vector<std::string> tagsOf(const transform::CompiledScript& script) {
  std::vector<std::string> tags;
  for (const auto& input : script.inputs()) {
    if (input.section == transform::InputSection::kTags) tags.push_back(input.tag);
  }
  return tags;
}

TEST(OpcuaTemplates, EveryScriptLoadsAndReadsTagsOnly) {
  for (const char* file : {kDefaultScript, kTemplate, kSinumerik, kFanucRobot}) {
    auto script = compile(file);
    ASSERT_NE(script, nullptr) << file;
    const auto tags = tagsOf(*script);
    EXPECT_GE(tags.size(), 1u) << file;
    // An opcua machine reads nodes only: any other input would never receive a value.
    EXPECT_EQ(tags.size(), script->inputs().size()) << file;
    EXPECT_TRUE(script->writes().empty()) << file;
  }
}

TEST(OpcuaTemplates, EveryTagParsesAsTheCollectorReadsIt) {
  // The template names browse paths with the alias its header declares for the machine block.
  const std::map<std::string, std::string> aliases{{"cnc", "http://example.com/cnc"}};
  for (const char* file : {kDefaultScript, kTemplate, kSinumerik, kFanucRobot}) {
    auto script = compile(file);
    ASSERT_NE(script, nullptr) << file;
    auto tags = scriptTags(script.get(), aliases);
    ASSERT_TRUE(tags) << file << ": " << tags.error().describe();
    EXPECT_EQ(tags->size(), tagsOf(*script).size()) << file;
  }
}

TEST(OpcuaTemplates, TheDefaultScriptReadsOnlyTheStandardServerObject) {
  auto script = compile(kDefaultScript);
  ASSERT_NE(script, nullptr);
  std::vector<std::string> tags = tagsOf(*script);
  std::sort(tags.begin(), tags.end());
  EXPECT_EQ(tags, (std::vector<std::string>{"i=2258", "i=2259", "i=2261", "i=2263", "i=2264"}));
}

TEST(OpcuaTemplates, TheVendorScriptsNameTheirNodesAsSourced) {
  auto sinumerik = compile(kSinumerik);
  ASSERT_NE(sinumerik, nullptr);
  for (const auto& tag : tagsOf(*sinumerik)) {
    EXPECT_EQ(tag.rfind("nsu=SinumerikVarProvider;s=/", 0), 0u) << tag;
  }
  auto robot = compile(kFanucRobot);
  ASSERT_NE(robot, nullptr);
  EXPECT_EQ(tagsOf(*robot), (std::vector<std::string>{"ns=1;i=304"}));
}

class FakeClock final : public Clock {
 public:
  TimestampNs now() const override { return m_now; }
  TimestampNs m_now = kT0;
};

/// Runs one script as a machine would: values in under their tag names, outputs collected.
class Machine {
 public:
  explicit Machine(std::shared_ptr<const transform::CompiledScript> script)
      : m_machine(m_catalog.addMachine("m")),
        m_runner(std::move(script), m_catalog, m_machine, m_clock) {
    m_runner.tick(m_out);
    collect();
  }

  void feed(const std::vector<std::pair<std::string, model::Value>>& values) {
    m_clock.m_now += kSecond;
    model::Batch in;
    for (const auto& [key, value] : values) {
      in.push_back(model::Observation{m_machine, m_catalog.intern(m_machine, key).value(),
                                      m_clock.m_now, model::Kind::kEvent, model::kFlagNone, value});
    }
    m_runner.process(in, m_out);
    collect();
  }

  model::Value latest(const std::string& key) { return m_latest[key]; }
  std::string text(const std::string& key) {
    const auto* s = std::get_if<std::string>(&m_latest[key]);
    return s ? *s : "<not text>";
  }
  /// The latest condition sent for `key` with native code `code` (level kUnavailable if none).
  model::Condition condition(const std::string& key, const std::string& code) {
    return m_conditions[key + "/" + code];
  }
  /// The latest condition sent for `key`, whatever its code.
  model::Condition lastCondition(const std::string& key) { return m_lastCondition[key]; }

 private:
  void collect() {
    for (const auto& o : m_out) {
      const std::string key(m_catalog.item(o.item).key);
      m_latest[key] = o.value;
      if (const auto* c = std::get_if<std::shared_ptr<const model::Condition>>(&o.value)) {
        m_conditions[key + "/" + (*c)->nativeCode] = **c;
        m_lastCondition[key] = **c;
      }
    }
    m_out.clear();
  }

  model::ItemCatalog m_catalog;
  model::MachineId m_machine;
  FakeClock m_clock;
  transform::ScriptRunner m_runner;
  model::Batch m_out;
  std::map<std::string, model::Value> m_latest;
  std::map<std::string, model::Condition> m_conditions;
  std::map<std::string, model::Condition> m_lastCondition;
};

model::Value text(const char* s) { return model::Value(std::string(s)); }
model::Value integer(std::int64_t v) { return model::Value(v); }

TEST(OpcuaTemplates, TheDefaultScriptGivesAvailabilityFromTheServerState) {
  auto script = compile(kDefaultScript);
  ASSERT_NE(script, nullptr);
  Machine m(script);
  // Outputs start UNAVAILABLE until their inputs arrive.
  EXPECT_TRUE(model::isUnavailable(m.latest("availability")));

  m.feed({{"server_state", integer(0)},
          {"server_time", text("2024-01-01T00:00:01Z")},
          {"product_name", text("SINUMERIK OPC UA Server")},
          {"manufacturer_name", text("Siemens AG")},
          {"software_version", text("4.7")}});
  EXPECT_EQ(m.latest("availability"), text("AVAILABLE"));
  EXPECT_EQ(m.text("opcua_server_state"), "RUNNING");
  EXPECT_EQ(m.text("opcua_product"), "SINUMERIK OPC UA Server");
  EXPECT_EQ(m.text("opcua_manufacturer"), "Siemens AG");
  EXPECT_EQ(m.text("opcua_software_version"), "4.7");
  EXPECT_EQ(m.lastCondition("opcua_server").level, model::Level::kNormal);

  m.feed({{"server_state", integer(6)}});  // CommunicationFault
  EXPECT_EQ(m.latest("availability"), text("UNAVAILABLE"));
  EXPECT_EQ(m.text("opcua_server_state"), "COMMUNICATION_FAULT");
  EXPECT_EQ(m.condition("opcua_server", "COMMUNICATION_FAULT").level, model::Level::kFault);

  m.feed({{"server_state", integer(4)}});  // Shutdown
  EXPECT_EQ(m.text("opcua_server_state"), "SHUTDOWN");
  EXPECT_EQ(m.condition("opcua_server", "COMMUNICATION_FAULT").level, model::Level::kNormal);
  EXPECT_EQ(m.condition("opcua_server", "NOT_RUNNING").level, model::Level::kWarning);

  m.feed({{"server_state", integer(0)}});
  EXPECT_EQ(m.latest("availability"), text("AVAILABLE"));
  EXPECT_EQ(m.lastCondition("opcua_server").level, model::Level::kNormal);

  m.feed({{"server_state", model::Value(model::Unavailable{})}});  // the server is gone
  EXPECT_EQ(m.latest("availability"), text("UNAVAILABLE"));
}

TEST(OpcuaTemplates, TheSinumerikScriptGivesExecutionAndModeFromTheNcVariables) {
  auto script = compile(kSinumerik);
  ASSERT_NE(script, nullptr);
  Machine m(script);
  EXPECT_TRUE(model::isUnavailable(m.latest("availability")));

  m.feed({{"prog_status", integer(3)},
          {"op_mode", integer(2)},
          {"program", text("/_N_MPF_DIR/_N_PART1_MPF")},
          {"parts", integer(41)},
          {"spindle_rpm", model::Value(1200.5)},
          {"tool", integer(7)},
          {"axis_1", model::Value(12.5)},
          {"nc_alarms", integer(0)},
          {"top_alarm", integer(0)}});
  EXPECT_EQ(m.latest("availability"), text("AVAILABLE"));
  EXPECT_EQ(m.text("execution"), "ACTIVE");
  EXPECT_EQ(m.text("controller_mode"), "AUTOMATIC");
  EXPECT_EQ(m.text("program"), "/_N_MPF_DIR/_N_PART1_MPF");
  EXPECT_EQ(m.latest("part_count"), integer(41));
  EXPECT_EQ(m.latest("spindle_speed"), model::Value(1200.5));
  EXPECT_EQ(m.latest("tool_number"), integer(7));
  EXPECT_EQ(m.latest("x_position"), model::Value(12.5));
  EXPECT_EQ(m.lastCondition("nc_alarm").level, model::Level::kNormal);

  const std::pair<std::int64_t, const char*> executions[] = {
      {1, "INTERRUPTED"}, {2, "STOPPED"}, {4, "WAIT"}, {5, "READY"}, {3, "ACTIVE"}};
  for (const auto& [status, expected] : executions) {
    m.feed({{"prog_status", integer(status)}});
    EXPECT_EQ(m.text("execution"), expected) << "progStatus " << status;
  }
  const std::pair<std::int64_t, const char*> modes[] = {
      {0, "MANUAL"}, {1, "MANUAL_DATA_INPUT"}, {2, "AUTOMATIC"}};
  for (const auto& [mode, expected] : modes) {
    m.feed({{"op_mode", integer(mode)}});
    EXPECT_EQ(m.text("controller_mode"), expected) << "opMode " << mode;
  }

  m.feed({{"nc_alarms", integer(2)}, {"top_alarm", integer(10000)}});
  EXPECT_EQ(m.condition("nc_alarm", "10000").level, model::Level::kFault);
  m.feed({{"nc_alarms", integer(0)}});  // the last alarm clears
  EXPECT_EQ(m.lastCondition("nc_alarm").level, model::Level::kNormal);

  m.feed({{"prog_status", model::Value(model::Unavailable{})}});
  EXPECT_EQ(m.latest("availability"), text("UNAVAILABLE"));
}

TEST(OpcuaTemplates, TheFanucRobotScriptReadsTheAssignedHoldingRegisters) {
  auto script = compile(kFanucRobot);
  ASSERT_NE(script, nullptr);
  Machine m(script);
  std::vector<double> holding(16384, 0.0);
  holding[1009] = 2;   // PRG[1] running
  holding[1200] = 17;  // R[10], the part counter
  m.feed({{"holding", model::Value(holding)}});
  EXPECT_EQ(m.latest("availability"), text("AVAILABLE"));
  EXPECT_EQ(m.text("execution"), "ACTIVE");
  EXPECT_EQ(m.latest("part_count"), integer(17));
  EXPECT_EQ(m.lastCondition("robot_alarm").level, model::Level::kNormal);

  holding[1009] = 1;  // paused
  holding[1100] = 11;
  holding[1101] = 1;
  m.feed({{"holding", model::Value(holding)}});
  EXPECT_EQ(m.text("execution"), "INTERRUPTED");
  EXPECT_EQ(m.condition("robot_alarm", "11-1").level, model::Level::kFault);

  holding[1009] = 0;  // aborted
  holding[1101] = 0;
  m.feed({{"holding", model::Value(holding)}});
  EXPECT_EQ(m.text("execution"), "READY");
  EXPECT_EQ(m.lastCondition("robot_alarm").level, model::Level::kNormal);
}

}  // namespace
}  // namespace spindle::collectors::opcua
