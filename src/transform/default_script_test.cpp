// The default SHDR script on a simulated machine: the simulator's lines go through the SHDR
// codec and the script, and the normalized items come out.

#include <map>
#include <set>

#include <gtest/gtest.h>

#include "collectors/registry.hpp"
#include "collectors/shdr/shdr_parser.hpp"
#include "sim/machine_model.hpp"
#include "sim/shdr_writer.hpp"
#include "transform/script_loader.hpp"
#include "transform/script_runner.hpp"

namespace spindle::transform {
namespace {

class StepClock final : public Clock {
 public:
  TimestampNs now() const override { return m_now; }
  TimestampNs m_now = 1704067200LL * 1'000'000'000;
};

std::string text(const model::Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return std::to_string(*d);
  if (const auto* c = std::get_if<std::shared_ptr<const model::Condition>>(&v)) {
    return model::toString((*c)->level);
  }
  if (model::isUnavailable(v)) return "UNAVAILABLE";
  return "?";
}

double number(const model::Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return 0;
}

TEST(TransformDefaultScript, SimulatedShdrMachineYieldsTheNormalizedItems) {
  auto script = loadDefaultScript("shdr");
  ASSERT_TRUE(script.ok()) << script.error().message();

  StepClock clock;
  model::ItemCatalog catalog;
  const auto machine = catalog.addMachine("mill-1");
  collectors::shdr::ShdrParser parser(catalog, machine);
  ScriptRunner runner(*script, catalog, machine, clock);
  sim::MachineModel model(sim::MachineProfile{"mill-1", 7, false, 1.0, 0});

  std::map<std::string, std::set<std::string>> seen;  // key -> values
  std::map<std::string, double> maxima;
  auto feed = [&](const std::vector<sim::Update>& updates) {
    collectors::shdr::ParseOutput parsed;
    parser.feed(sim::formatShdrLines(formatTimestamp(clock.m_now), updates), clock.m_now, parsed);
    ASSERT_TRUE(parsed.rejections.empty()) << parsed.rejections.front().reason;
    model::Batch out;
    runner.process(parsed.observations, out);
    for (const auto& o : out) {
      const std::string key(catalog.item(o.item).key);
      seen[key].insert(text(o.value));
      maxima[key] = std::max(maxima[key], number(o.value));
    }
  };
  feed(model.snapshot());
  for (int i = 0; i < 1800; ++i) {  // 15 simulated minutes
    clock.m_now += 500'000'000;
    feed(model.step(std::chrono::milliseconds(500)));
    model::Batch out;
    runner.tick(out);
    EXPECT_TRUE(out.empty());  // the default script has no timers
  }

  EXPECT_EQ(runner.stats().errors, 0u) << runner.stats().lastError;
  EXPECT_TRUE(seen["availability"].count("AVAILABLE"));
  EXPECT_TRUE(seen["execution"].count("ACTIVE"));
  EXPECT_TRUE(seen["execution"].count("READY"));
  EXPECT_TRUE(seen["controller_mode"].count("AUTOMATIC"));
  EXPECT_FALSE(seen["program"].empty());
  EXPECT_GE(maxima["part_count"], 2);
  EXPECT_GT(maxima["spindle_speed"], 100);
  EXPECT_GT(maxima["spindle_load"], 1);
  EXPECT_GT(maxima["spindle_override"], 50);
  EXPECT_GT(maxima["feedrate"], 1);
  EXPECT_GT(maxima["feedrate_override"], 50);
  EXPECT_TRUE(seen["emergency_stop"].count("ARMED"));
  EXPECT_TRUE(seen["emergency_stop"].count("TRIGGERED"));
  EXPECT_TRUE(seen["system"].count("FAULT") || seen["system"].count("WARNING"));
  EXPECT_TRUE(seen["system"].count("NORMAL"));
  // The rest passes through under its own key; the renamed raw keys do not.
  for (const char* key : {"line", "tool", "Xact", "Yact", "Zact", "message"}) {
    EXPECT_TRUE(seen.count(key)) << key;
  }
  for (const char* key :
       {"avail", "mode", "partcount", "Sspeed", "Sload", "Sovr", "Fact", "Fovr", "estop"}) {
    EXPECT_FALSE(seen.count(key)) << key;
  }
  // Feed rates are converted from mm/min (rapids up to 9000 at 120 %) to mm/s.
  EXPECT_GT(maxima["feedrate"], 50);
  EXPECT_LE(maxima["feedrate"], 9000 * 1.2 / 60);
}

TEST(TransformDefaultScript, EveryCollectorTypeShipsOneThatCompiles) {
  collectors::Registry registry;
  collectors::registerBuiltinCollectors(registry);
  for (const auto& type : registry.names()) {
    auto script = loadDefaultScript(type);
    EXPECT_TRUE(script.ok()) << type << ": " << (script.ok() ? "" : script.error().describe());
  }
}

}  // namespace
}  // namespace spindle::transform
