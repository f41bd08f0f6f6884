// The spindle binary with `uplinks: nats:` and `control:` in spindle.yaml: simulated machines
// -> collectors -> journal -> hub JetStream stream; kill -9 and restart; heartbeats,
// diagnostics and configuration from the KV bucket. Skipped while the binary does not accept
// the nats section (the parts are tested on their own in the other nats_*_test.cpp files).

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "loopback_config.hpp"
#include "nats_cluster.hpp"

namespace spindle::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class NatsSpindleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (natsServerBinary().empty()) GTEST_SKIP() << "nats-server is not installed";
    m_dir = fs::temp_directory_path() /
            ("spindle_nats_bin_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
    m_hub = std::make_unique<NatsHub>(m_dir, NatsServerConfig{});
    ASSERT_TRUE(m_hub->start()) << m_hub->log();
    writeConfig("");
    Process validate({SPINDLE_BINARY, "validate", config()}, (m_dir / "v.out").string(),
                     (m_dir / "v.err").string());
    // The configuration the tests run must validate: a rejection is a failure, never a skip.
    ASSERT_EQ(validate.wait(30s), 0) << "spindle validate rejected the test configuration: "
                                     << readFile((m_dir / "v.err").string());
    NatsClient client(m_hub->url());
    ASSERT_TRUE(client.addStream("SPINDLE", {"spindle.*.data.>"}, 600s, m_hub->replicas()));
  }
  void TearDown() override {
    m_spindle.reset();
    m_hub.reset();
    if (!HasFailure()) fs::remove_all(m_dir);
  }

  std::string config() const { return (m_dir / "spindle.yaml").string(); }

  /// The same simulator ports every time: a changed configuration changes only what it says.
  void writeConfig(const std::string& machineExtra) {
    if (m_basePort == 0) m_basePort = freePortRange(2);
    const std::uint16_t base = m_basePort;
    std::ofstream out(config());
    out << "edge:\n  id: e1\n  data_dir: " << (m_dir / "data").string()
        << "\n  status_interval: 0s\n"
        << loopbackSections()
        << "simulator:\n  enabled: true\n  machines: 2\n  names: [mill-1, mill-2]\n"
        << "  base_port: " << base << "\n  time_scale: 20\n  tick: 20ms\n"
        << "journal:\n  fsync: 20ms\n"
        << m_journalExtra << "uplinks:\n  nats:\n    servers: [" << m_hub->url() << "]\n"
        << "    reconnect_min: 50ms\n    reconnect_max: 500ms\n    hf_items: [spindle_load]\n"
        << "control:\n  health_interval: 1s\n  config_retry: 200ms\n"
        << "machines:\n";
    for (int i = 0; i < 2; ++i) {
      out << "  - id: mill-" << i + 1
          << "\n    type: shdr\n    host: 127.0.0.1\n    port: " << base + i << "\n"
          << machineExtra;
    }
  }

  void startSpindle() {
    m_spindle = std::make_unique<Process>(
        std::vector<std::string>{SPINDLE_BINARY, "run", "-c", config()},
        (m_dir / "spindle.out").string(), (m_dir / "spindle.err").string());
  }
  std::string spindleLog() const { return readFile((m_dir / "spindle.err").string()); }

  /// Every stored observation once, sequences contiguous from 1.
  void expectContiguousOnce(const StoredData& d) {
    ASSERT_TRUE(d.error.empty()) << d.error;
    ASSERT_FALSE(d.sequences.empty());
    const auto last = *std::max_element(d.sequences.begin(), d.sequences.end());
    EXPECT_TRUE(d.duplicates().empty()) << d.duplicates().size() << " duplicated";
    const auto missing = d.missing(1, last);
    EXPECT_TRUE(missing.empty()) << missing.size() << " missing of " << last << ", first "
                                 << missing.front();
  }

  fs::path m_dir;
  std::unique_ptr<NatsHub> m_hub;
  std::unique_ptr<Process> m_spindle;
  std::uint16_t m_basePort = 0;
  std::string m_journalExtra;
};

TEST_F(NatsSpindleTest, SimulatedMachinesReachTheHubStream) {
  NatsClient client(m_hub->url());
  natsSubscription* hf = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&hf, client.nc(), "spindle.e1.hf.>"), NATS_OK);
  natsConnection_Flush(client.nc());
  startSpindle();
  ASSERT_TRUE(eventually([&] { return client.streamMessages("SPINDLE").value_or(0) >= 50; }, 30s))
      << spindleLog();
  EXPECT_EQ(m_spindle->kill(SIGTERM), 0) << spindleLog();
  const StoredData d = client.readStream("SPINDLE", "spindle.e1.data.>");
  expectContiguousOnce(d);
  EXPECT_TRUE(d.subjects.count("spindle.e1.data.mill-1")) << spindleLog();
  EXPECT_TRUE(d.subjects.count("spindle.e1.data.mill-2"));
  // The high-frequency channel (hf_items) carries spindle load beside the journal's data.
  natsMsg* msg = nullptr;
  EXPECT_EQ(natsSubscription_NextMsg(&msg, hf, 2000), NATS_OK) << spindleLog();
  if (msg != nullptr) {
    EXPECT_EQ(std::string(natsMsg_GetSubject(msg)).rfind("spindle.e1.hf.mill-", 0), 0u);
    natsMsg_Destroy(msg);
  }
  natsSubscription_Destroy(hf);
}

TEST_F(NatsSpindleTest, KillNineAndRestartLoseAndDuplicateNothing) {
  NatsClient client(m_hub->url());
  startSpindle();
  ASSERT_TRUE(eventually([&] { return client.streamMessages("SPINDLE").value_or(0) >= 100; }, 30s))
      << spindleLog();
  m_spindle->kill(SIGKILL);
  const auto atKill = client.streamMessages("SPINDLE").value_or(0);
  startSpindle();
  ASSERT_TRUE(
      eventually([&] { return client.streamMessages("SPINDLE").value_or(0) >= atKill + 100; }, 30s))
      << spindleLog();
  EXPECT_EQ(m_spindle->kill(SIGTERM), 0) << spindleLog();
  expectContiguousOnce(client.readStream("SPINDLE", "spindle.e1.data.>"));
}

// The restart that used to delete the NATS backlog: the file uplink registered with the
// journal first and retention took its position as everyone's. Restarts (clean, then kill -9)
// while the hub is down, the backlog spread over many segments; then the hub comes back and
// every observation reaches the stream exactly once.
TEST_F(NatsSpindleTest, RestartsWhileTheHubIsDownLoseNothing) {
  m_journalExtra = "  segment_size: 8KiB\n";
  writeConfig("");
  const fs::path journal = m_dir / "data" / "journal";
  const auto segments = [&] {
    std::size_t n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(journal, ec)) n += e.path().extension() == ".seg";
    return n;
  };
  {
    NatsClient client(m_hub->url());
    startSpindle();
    ASSERT_TRUE(eventually([&] { return client.streamMessages("SPINDLE").value_or(0) >= 20; }, 30s))
        << spindleLog();
  }
  m_hub->stop();
  ASSERT_TRUE(eventually([&] { return segments() >= 5; }, 60s)) << spindleLog();
  EXPECT_EQ(m_spindle->kill(SIGTERM), 0) << spindleLog();
  startSpindle();  // a clean restart, the hub still down
  std::size_t before = segments();
  ASSERT_TRUE(eventually([&] { return segments() >= before + 3; }, 60s)) << spindleLog();
  m_spindle->kill(SIGKILL);
  startSpindle();  // and a kill -9, still down
  before = segments();
  ASSERT_TRUE(eventually([&] { return segments() >= before + 2; }, 60s)) << spindleLog();
  ASSERT_TRUE(m_hub->start()) << m_hub->log();
  NatsClient client(m_hub->url());
  std::string why;
  const bool complete = eventually(
      [&] {
        const StoredData d = client.readStream("SPINDLE", "spindle.e1.data.>");
        if (!d.error.empty() || d.sequences.empty()) return false;
        const auto last = *std::max_element(d.sequences.begin(), d.sequences.end());
        const auto missing = d.missing(1, last);
        why = std::to_string(missing.size()) + " missing of " + std::to_string(last);
        std::this_thread::sleep_for(200ms);  // each check reads the whole stream
        return missing.empty();
      },
      90s);
  EXPECT_TRUE(complete) << why << "\n" << spindleLog();
  EXPECT_EQ(m_spindle->kill(SIGTERM), 0) << spindleLog();
  expectContiguousOnce(client.readStream("SPINDLE", "spindle.e1.data.>"));
  EXPECT_EQ(spindleLog().find("dropped segment"), std::string::npos);
}

// A hub that goes away is said once in Spindle's words, and once when it is back: not the
// client library's missed-heartbeat and timeout errors of the configuration watch every 5 s.
TEST_F(NatsSpindleTest, AHubThatGoesAwayIsLoggedOnceAndItsReturnOnce) {
  {
    NatsClient cloud(m_hub->url());
    ASSERT_TRUE(cloud.putKv("spindle_config", "another-edge", "edge: {}\n"));  // the bucket
  }
  startSpindle();
  ASSERT_TRUE(
      eventually([&] { return spindleLog().find("NATS connected") != std::string::npos; }, 30s))
      << spindleLog();
  std::this_thread::sleep_for(2s);  // the configuration watch is running
  m_hub->stop();
  ASSERT_TRUE(eventually([&] { return spindleLog().find("is down") != std::string::npos; }, 30s))
      << spindleLog();
  std::this_thread::sleep_for(16s);  // three of the library's 5 s heartbeat periods
  ASSERT_TRUE(m_hub->start()) << m_hub->log();
  ASSERT_TRUE(
      eventually([&] { return spindleLog().find("is back after") != std::string::npos; }, 30s))
      << spindleLog();
  EXPECT_EQ(m_spindle->kill(SIGTERM), 0) << spindleLog();
  const std::string log = spindleLog();
  auto count = [&log](const std::string& what) {
    std::size_t n = 0;
    for (auto at = log.find(what); at != std::string::npos; at = log.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("the cloud hub"), 2u) << log;
  EXPECT_EQ(count("Missed Server Heartbeat"), 0u) << log;
  EXPECT_EQ(count("NATS error"), 0u) << log;
}

TEST_F(NatsSpindleTest, HeartbeatsDiagnosticsAndConfigurationFromTheCloud) {
  NatsClient cloud(m_hub->url());
  natsSubscription* health = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&health, cloud.nc(), "spindle.e1.health"), NATS_OK);
  natsConnection_Flush(cloud.nc());
  startSpindle();
  auto nextBeat = [&] {
    natsMsg* msg = nullptr;
    if (natsSubscription_NextMsg(&msg, health, 5000) != NATS_OK) return json();
    json j =
        json::parse(std::string(natsMsg_GetData(msg), natsMsg_GetDataLength(msg)), nullptr, false);
    natsMsg_Destroy(msg);
    return j;
  };
  json beat;
  ASSERT_TRUE(eventually(
      [&] {
        beat = nextBeat();
        return beat.is_object() && beat["machines"].size() == 2;
      },
      20s))
      << spindleLog();
  EXPECT_FALSE(beat["journal"].is_null());
  // The age of the oldest undelivered observation: seconds, not a timestamp.
  ASSERT_TRUE(beat["journal"]["age_s"].is_number()) << beat.dump();
  EXPECT_GE(beat["journal"]["age_s"].get<double>(), 0.0);
  EXPECT_LT(beat["journal"]["age_s"].get<double>(), 60.0);

  auto status = cloud.request("spindle.e1.diag.status", "");
  ASSERT_TRUE(status.has_value()) << spindleLog();
  EXPECT_TRUE(json::parse(*status)["ok"].get<bool>()) << *status;
  // netcheck is wired (an unknown profile is refused before any check leaves the edge) and
  // unknown commands get an error reply.
  auto netcheck = cloud.request("spindle.e1.diag.netcheck", R"({"profile":"nope"})");
  ASSERT_TRUE(netcheck.has_value());
  EXPECT_FALSE(json::parse(*netcheck)["ok"].get<bool>()) << *netcheck;
  EXPECT_NE(netcheck->find("nope"), std::string::npos) << *netcheck;
  auto unknown = cloud.request("spindle.e1.diag.reboot", "");
  ASSERT_TRUE(unknown.has_value());
  EXPECT_FALSE(json::parse(*unknown)["ok"].get<bool>()) << *unknown;

  // The configuration from the bucket: the same machines with a changed option.
  writeConfig("    reconnect_max: 2s\n");
  std::ifstream in(config());
  const std::string desired((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::uint64_t revision = 0;
  ASSERT_TRUE(cloud.putKv("spindle_config", "e1", desired, &revision));
  ASSERT_TRUE(eventually(
      [&] {
        beat = nextBeat();
        return beat.is_object() && beat["config"]["version"] == "kv:" + std::to_string(revision);
      },
      20s))
      << spindleLog();

  ASSERT_TRUE(cloud.putKv("spindle_config", "e1", desired + "  - id: broken\n", &revision));
  ASSERT_TRUE(eventually(
      [&] {
        beat = nextBeat();
        return beat.is_object() &&
               beat["config"].value("rejected_version", "") == "kv:" + std::to_string(revision);
      },
      20s))
      << spindleLog();
  EXPECT_FALSE(beat["config"]["error"].get<std::string>().empty());
  EXPECT_EQ(m_spindle->kill(SIGTERM), 0) << spindleLog();
  natsSubscription_Destroy(health);
}

}  // namespace
}  // namespace spindle::testing
