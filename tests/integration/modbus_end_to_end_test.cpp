// End to end: `spindle sim --protocol modbus` in one process, `spindle run` in another with two
// modbus_tcp machines (one on the default stack-light script, one on a script reading every
// word order the simulator serves), the observations through the journal into the file uplink,
// and the machines' items in the MTConnect interface's /current; press-2's script writes a
// register and a coil of its device and reads them back.

#include <algorithm>
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

TEST(ModbusEndToEnd, SimulatorThroughSpindleRunIntoTheJournalAndCurrent) {
  const fs::path dir =
      fs::temp_directory_path() / ("spindle_modbus_e2e_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto base = freePortRange(2);
  Process sim({SPINDLE_BINARY, "sim", "--protocol", "modbus", "-n", "2", "-p", std::to_string(base),
               "--time-scale", "20", "--seed", "3"},
              (dir / "sim.out").string(), (dir / "sim.err").string());
  ASSERT_TRUE(eventually([&] {
    return readFile((dir / "sim.err").string()).find("press-2 serving Modbus TCP") !=
               std::string::npos ||
           readFile((dir / "sim.out").string()).find("press-2 serving Modbus TCP") !=
               std::string::npos;
  })) << readFile((dir / "sim.err").string());

  {
    std::ofstream script(dir / "orders.yaml");
    script << "version: 2\nregisters:\n"
              "  parts_abcd: {address: 20, type: uint32, order: ABCD}\n"
              "  parts_cdab: {address: 22, type: uint32, order: CDAB}\n"
              "  neg_badc: {address: 24, type: int32, order: BADC}\n"
              "  neg_dcba: {address: 26, type: int32, order: DCBA}\n"
              "  neg64: {address: 36, type: int64, order: BADC}\n"
              "  parts64: {address: 40, type: uint64, order: DCBA}\n"
              "  program: {ref: 40051, type: string, length: 8}\n"
              "  execution_code: {ref: 40004}\n"
              "  setpoint: {address: 200, type: uint32}\n"
              "coils:\n  beacon: 20\n"
              "writes:\n  setpoint: parts_abcd + 1000\n  beacon: 'true'\n"
              "passthrough: false\n"
              "data-items:\n"
              "  - parts_abcd\n  - parts_cdab\n  - neg_badc\n  - neg_dcba\n  - neg64\n"
              "  - parts64\n  - program: {source: program, type: PROGRAM}\n"
              "  - execution_code\n  - setpoint\n  - beacon\n";
  }
  const std::uint16_t web = freePort();
  {
    std::ofstream cfg(dir / "spindle.yaml");
    cfg << "edge:\n  data_dir: " << (dir / "data").string() << "\n  status_interval: 0s\n"
        << loopbackSections(web) << "uplinks:\n  file:\n    path: observations.jsonl\n"
        << "machines:\n"
        << "  - id: press-1\n    type: modbus_tcp\n    host: 127.0.0.1\n    port: " << base
        << "\n    poll_interval: 100ms\n"
        << "  - id: press-2\n    type: modbus_tcp\n    host: 127.0.0.1\n    port: " << base + 1
        << "\n    unit_id: 7\n    poll_interval: 100ms\n    allow_write: true\n"
        << "    script: orders.yaml\n";
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
        return current.find("press-1") != std::string::npos &&
               current.find("<Execution") != std::string::npos &&
               current.find(">UNAVAILABLE</Execution>") == std::string::npos &&
               current.find("<Program") != std::string::npos;
      },
      20s))
      << current << readFile((dir / "edge.err").string());
  std::this_thread::sleep_for(3s);  // the simulated presses make some parts
  EXPECT_EQ(edge.kill(SIGTERM), 0) << readFile((dir / "edge.err").string());
  sim.kill(SIGTERM);

  const std::string lines = readFile((dir / "data" / "observations.jsonl").string());
  // press-1 runs the default script: the stack light gives the execution.
  const auto execution = uplinkValues(lines, "press-1", "execution");
  ASSERT_FALSE(execution.empty()) << lines.substr(0, 2000);
  for (const auto& v : execution) {
    EXPECT_TRUE(v == "ACTIVE" || v == "READY" || v == "STOPPED" || v == "UNAVAILABLE") << v;
  }
  // press-2: the same counters in four orders and widths agree with each other.
  const auto abcd = uplinkValues(lines, "press-2", "parts_abcd");
  const auto cdab = uplinkValues(lines, "press-2", "parts_cdab");
  const auto badc = uplinkValues(lines, "press-2", "neg_badc");
  const auto dcba = uplinkValues(lines, "press-2", "neg_dcba");
  const auto wide = uplinkValues(lines, "press-2", "parts64");
  const auto neg64 = uplinkValues(lines, "press-2", "neg64");
  ASSERT_FALSE(abcd.empty());
  EXPECT_EQ(abcd, cdab);
  EXPECT_EQ(abcd, wide);
  ASSERT_EQ(badc.size(), abcd.size());
  EXPECT_EQ(badc, dcba);
  EXPECT_EQ(badc, neg64);
  for (std::size_t i = 0; i < abcd.size(); ++i) {
    if (abcd[i] != "UNAVAILABLE" && abcd[i] != "0") {
      EXPECT_EQ(badc[i], "-" + abcd[i]);
    }
  }
  // press-2's script writes the device and reads back what it wrote.
  const auto beacon = uplinkValues(lines, "press-2", "beacon");
  ASSERT_FALSE(beacon.empty());
  EXPECT_EQ(beacon.back(), "true");
  bool echoed = false;
  for (const auto& v : uplinkValues(lines, "press-2", "setpoint")) {
    if (v == "UNAVAILABLE" || v == "0") continue;
    const std::string parts = std::to_string(std::stoll(v) - 1000);
    echoed = echoed || std::find(abcd.begin(), abcd.end(), parts) != abcd.end();
  }
  EXPECT_TRUE(echoed) << "no setpoint written as parts + 1000";
  const auto program = uplinkValues(lines, "press-2", "program");
  ASSERT_FALSE(program.empty());
  EXPECT_NE(program.back(), "UNAVAILABLE");
  EXPECT_FALSE(program.back().empty());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace spindle::testing
