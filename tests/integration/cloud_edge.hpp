#pragma once
/// The spindle binary as the cloud sees it: a hub (real nats-server on loopback), the edge
/// started with `uplinks: nats:` and `control:`, and the cloud's side of heartbeats,
/// diagnostics and the KV bucket. Header-only; used by nats_*_test.cpp files.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "loopback_config.hpp"
#include "nats_cluster.hpp"

namespace spindle::testing {

class CloudEdgeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (natsServerBinary().empty()) GTEST_SKIP() << "nats-server is not installed";
    m_dir = fs::temp_directory_path() /
            ("spindle_edge_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }
  void TearDown() override {
    m_spindle.reset();
    if (m_health != nullptr) natsSubscription_Destroy(m_health);
    m_cloud.reset();
    m_hub.reset();
    if (!HasFailure()) fs::remove_all(m_dir);
  }

  /// Starts the hub (with `hubExtra` configuration text) and the cloud's client; a 3-node
  /// cluster with SPINDLE_NATS_CLUSTER=1 (streams then take m_hub->replicas()).
  void startHub(const std::string& hubExtra = "", const std::string& user = "",
                const std::string& password = "") {
    NatsServerConfig c;
    c.extra = hubExtra;
    m_hub = std::make_unique<NatsHub>(m_dir, c);
    ASSERT_TRUE(m_hub->start()) << m_hub->log();
    m_cloud = std::make_unique<NatsClient>(m_hub->url(), "", user, password);
    ASSERT_TRUE(m_cloud->ok());
    ASSERT_EQ(natsConnection_SubscribeSync(&m_health, m_cloud->nc(), "spindle.e1.health"), NATS_OK);
    natsConnection_Flush(m_cloud->nc());
  }

  std::string configPath() const { return (m_dir / "spindle.yaml").string(); }

  /// What varies in the edge's local file between tests.
  struct EdgeText {
    std::string machines;       ///< the body of `machines:` (a YAML list)
    std::string server;         ///< the hub's URL; "" for the test hub's
    std::string natsExtra;      ///< more lines of `uplinks: nats:` (4 spaces in)
    std::string controlExtra;   ///< more lines of `control:` (2 spaces in)
    std::uint16_t webPort = 0;  ///< 0: no web server
    std::string statusInterval = "0s";
  };

  /// The edge's local file: edge e1, loopback only, heartbeats every second.
  std::string edgeConfig(const EdgeText& t) const {
    return "edge:\n  id: e1\n  data_dir: " + (m_dir / "data").string() +
           "\n  status_interval: " + t.statusInterval + "\n" + loopbackSections(t.webPort) +
           "journal:\n  fsync: 20ms\n" + "uplinks:\n  nats:\n    servers: [" +
           (t.server.empty() ? m_hub->url() : t.server) +
           "]\n    reconnect_min: 50ms\n    reconnect_max: 500ms\n" + t.natsExtra +
           "control:\n  health_interval: 1s\n  config_retry: 200ms\n" + t.controlExtra +
           "machines:\n" + t.machines;
  }
  void writeConfig(const std::string& text) { std::ofstream(configPath()) << text; }

  void startSpindle() {
    m_spindle = std::make_unique<Process>(
        std::vector<std::string>{SPINDLE_BINARY, "run", "-c", configPath()},
        (m_dir / "spindle.out").string(), (m_dir / "spindle.err").string());
  }
  int stopSpindle() {
    const int code = m_spindle ? m_spindle->kill(SIGTERM) : 0;
    m_spindle.reset();
    return code;
  }
  std::string spindleLog() const { return readFile((m_dir / "spindle.err").string()); }

  /// The next heartbeat, or null after `timeout`.
  nlohmann::json nextBeat(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    natsMsg* msg = nullptr;
    if (natsSubscription_NextMsg(&msg, m_health, timeout.count()) != NATS_OK) return {};
    auto j = nlohmann::json::parse(std::string(natsMsg_GetData(msg), natsMsg_GetDataLength(msg)),
                                   nullptr, false);
    natsMsg_Destroy(msg);
    return j;
  }
  /// Waits for a heartbeat that satisfies `pred`; returns it (null when none came in time).
  template <typename Pred>
  nlohmann::json beatWhere(Pred&& pred, std::chrono::seconds timeout = std::chrono::seconds(20)) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      auto beat = nextBeat();
      if (beat.is_object() && pred(beat)) return beat;
    }
    return {};
  }
  /// A diagnostics request, as the cloud sends it.
  nlohmann::json ask(const std::string& command, const std::string& body = "") {
    auto reply = m_cloud->request("spindle.e1.diag." + command, body);
    return reply ? nlohmann::json::parse(*reply, nullptr, false) : nlohmann::json();
  }
  /// Puts a desired configuration for e1 into the bucket; returns "kv:<revision>".
  std::string putDesired(const std::string& yaml) {
    std::uint64_t revision = 0;
    EXPECT_TRUE(m_cloud->putKv("spindle_config", "e1", yaml, &revision));
    return "kv:" + std::to_string(revision);
  }

  fs::path m_dir;
  std::unique_ptr<NatsHub> m_hub;
  std::unique_ptr<NatsClient> m_cloud;
  natsSubscription* m_health = nullptr;
  std::unique_ptr<Process> m_spindle;
};

}  // namespace spindle::testing
