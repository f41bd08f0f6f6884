// The default script and the templates in examples/scripts/ load, name what the collector
// reads, and the default stack-light script turns lights and a cycle signal into execution,
// part count and cycle time.

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "collectors/modbus_tcp/modbus_point_map.hpp"
#include "transform/script_loader.hpp"
#include "transform/script_runner.hpp"

namespace spindle::collectors::modbus_tcp {
namespace {

constexpr TimestampNs kT0 = 1704067200LL * 1'000'000'000;
constexpr TimestampNs kTenth = 100'000'000;

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

TEST(ModbusTemplates, EveryTemplateLoadsAndMapsRegistersOrCoils) {
  ModbusTcpOptions options;
  options.groupIntervals = {{"slow", std::chrono::seconds(10)}};
  for (const char* file :
       {"src/collectors/modbus_tcp/modbus_tcp_default_script.yaml",
        "examples/scripts/modbus-stack-light.yaml", "examples/scripts/modbus-plc.yaml",
        "examples/scripts/modbus-beacon.yaml"}) {
    auto script = compile(file);
    ASSERT_NE(script, nullptr);
    auto map = buildPointMap(script.get(), options);
    ASSERT_TRUE(map) << file << ": " << map.error().describe();
    EXPECT_GE(map->points.size(), 4u) << file;
  }
  auto plc = buildPointMap(compile("examples/scripts/modbus-plc.yaml").get(), options);
  ASSERT_TRUE(plc);
  EXPECT_EQ(plc->groups.size(), 2u);  // the default and slow
  auto beacon = compile("examples/scripts/modbus-beacon.yaml");
  ASSERT_NE(beacon, nullptr);
  ASSERT_EQ(beacon->writes().size(), 2u);
  EXPECT_EQ(beacon->writes()[0].target, "beacon");
}

class FakeClock final : public Clock {
 public:
  TimestampNs now() const override { return m_now; }
  TimestampNs m_now = kT0;
};

TEST(ModbusTemplates, TheStackLightScriptGivesExecutionPartsAndCycleTime) {
  auto script = compile("src/collectors/modbus_tcp/modbus_tcp_default_script.yaml");
  ASSERT_NE(script, nullptr);
  model::ItemCatalog catalog;
  const auto machine = catalog.addMachine("lathe");
  FakeClock clock;
  transform::ScriptRunner runner(script, catalog, machine, clock);
  std::map<std::string, model::Value> latest;
  model::Batch out;
  auto collect = [&] {
    for (const auto& o : out) latest[std::string(catalog.item(o.item).key)] = o.value;
    out.clear();
  };
  auto lights = [&](bool green, bool amber, bool red, bool cycle) {
    model::Batch in;
    const std::pair<const char*, bool> values[] = {
        {"green", green}, {"amber", amber}, {"red", red}, {"cycle", cycle}};
    for (const auto& [key, on] : values) {
      in.push_back(model::Observation{machine, catalog.intern(machine, key).value(), clock.m_now,
                                      model::Kind::kEvent, model::kFlagNone, on});
    }
    runner.process(in, out);
    collect();
  };
  auto advance = [&](int tenths) {
    for (int i = 0; i < tenths; ++i) {
      clock.m_now += kTenth;
      runner.tick(out);
      collect();
    }
  };
  auto number = [&](const std::string& key) {
    const auto& v = latest[key];
    if (const auto* d = std::get_if<double>(&v)) return *d;
    if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
    return -1.0;
  };
  runner.tick(out);
  collect();
  lights(false, true, false, false);
  EXPECT_EQ(latest["execution"], model::Value(std::string("READY")));
  advance(10);
  lights(true, false, false, true);  // a cycle starts
  EXPECT_EQ(latest["execution"], model::Value(std::string("ACTIVE")));
  advance(25);
  lights(false, true, false, false);  // and ends 2.5 s later: one part
  EXPECT_EQ(latest["execution"], model::Value(std::string("READY")));
  EXPECT_EQ(number("part_count"), 1.0);
  EXPECT_NEAR(number("cycle_time"), 2.5, 0.11);
  advance(5);
  lights(true, false, false, true);
  advance(12);
  lights(false, true, false, false);
  EXPECT_EQ(number("part_count"), 2.0);
  EXPECT_NEAR(number("cycle_time"), 1.2, 0.11);
  lights(false, false, true, false);
  EXPECT_EQ(latest["execution"], model::Value(std::string("STOPPED")));
}

}  // namespace
}  // namespace spindle::collectors::modbus_tcp
