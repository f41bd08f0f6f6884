// End to end: a node-opcua server (opcua_peer.hpp) in one process, `spindle run` in another with
// two opcua machines on it: one with a script that maps the CNC's nodes (by id and by browse
// path) to MTConnect items over a signed and encrypted channel, one with the default script
// (the standard Server object); the observations through the journal into the file uplink, and
// the normalized items in the MTConnect interface's /current.

#include <gtest/gtest.h>

#include "collector_end_to_end.hpp"
#include "opcua_peer.hpp"

namespace spindle::testing {
namespace {

TEST(OpcuaEndToEnd, ServerThroughSpindleRunIntoTheJournalAndCurrent) {
  CollectorEndToEnd run("opcua");
  OpcuaPeer peer(run.dir() / "peer", {});
  ASSERT_EQ(peer.start(), "");
  run.writeFile("cnc.yaml",
                "version: 2\n"
                "tags:\n"
                "  speed: nsu=http://spindle.test/cnc;s=CNC1.SpindleSpeed\n"
                "  running: /cnc:CNC1/cnc:Running\n"
                "  parts: nsu=http://spindle.test/cnc;s=CNC1.PartCount\n"
                "data-items:\n"
                "  - execution: {source: \"running ? 'ACTIVE' : 'READY'\", type: EXECUTION}\n"
                "  - spindle_speed: {source: speed, category: SAMPLE, type: ROTARY_VELOCITY, "
                "units: REVOLUTION/MINUTE}\n"
                "  - part_count: {source: parts, type: PART_COUNT}\n");
  const std::string endpoint = "    endpoint: " + peer.url() + "\n";
  run.startEdge("  - id: cnc-1\n    type: opcua\n" + endpoint +
                "    security_policy: Aes128_Sha256_RsaOaep\n"
                "    security_mode: sign_and_encrypt\n    trust_on_first_use: true\n"
                "    publishing_interval: 100ms\n"
                "    namespaces: {cnc: 'http://spindle.test/cnc'}\n    script: cnc.yaml\n"
                "  - id: server-1\n    type: opcua\n" +
                endpoint + "    security_policy: None\n    security_mode: none\n");
  EXPECT_TRUE(run.currentShows(
      {"cnc-1", "server-1", "<Execution", "<RotaryVelocity", "<PartCount", "<Availability"}));
  const std::string lines = run.stopAndReadLines();

  const auto speed = uplinkValues(lines, "cnc-1", "spindle_speed");
  ASSERT_GE(speed.size(), 5u) << lines.substr(0, 2000);
  EXPECT_NE(speed.back(), "UNAVAILABLE");
  const auto execution = uplinkValues(lines, "cnc-1", "execution");
  ASSERT_FALSE(execution.empty());
  for (const auto& v : execution) {
    EXPECT_TRUE(v == "ACTIVE" || v == "READY" || v == "UNAVAILABLE") << v;
  }
  EXPECT_FALSE(uplinkValues(lines, "cnc-1", "part_count").empty());
  // The default script: the server runs, and says what it is.
  const auto availability = uplinkValues(lines, "server-1", "availability");
  ASSERT_FALSE(availability.empty()) << lines.substr(0, 2000);
  EXPECT_EQ(availability.back(), "AVAILABLE");
  const auto product = uplinkValues(lines, "server-1", "opcua_product");
  ASSERT_FALSE(product.empty());
  EXPECT_NE(product.back(), "UNAVAILABLE");
  // The certificate Spindle trusted on first use is recorded in the data directory.
  EXPECT_TRUE(std::filesystem::exists(run.dir() / "data" / "opcua-pki" / "trusted" /
                                      "trust-on-first-use.log"));
}

}  // namespace
}  // namespace spindle::testing
