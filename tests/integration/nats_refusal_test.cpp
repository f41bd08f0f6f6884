// A hub that refuses the edge, against the spindle binary: cnats gives such a connection up
// for good, and the edge builds a new one until the hub takes it, without a restart. The
// edge starts while refused, keeps journaling, logs why, and once the hub's configuration is
// fixed (reloaded by SIGHUP) delivers everything exactly once, sends heartbeats, answers
// diagnostics and applies configuration from the bucket.

#include <regex>

#include "cloud_edge.hpp"

namespace spindle::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kAdminOnly = "authorization { users: [ { user: admin, password: admin } ] }";
const std::string kWithEdge =
    "authorization { users: [ { user: admin, password: admin }, "
    "{ user: e1, password: e1-s3cret } ] }";

class NatsRefusalTest : public CloudEdgeTest {
 protected:
  /// The hub with `auth`, the cloud's admin client and the data stream.
  void startRefusingHub(const std::string& auth) {
    startHub(auth, "admin", "admin");
    ASSERT_TRUE(m_cloud->addStream("SPINDLE", {"spindle.*.data.>"}, 600s, m_hub->replicas()));
  }

  /// Two simulated machines, the edge logging in as e1; `machineExtra` goes into each machine.
  std::string config(const std::string& machineExtra = "") {
    if (m_basePort == 0) m_basePort = freePortRange(2);
    EdgeText t;
    t.natsExtra = "    user: e1\n    password: e1-s3cret\n";
    for (int i = 0; i < 2; ++i) {
      t.machines +=
          "  - id: mill-" + std::to_string(i + 1) +
          "\n    type: shdr\n    host: 127.0.0.1\n    port: " + std::to_string(m_basePort + i) +
          "\n" + machineExtra;
    }
    t.machines += "simulator:\n  enabled: true\n  machines: 2\n  names: [mill-1, mill-2]\n" +
                  std::string("  base_port: ") + std::to_string(m_basePort) +
                  "\n  time_scale: 20\n  tick: 20ms\n";
    return edgeConfig(t);
  }

  static bool answered(const json& reply) { return reply.is_object() && reply.value("ok", false); }

  bool spindleRunning() { return m_spindle && m_spindle->wait(100ms) == -1000; }

  std::uintmax_t journalBytes() const {
    std::uintmax_t n = 0;
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(m_dir / "data" / "journal", ec)) {
      if (e.is_regular_file(ec)) n += e.file_size(ec);
    }
    return n;
  }

  /// The journal grows while nothing reaches the hub.
  void expectJournalGrows() {
    const auto before = journalBytes();
    EXPECT_TRUE(eventually([&] { return journalBytes() > before + 1000; }, 10s)) << spindleLog();
  }

  std::size_t count(const std::string& what) const {
    const std::string log = spindleLog();
    std::size_t n = 0;
    for (auto at = log.find(what); at != std::string::npos; at = log.find(what, at + 1)) ++n;
    return n;
  }

  /// The NATS uplink has caught up: nothing waits longer than a second, `after` the recovery
  /// (a publish left waiting for an ack on the closed connection would hold it back).
  void expectCaughtUp(std::chrono::seconds after) {
    std::this_thread::sleep_for(after);
    const json beat = beatWhere([](const json& b) {
      for (const auto& u : b["uplinks"]) {
        if (u["name"] == "nats") return u["lag_s"].is_number() && u["lag_s"].get<double>() < 1.0;
      }
      return false;
    });
    EXPECT_TRUE(beat.is_object()) << spindleLog();
  }

  /// After SIGTERM: the stream holds exactly the sequences the journal held, once each.
  void stopAndExpectEverythingOnce() {
    ASSERT_EQ(stopSpindle(), 0) << spindleLog();
    const std::string log = spindleLog();
    std::smatch m;
    ASSERT_TRUE(std::regex_search(log, m, std::regex("journal holds sequences 1-([0-9]+)"))) << log;
    const std::uint64_t last = std::stoull(m[1].str());
    const StoredData d = m_cloud->readStream("SPINDLE", "spindle.e1.data.>");
    ASSERT_TRUE(d.error.empty()) << d.error;
    EXPECT_TRUE(d.duplicates().empty()) << d.duplicates().size() << " duplicated";
    const auto missing = d.missing(1, last);
    EXPECT_TRUE(missing.empty()) << missing.size() << " of " << last << " missing, first "
                                 << missing.front() << "\n"
                                 << log;
    EXPECT_EQ(d.sequences.size(), last);
  }

  std::uint16_t m_basePort = 0;
};

TEST_F(NatsRefusalTest, AnEdgeTheHubRefusesAtFirstRunsAndConnectsOnceItsUserExists) {
  startRefusingHub(kAdminOnly);  // no user e1 yet
  writeConfig(config());
  startSpindle();
  ASSERT_TRUE(eventually([&] { return count("Authorization Violation") > 0; }, 20s))
      << spindleLog();
  ASSERT_TRUE(eventually([&] { return count("building a new connection") > 0; }, 10s))
      << spindleLog();
  // Refused, it runs on: collecting into its journal, rebuilding the connection with backoff.
  ASSERT_TRUE(spindleRunning()) << spindleLog();
  expectJournalGrows();
  EXPECT_EQ(m_cloud->streamMessages("SPINDLE").value_or(99), 0u);

  m_hub->reload(kWithEdge);
  ASSERT_TRUE(eventually([&] { return count("NATS connected") > 0; }, 20s)) << spindleLog();
  ASSERT_TRUE(beatWhere([](const json& b) { return b["machines"].size() == 2; }).is_object())
      << spindleLog();
  // Diagnostics answered: its subscription was made again on the new connection.
  EXPECT_TRUE(answered(ask("status"))) << spindleLog();
  // A configuration from the bucket is applied: the watch moved to the new connection.
  const std::string version = putDesired(config("    reconnect_max: 2s\n"));
  EXPECT_TRUE(
      beatWhere([&](const json& b) { return b["config"]["version"] == version; }).is_object())
      << spindleLog();
  // The reason was logged once, not at every round.
  EXPECT_EQ(count("closed by the client library"), 1u) << spindleLog();
  EXPECT_EQ(count("stays down until spindle restarts"), 0u);
  expectCaughtUp(0s);
  stopAndExpectEverythingOnce();
}

TEST_F(NatsRefusalTest, RevokedCredentialsAreRecoveredFromWithoutARestart) {
  startRefusingHub(kWithEdge);
  writeConfig(config());
  startSpindle();
  ASSERT_TRUE(beatWhere([](const json& b) { return b["machines"].size() == 2; }).is_object())
      << spindleLog();
  ASSERT_TRUE(eventually([&] { return m_cloud->streamMessages("SPINDLE").value_or(0) > 0; }, 20s))
      << spindleLog();

  m_hub->reload(kAdminOnly);  // e1 removed: the hub disconnects it and refuses it since
  ASSERT_TRUE(eventually([&] { return count("closed by the client library") > 0; }, 30s))
      << spindleLog() << m_hub->log();
  EXPECT_GT(count("Authorization Violation"), 0u) << spindleLog();
  ASSERT_TRUE(spindleRunning()) << spindleLog();
  expectJournalGrows();

  m_hub->reload(kWithEdge);
  ASSERT_TRUE(eventually([&] { return count("is back after") > 0; }, 30s)) << spindleLog();
  // Heartbeats come again (on the new connection) and diagnostics are answered.
  while (nextBeat(100ms).is_object()) {
  }
  ASSERT_TRUE(nextBeat(10s).is_object()) << spindleLog();
  EXPECT_TRUE(answered(ask("status"))) << spindleLog();
  expectCaughtUp(3s);
  stopAndExpectEverythingOnce();
}

}  // namespace
}  // namespace spindle::testing
