// End to end: `spindle sim --protocol focas` in one process (a 16i and a 30i, two paths each),
// `spindle run` in another with two focas machines (one reading path 1 with the default script,
// one reading both paths with a script that adds path 2's part count and a PMC word, and
// writes a macro variable it reads back), the
// observations through the journal into the file uplink, and the normalized items in the
// MTConnect interface's /current.

#include <gtest/gtest.h>

#include "collector_end_to_end.hpp"

namespace spindle::testing {
namespace {

TEST(FocasEndToEnd, SimulatorThroughSpindleRunIntoTheJournalAndCurrent) {
  CollectorEndToEnd run("focas");
  ASSERT_TRUE(run.startSim(
      {"--focas-series", "16i", "30i", "--focas-paths", "2", "--time-scale", "20", "--seed", "5"},
      "fanuc-2 serving FOCAS"));
  run.writeFile("lathe.yaml",
                "version: 2\nkeys: [run, param_6711, p2_param_6711, pmc_D2204_word, macro_510]\n"
                "passthrough: true\n"
                "writes:\n  macro_510: param_6711 + 1000\n"
                "data-items:\n"
                "  - execution:\n"
                "      source: \"run == 3 ? 'ACTIVE' : run == 2 ? 'FEED_HOLD' : 'READY'\"\n"
                "      type: EXECUTION\n"
                "  - part_count: {source: param_6711, type: PART_COUNT}\n"
                "  - part_count_2: {source: p2_param_6711, type: PART_COUNT}\n"
                "  - pmc_word: pmc_D2204_word\n"
                "  - target: macro_510\n");
  run.startEdge(e2eMachine("mill-16i", "focas", run.port(), "    slow_interval: 500ms\n") +
                e2eMachine("lathe-30i", "focas", run.port() + 1,
                           "    paths: [1, 2]\n    slow_interval: 500ms\n"
                           "    allow_write: true\n    script: lathe.yaml\n"));
  EXPECT_TRUE(run.currentShows(
      {"mill-16i", "lathe-30i", "<Execution", "<Program", "<PartCount", "<ControllerMode"}));
  const std::string lines = run.stopAndReadLines();

  // The 16i runs the default script: execution, mode, program, part count, override.
  const auto execution = uplinkValues(lines, "mill-16i", "execution");
  ASSERT_FALSE(execution.empty()) << lines.substr(0, 2000);
  for (const auto& v : execution) {
    EXPECT_TRUE(v == "ACTIVE" || v == "READY" || v == "FEED_HOLD" || v == "INTERRUPTED" ||
                v == "STOPPED" || v == "UNAVAILABLE")
        << v;
  }
  const auto program = uplinkValues(lines, "mill-16i", "program");
  ASSERT_FALSE(program.empty());
  EXPECT_EQ(program.back().rfind("O", 0), 0u) << program.back();
  const auto parts = uplinkValues(lines, "mill-16i", "part_count");
  ASSERT_FALSE(parts.empty());
  EXPECT_NE(parts.back(), "UNAVAILABLE");
  const auto override = uplinkValues(lines, "mill-16i", "feedrate_override");
  ASSERT_FALSE(override.empty());
  EXPECT_GE(std::stoi(override.back()), 50);  // 255 - G12: the simulator's 70-120 %
  EXPECT_LE(std::stoi(override.back()), 150);
  const auto load = uplinkValues(lines, "mill-16i", "spindle_load");
  ASSERT_FALSE(load.empty());
  EXPECT_NE(load.back(), "UNAVAILABLE");
  EXPECT_FALSE(uplinkValues(lines, "mill-16i", "controller_mode").empty());
  EXPECT_FALSE(uplinkValues(lines, "mill-16i", "X_abs").empty());  // passed through
  // The 30i lathe reads both paths over its one session.
  EXPECT_FALSE(uplinkValues(lines, "lathe-30i", "part_count").empty());
  EXPECT_FALSE(uplinkValues(lines, "lathe-30i", "part_count_2").empty());
  EXPECT_FALSE(uplinkValues(lines, "lathe-30i", "p2_X_abs").empty());
  const auto word = uplinkValues(lines, "lathe-30i", "pmc_word");
  ASSERT_FALSE(word.empty());
  EXPECT_EQ(word.back(), "600");
  // The script wrote macro #510 (its part count + 1000), and read it back.
  const auto target = uplinkValues(lines, "lathe-30i", "target");
  ASSERT_FALSE(target.empty());
  EXPECT_NE(target.back(), "UNAVAILABLE");
  EXPECT_GE(std::stod(target.back()), 1000.0) << target.back();
}

}  // namespace
}  // namespace spindle::testing
