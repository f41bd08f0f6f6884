// End to end: `spindle sim --protocol mitsubishi` in one process (an M700M and an M700L, two
// part systems each), `spindle run` in another with two
// mitsubishi machines (one with the default script, one reading both part systems with a
// script that adds part system 2's run status and a PLC register), the observations through
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

TEST(MitsubishiEndToEnd, SimulatorThroughSpindleRunIntoTheJournalAndCurrent) {
  const fs::path dir =
      fs::temp_directory_path() / ("spindle_mitsubishi_e2e_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto base = freePortRange(2);
  Process sim({SPINDLE_BINARY, "sim", "--protocol", "mitsubishi", "-n", "2", "-p",
               std::to_string(base), "--mitsubishi-type", "m700m", "m700l",
               "--mitsubishi-part-systems", "2", "--time-scale", "20", "--seed", "5"},
              (dir / "sim.out").string(), (dir / "sim.err").string());
  ASSERT_TRUE(eventually([&] {
    return (readFile((dir / "sim.err").string()) + readFile((dir / "sim.out").string()))
               .find("mitsubishi-2 serving EZSocket") != std::string::npos;
  })) << readFile((dir / "sim.err").string());
  {
    std::ofstream script(dir / "lathe.yaml");
    script << "version: 2\nkeys: [run_status, p2_run_status, part_count, plc_R2500]\n"
              "passthrough: true\n"
              "data-items:\n"
              "  - execution:\n"
              "      source: \"run_status == 3 ? 'ACTIVE' : run_status == 7 ? 'FEED_HOLD' : "
              "'READY'\"\n"
              "      type: EXECUTION\n"
              "  - part_count: {source: part_count, type: PART_COUNT}\n"
              "  - run_status_2: p2_run_status\n"
              "  - feed_override: plc_R2500\n";
  }
  const std::uint16_t web = freePort();
  {
    std::ofstream cfg(dir / "spindle.yaml");
    cfg << "edge:\n  data_dir: " << (dir / "data").string() << "\n  status_interval: 0s\n"
        << loopbackSections(web) << "uplinks:\n  file:\n    path: observations.jsonl\n"
        << "machines:\n"
        << "  - id: mc-m70\n    type: mitsubishi\n    host: 127.0.0.1\n    port: " << base
        << "\n    poll_interval: 100ms\n    slow_interval: 500ms\n"
        << "  - id: citizen-l20\n    type: mitsubishi\n    host: 127.0.0.1\n    port: " << base + 1
        << "\n    system_type: m700l\n    part_systems: [1, 2]\n"
        << "    poll_interval: 100ms\n    slow_interval: 500ms\n    pipeline: 1\n"
        << "    script: lathe.yaml\n";
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
        return current.find("mc-m70") != std::string::npos &&
               current.find("citizen-l20") != std::string::npos &&
               current.find("<Execution") != std::string::npos &&
               current.find("<Program") != std::string::npos &&
               current.find("<PartCount") != std::string::npos &&
               current.find("<ControllerMode") != std::string::npos;
      },
      20s))
      << current << readFile((dir / "edge.err").string());
  std::this_thread::sleep_for(3s);  // the simulated machines run some cycles
  EXPECT_EQ(edge.kill(SIGTERM), 0) << readFile((dir / "edge.err").string());
  sim.kill(SIGTERM);

  const std::string lines = readFile((dir / "data" / "observations.jsonl").string());
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
  fs::remove_all(dir);
}

}  // namespace
}  // namespace spindle::testing
