// End to end: `spindle sim --protocol lsv2` in one process (an iTNC 530 and a TNC 640), `spindle
// run` in another with two lsv2 machines (the iTNC with the default script, the TNC 640 with a
// script that reads a PLC double word and maps it to the part count), the observations through
// the journal into the file uplink, and the normalized items in the MTConnect interface's
// /current.

#include <gtest/gtest.h>

#include "collector_end_to_end.hpp"

namespace spindle::testing {
namespace {

TEST(Lsv2EndToEnd, SimulatorThroughSpindleRunIntoTheJournalAndCurrent) {
  CollectorEndToEnd run("lsv2");
  ASSERT_TRUE(
      run.startSim({"--lsv2-controls", "itnc530", "tnc640", "--time-scale", "20", "--seed", "5"},
                   "heidenhain-2 serving LSV2"));
  run.writeFile("tnc640.yaml",
                "version: 2\nkeys: [program_state, plc_D4]\n"
                "passthrough: true\n"
                "data-items:\n"
                "  - execution:\n"
                "      source: \"program_state == 0 ? 'ACTIVE' : 'READY'\"\n"
                "      type: EXECUTION\n"
                "  - part_count: {source: plc_D4, type: PART_COUNT}\n");
  run.startEdge(e2eMachine("mill-530", "lsv2", run.port(), "    slow_interval: 500ms\n") +
                e2eMachine("mill-640", "lsv2", run.port() + 1,
                           "    slow_interval: 500ms\n    script: tnc640.yaml\n"));
  EXPECT_TRUE(run.currentShows({"mill-530", "mill-640", "<Execution", "<Program", "<PartCount",
                                "<ControllerMode", "<ToolNumber"}));
  const std::string lines = run.stopAndReadLines();

  // The iTNC 530 runs the default script.
  const auto execution = uplinkValues(lines, "mill-530", "execution");
  ASSERT_FALSE(execution.empty()) << lines.substr(0, 2000);
  for (const auto& v : execution) {
    EXPECT_TRUE(v == "ACTIVE" || v == "READY" || v == "INTERRUPTED" || v == "STOPPED" ||
                v == "PROGRAM_COMPLETED" || v == "UNAVAILABLE")
        << v;
  }
  const auto mode = uplinkValues(lines, "mill-530", "controller_mode");
  ASSERT_FALSE(mode.empty());
  const auto program = uplinkValues(lines, "mill-530", "program");
  ASSERT_FALSE(program.empty());
  EXPECT_NE(program.back().find("nc_prog"), std::string::npos) << program.back();  // JSON-escaped
  const auto override = uplinkValues(lines, "mill-530", "feedrate_override");
  ASSERT_FALSE(override.empty());
  EXPECT_GE(std::stod(override.back()), 50.0);
  EXPECT_LE(std::stod(override.back()), 150.0);
  EXPECT_FALSE(uplinkValues(lines, "mill-530", "tool_number").empty());
  EXPECT_FALSE(uplinkValues(lines, "mill-530", "X_pos").empty());  // passed through
  const auto type = uplinkValues(lines, "mill-530", "control_type");
  ASSERT_FALSE(type.empty());
  EXPECT_EQ(type.back(), "iTNC 530");
  EXPECT_EQ(uplinkValues(lines, "mill-530", "availability").back(), "AVAILABLE");
  // The TNC 640 reads a PLC double word (the simulator's part counter) through PLCDEBUG.
  const auto parts = uplinkValues(lines, "mill-640", "part_count");
  ASSERT_FALSE(parts.empty());
  EXPECT_NE(parts.back(), "UNAVAILABLE");
  EXPECT_GE(std::stoi(parts.back()), 0);
  EXPECT_EQ(uplinkValues(lines, "mill-640", "control_type").back(), "TNC 640");
}

}  // namespace
}  // namespace spindle::testing
