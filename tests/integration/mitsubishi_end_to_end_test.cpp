// End to end: `spindle sim --protocol mitsubishi` in one process (an M700M and an M700L, two
// part systems each), `spindle run` in another with two
// mitsubishi machines (one with the default script, one reading both part systems with a
// script that adds part system 2's run status and a PLC register), the observations through
// the journal into the file uplink, and the normalized items in the MTConnect interface's
// /current.

#include <gtest/gtest.h>

#include "collector_end_to_end.hpp"

namespace spindle::testing {
namespace {

TEST(MitsubishiEndToEnd, SimulatorThroughSpindleRunIntoTheJournalAndCurrent) {
  CollectorEndToEnd run("mitsubishi");
  ASSERT_TRUE(run.startSim({"--mitsubishi-type", "m700m", "m700l", "--mitsubishi-part-systems", "2",
                            "--time-scale", "20", "--seed", "5"},
                           "mitsubishi-2 serving EZSocket"));
  run.writeFile("lathe.yaml",
                "version: 2\nkeys: [run_status, p2_run_status, part_count, plc_R2500]\n"
                "passthrough: true\n"
                "data-items:\n"
                "  - execution:\n"
                "      source: \"run_status == 3 ? 'ACTIVE' : run_status == 7 ? 'FEED_HOLD' : "
                "'READY'\"\n"
                "      type: EXECUTION\n"
                "  - part_count: {source: part_count, type: PART_COUNT}\n"
                "  - run_status_2: p2_run_status\n"
                "  - feed_override: plc_R2500\n");
  run.startEdge(e2eMachine("mc-m70", "mitsubishi", run.port(), "    slow_interval: 500ms\n") +
                e2eMachine("citizen-l20", "mitsubishi", run.port() + 1,
                           "    system_type: m700l\n    part_systems: [1, 2]\n"
                           "    slow_interval: 500ms\n    pipeline: 1\n"
                           "    script: lathe.yaml\n"));
  EXPECT_TRUE(run.currentShows(
      {"mc-m70", "citizen-l20", "<Execution", "<Program", "<PartCount", "<ControllerMode"}));
  const std::string lines = run.stopAndReadLines();

  // The M700M runs the default script: execution, mode, program, part count, overrides.
  const auto execution = uplinkValues(lines, "mc-m70", "execution");
  ASSERT_FALSE(execution.empty()) << lines.substr(0, 2000);
  for (const auto& v : execution) {
    EXPECT_TRUE(v == "ACTIVE" || v == "READY" || v == "FEED_HOLD" || v == "INTERRUPTED" ||
                v == "STOPPED" || v == "UNAVAILABLE")
        << v;
  }
  const auto program = uplinkValues(lines, "mc-m70", "program");
  ASSERT_FALSE(program.empty());
  EXPECT_EQ(program.back().rfind("O", 0), 0u) << program.back();
  const auto parts = uplinkValues(lines, "mc-m70", "part_count");
  ASSERT_FALSE(parts.empty());
  EXPECT_NE(parts.back(), "UNAVAILABLE");
  const auto override = uplinkValues(lines, "mc-m70", "feedrate_override");
  ASSERT_FALSE(override.empty());
  EXPECT_GE(std::stoi(override.back()), 50);
  EXPECT_LE(std::stoi(override.back()), 150);
  EXPECT_FALSE(uplinkValues(lines, "mc-m70", "controller_mode").empty());
  EXPECT_FALSE(uplinkValues(lines, "mc-m70", "spindle_load").empty());
  EXPECT_FALSE(uplinkValues(lines, "mc-m70", "Y_work").empty());  // passed through
  // The lathe reads both part systems over one connection, its axes named X, Z, C.
  EXPECT_FALSE(uplinkValues(lines, "citizen-l20", "part_count").empty());
  EXPECT_FALSE(uplinkValues(lines, "citizen-l20", "run_status_2").empty());
  EXPECT_FALSE(uplinkValues(lines, "citizen-l20", "p2_C_work").empty());
  EXPECT_TRUE(uplinkValues(lines, "citizen-l20", "Y_work").empty());
  const auto fovr = uplinkValues(lines, "citizen-l20", "feed_override");
  ASSERT_FALSE(fovr.empty());
  EXPECT_NE(fovr.back(), "UNAVAILABLE");
}

}  // namespace
}  // namespace spindle::testing
