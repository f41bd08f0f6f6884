// End to end: `spindle sim --protocol lsv2` in one process (an iTNC 530 and a TNC 640), `spindle
// run` in another with two lsv2 machines (the iTNC with the default script, the TNC 640 with a
// script that reads a PLC double word and maps it to the part count), the observations through
// the journal into the file uplink, and the normalized items in the MTConnect interface's
// /current.

#include <filesystem>

#include <gtest/gtest.h>

#include "loopback_config.hpp"
#include "process.hpp"
#include "uplink_lines.hpp"
#include "web/testing/http_get.hpp"

namespace spindle::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

TEST(Lsv2EndToEnd, SimulatorThroughSpindleRunIntoTheJournalAndCurrent) {
  const fs::path dir =
      fs::temp_directory_path() / ("spindle_lsv2_e2e_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto base = freePortRange(2);
  Process sim({SPINDLE_BINARY, "sim", "--protocol", "lsv2", "-n", "2", "-p", std::to_string(base),
               "--lsv2-controls", "itnc530", "tnc640", "--time-scale", "20", "--seed", "5"},
              (dir / "sim.out").string(), (dir / "sim.err").string());
  ASSERT_TRUE(eventually([&] {
    return (readFile((dir / "sim.err").string()) + readFile((dir / "sim.out").string()))
               .find("heidenhain-2 serving LSV2") != std::string::npos;
  })) << readFile((dir / "sim.err").string());
  {
    std::ofstream script(dir / "tnc640.yaml");
    script << "version: 2\nkeys: [program_state, plc_D4]\n"
              "passthrough: true\n"
              "data-items:\n"
              "  - execution:\n"
              "      source: \"program_state == 0 ? 'ACTIVE' : 'READY'\"\n"
              "      type: EXECUTION\n"
              "  - part_count: {source: plc_D4, type: PART_COUNT}\n";
  }
  const std::uint16_t web = freePort();
  {
    std::ofstream cfg(dir / "spindle.yaml");
    cfg << "edge:\n  data_dir: " << (dir / "data").string() << "\n  status_interval: 0s\n"
        << loopbackSections(web) << "uplinks:\n  file:\n    path: observations.jsonl\n"
        << "machines:\n"
        << "  - id: mill-530\n    type: lsv2\n    host: 127.0.0.1\n    port: " << base
        << "\n    poll_interval: 100ms\n    slow_interval: 500ms\n"
        << "  - id: mill-640\n    type: lsv2\n    host: 127.0.0.1\n    port: " << base + 1
        << "\n    poll_interval: 100ms\n    slow_interval: 500ms\n"
        << "    script: tnc640.yaml\n";
  }
  Process edge({SPINDLE_BINARY, "run", "--config", (dir / "spindle.yaml").string(), "--for", "60s"},
               (dir / "edge.out").string(), (dir / "edge.err").string());
  std::string current;
  EXPECT_TRUE(eventually(
      [&] {
        try {
          current = web::testing::httpGet(web, "/current").body;
        } catch (const std::exception&) {  // not listening yet
          return false;
        }
        return current.find("mill-530") != std::string::npos &&
               current.find("mill-640") != std::string::npos &&
               current.find("<Execution") != std::string::npos &&
               current.find("<Program") != std::string::npos &&
               current.find("<PartCount") != std::string::npos &&
               current.find("<ControllerMode") != std::string::npos &&
               current.find("<ToolNumber") != std::string::npos;
      },
      20s))
      << current << readFile((dir / "edge.err").string());
  std::this_thread::sleep_for(3s);  // the simulated machines run some cycles
  EXPECT_EQ(edge.kill(SIGTERM), 0) << readFile((dir / "edge.err").string());
  sim.kill(SIGTERM);

  const std::string lines = readFile((dir / "data" / "observations.jsonl").string());
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
  fs::remove_all(dir);
}

}  // namespace
}  // namespace spindle::testing
