// End to end: `spindle sim --protocol modbus` in one process, `spindle run` in another with two
// modbus_tcp machines (one on the default stack-light script, one on a script reading every
// word order the simulator serves), the observations through the journal into the file uplink,
// and the machines' items in the MTConnect interface's /current; press-2's script writes a
// register and a coil of its device and reads them back.

#include <algorithm>

#include <gtest/gtest.h>

#include "collector_end_to_end.hpp"

namespace spindle::testing {
namespace {

TEST(ModbusEndToEnd, SimulatorThroughSpindleRunIntoTheJournalAndCurrent) {
  CollectorEndToEnd run("modbus");
  ASSERT_TRUE(run.startSim({"--time-scale", "20", "--seed", "3"}, "press-2 serving Modbus TCP"));
  run.writeFile("orders.yaml",
                "version: 2\nregisters:\n"
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
                "  - execution_code\n  - setpoint\n  - beacon\n");
  run.startEdge(e2eMachine("press-1", "modbus_tcp", run.port()) +
                e2eMachine("press-2", "modbus_tcp", run.port() + 1,
                           "    unit_id: 7\n    allow_write: true\n    script: orders.yaml\n"));
  EXPECT_TRUE(
      run.currentShows({"press-1", "<Execution", "<Program"}, {">UNAVAILABLE</Execution>"}));
  const std::string lines = run.stopAndReadLines();  // the simulated presses make some parts

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
}

}  // namespace
}  // namespace spindle::testing
