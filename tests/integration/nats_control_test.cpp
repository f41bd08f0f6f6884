// control/ over real nats-server processes, with the edge's account restricted to exactly the
// permissions docs/deploy-nats.md lists: heartbeats arrive, diagnostics are answered, a
// desired configuration from the KV bucket is applied, a bad one is rejected and reported.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app/spindle_config.hpp"
#include "collectors/registry.hpp"
#include "control/channels/nats_channel.hpp"
#include "control/control.hpp"
#include "nats_cluster.hpp"
#include "test_journal.hpp"
#include "uplinks/nats/nats_uplink.hpp"

namespace spindle::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

/// The edge users of docs/deploy-nats.md for edge id "e1" (keep the two in step): `e1` connects
/// straight to the hub, `e1-leaf` is the login of the edge's leaf node (JetStream API subjects
/// carry the hub's domain across the link).
const char* const kHubAuthorization = R"(
authorization {
  users: [
    { user: admin, password: admin }
    { user: e1, password: e1-secret,
      permissions: {
        publish: {
          allow: [ "spindle.e1.data.>", "spindle.e1.hf.>", "spindle.e1.health",
                   "$JS.API.STREAM.NAMES",
                   "$JS.API.STREAM.INFO.KV_spindle_config",
                   "$JS.API.CONSUMER.CREATE.KV_spindle_config",
                   "$JS.API.CONSUMER.CREATE.KV_spindle_config.>",
                   "$JS.API.CONSUMER.DELETE.KV_spindle_config.>",
                   "$JS.FC.KV_spindle_config.>" ]
        }
        subscribe: { allow: [ "spindle.e1.diag.*", "_INBOX.e1.>" ] }
        allow_responses: true
      }
    }
    { user: e1-leaf, password: e1-leaf-secret,
      permissions: {
        publish: {
          allow: [ "spindle.e1.data.>", "spindle.e1.hf.>", "spindle.e1.health",
                   "$JS.hub.API.STREAM.NAMES",
                   "$JS.hub.API.STREAM.INFO.KV_spindle_config",
                   "$JS.hub.API.CONSUMER.CREATE.KV_spindle_config",
                   "$JS.hub.API.CONSUMER.CREATE.KV_spindle_config.>",
                   "$JS.hub.API.CONSUMER.DELETE.KV_spindle_config.>",
                   "$JS.FC.KV_spindle_config.>", "_INBOX.cloud.>" ]
        }
        subscribe: { allow: [ "spindle.e1.diag.*", "_INBOX.e1.>" ] }
        allow_responses: true
      }
    }
  ]
}
)";

const std::string kGoodConfig =
    "edge:\n  id: e1\nmachines:\n  - id: mill-1\n    type: shdr\n    host: 127.0.0.1\n";
const std::string kBadConfig =
    "edge:\n  id: e1\nmachines:\n  - id: mill-1\n    type: shdr\n    host: 127.0.0.1\n"
    "    prot: 7878\n";

class NatsControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (natsServerBinary().empty()) GTEST_SKIP() << "nats-server is not installed";
    m_dir = fs::temp_directory_path() / ("spindle_nats_control_" + std::to_string(::getpid()));
    fs::remove_all(m_dir);
    collectors::registerBuiltinCollectors(m_registry);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(m_dir);
  }

  uplinks::nats::NatsOptions edgeOptions(const std::string& url) const {
    uplinks::nats::NatsOptions o;
    o.servers = splitUrls(url);
    o.user = "e1";
    o.password = "e1-secret";
    o.reconnectMin = 50ms;
    o.reconnectMax = 500ms;
    return o;
  }

  control::ControlHooks hooks() {
    control::ControlHooks h;
    h.diagnostics.status = [] { return json{{"machines", json::array({"mill-1"})}}; };
    h.diagnostics.configText = [this] {
      return m_running + "uplinks:\n  nats:\n    password: e1-secret\n";
    };
    h.diagnostics.restartMachine = [this](const std::string& m) -> Status {
      if (m != "mill-1") return Error(ErrorCode::kNotFound, "no machine '" + m + "'");
      ++m_restarts;
      return okStatus();
    };
    h.diagnostics.journal = [] { return Result<json>(json{{"depth", 0}}); };
    h.diagnostics.logs = m_ring;
    h.config.validate = [this](const std::string& yaml) -> Status {
      auto loaded = app::loadConfigText(yaml, "spindle_config/e1", m_registry);
      if (!loaded.config) return Error(ErrorCode::kInvalidArgument, loaded.diagnostics.describe());
      return okStatus();
    };
    h.config.apply = [this](const std::string& yaml,
                            const std::string& version) -> Result<control::ApplyOutcome> {
      std::lock_guard lock(m_mutex);
      m_running = yaml;
      m_applied.push_back(version);
      return control::ApplyOutcome{};
    };
    h.runningConfig = {control::ConfigWatcher::fileVersion(m_running), "file", 0, "", ""};
    return h;
  }

  std::vector<std::string> applied() {
    std::lock_guard lock(m_mutex);
    return m_applied;
  }

  fs::path m_dir;
  collectors::Registry m_registry;
  std::shared_ptr<control::LogRing> m_ring = std::make_shared<control::LogRing>(100);
  std::mutex m_mutex;
  std::string m_running = "edge: {id: e1}\n";
  std::vector<std::string> m_applied;
  int m_restarts = 0;
};

json nextJson(natsSubscription* sub) {
  natsMsg* msg = nullptr;
  if (natsSubscription_NextMsg(&msg, sub, 10000) != NATS_OK) return json();
  json j =
      json::parse(std::string(natsMsg_GetData(msg), natsMsg_GetDataLength(msg)), nullptr, false);
  natsMsg_Destroy(msg);
  return j;
}

TEST_F(NatsControlTest, HealthDiagnosticsAndConfigurationWithTheDocumentedPermissions) {
  NatsServerConfig c;
  c.extra = kHubAuthorization;
  NatsHub hub(m_dir, c);
  ASSERT_TRUE(hub.start()) << hub.log();
  NatsClient admin(hub.url(), "", "admin", "admin");
  ASSERT_TRUE(admin.ok());
  ASSERT_TRUE(admin.addStream("SPINDLE", {"spindle.*.data.>"}, 600s, hub.replicas()));
  ASSERT_TRUE(admin.putKv("spindle_config", "other-edge", "edge: {id: other-edge}\n"));
  natsSubscription* health = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&health, admin.nc(), "spindle.e1.health"), NATS_OK);
  natsConnection_Flush(admin.nc());

  uplinks::nats::NatsConnection connection(edgeOptions(hub.url()), "e1");
  ASSERT_TRUE(connection.start().ok());
  ASSERT_TRUE(eventually([&] { return connection.connected(); }, 5s));
  control::ControlOptions co;
  co.healthInterval = 1s;
  co.configRetry = 200ms;
  control::NatsChannel channel(connection, "e1", "");
  control::Control control(co, "e1", m_dir.string(), channel, hooks());
  ASSERT_TRUE(control.start().ok());

  // Data goes out under the same account.
  model::ItemCatalog catalog;
  TestJournal journal(m_dir / "data");
  uplinks::DeliveryEngine uplink(*journal,
                                 std::make_unique<uplinks::nats::NatsUplink>(
                                     edgeOptions(hub.url()), "e1", connection, catalog),
                                 catalog);
  ASSERT_TRUE(uplink.start().ok());
  const auto m = catalog.addMachine("mill-1");
  journal.append(
      {{m, catalog.intern(m, "x").value(), wallClockNs(), model::Kind::kEvent, 0, std::int64_t{1}}},
      catalog);
  EXPECT_TRUE(eventually([&] { return uplink.stats().position == 2; }, 10s))
      << uplink.stats().lastError;
  uplink.stop();

  // Heartbeat.
  const json beat = nextJson(health);
  ASSERT_TRUE(beat.is_object());
  EXPECT_EQ(beat["schema"], "spindle.health.v1");
  EXPECT_EQ(beat["edge"], "e1");
  EXPECT_EQ(beat["config"]["source"], "file");
  EXPECT_GT(beat["memory"]["rss_bytes"].get<std::uint64_t>(), 0u);

  // Diagnostics, asked by the cloud side.
  auto ask = [&](const std::string& command, const std::string& body = "") {
    auto reply = admin.request("spindle.e1.diag." + command, body);
    return reply ? json::parse(*reply, nullptr, false) : json();
  };
  EXPECT_EQ(ask("status")["result"]["machines"][0], "mill-1");
  const json cfg = ask("config");
  EXPECT_TRUE(cfg["ok"].get<bool>());
  EXPECT_EQ(cfg["result"]["yaml"].get<std::string>().find("e1-secret"), std::string::npos);
  EXPECT_TRUE(ask("restart", R"({"machine":"mill-1"})")["ok"].get<bool>());
  EXPECT_EQ(m_restarts, 1);
  EXPECT_FALSE(ask("restart", R"({"machine":"nope"})")["ok"].get<bool>());
  EXPECT_TRUE(ask("journal")["ok"].get<bool>());
  EXPECT_TRUE(ask("logs", R"({"lines":10})")["ok"].get<bool>());
  const json unknown = ask("selfdestruct");
  EXPECT_FALSE(unknown["ok"].get<bool>());
  EXPECT_EQ(unknown["command"], "selfdestruct");
  EXPECT_NE(unknown["error"].get<std::string>().find("unknown command"), std::string::npos);
  EXPECT_FALSE(ask("netcheck")["ok"].get<bool>());  // not wired on this edge

  // A configuration change from the cloud is applied and stored as last-known-good.
  std::uint64_t revision = 0;
  ASSERT_TRUE(admin.putKv("spindle_config", "e1", kGoodConfig, &revision));
  const std::string version = "kv:" + std::to_string(revision);
  ASSERT_TRUE(eventually([&] { return !applied().empty() && applied().back() == version; }, 10s))
      << hub.log();
  json reported;
  ASSERT_TRUE(eventually(
      [&] {
        reported = nextJson(health);
        return reported.is_object() && reported["config"]["version"] == version;
      },
      10s));
  EXPECT_EQ(reported["config"]["source"], "cloud");
  auto lkg = control::ConfigWatcher::loadLastKnownGood(m_dir.string());
  ASSERT_TRUE(lkg.ok() && lkg->has_value());
  EXPECT_EQ((*lkg)->yaml, kGoodConfig);

  // A bad one is rejected, reported, and the running configuration stays.
  ASSERT_TRUE(admin.putKv("spindle_config", "e1", kBadConfig, &revision));
  const std::string badVersion = "kv:" + std::to_string(revision);
  ASSERT_TRUE(eventually(
      [&] {
        reported = nextJson(health);
        return reported.is_object() &&
               reported["config"].value("rejected_version", "") == badVersion;
      },
      10s));
  EXPECT_EQ(reported["config"]["version"], version);
  EXPECT_NE(reported["config"]["error"].get<std::string>().find("unknown key 'prot'"),
            std::string::npos)
      << reported.dump();
  EXPECT_NE(reported["config"]["error"].get<std::string>().find("spindle_config/e1:7"),
            std::string::npos)
      << reported.dump();
  EXPECT_EQ(applied().size(), 1u);
  EXPECT_EQ((*control::ConfigWatcher::loadLastKnownGood(m_dir.string()).value()).version, version);

  // The account keeps the edge to its own subjects.
  const std::string log = hub.log();
  EXPECT_EQ(log.find("Violation"), std::string::npos) << log;
  control.stop();
  natsSubscription_Destroy(health);
}

TEST_F(NatsControlTest, ThroughALeafNodeWithTheDocumentedLeafPermissions) {
  NatsServerConfig hubConfig;
  hubConfig.name = "hub";
  hubConfig.jsDomain = "hub";
  hubConfig.leafListener = true;
  hubConfig.extra = kHubAuthorization;
  NatsHub hub(m_dir, hubConfig);
  ASSERT_TRUE(hub.start()) << hub.log();
  NatsServerConfig leafConfig;
  leafConfig.name = "leaf";
  leafConfig.jsDomain = "leaf";
  leafConfig.leafRemotePort = hub.leafPort();
  leafConfig.leafRemoteUser = "e1-leaf:e1-leaf-secret";
  NatsServer leaf(m_dir, leafConfig);
  ASSERT_TRUE(leaf.start()) << leaf.log() << hub.log();
  // Leaf-node logins cannot use allow_responses: diagnostic replies go to the cloud's own
  // inbox prefix, which the leaf user may publish to.
  NatsClient cloud(hub.url(), "", "admin", "admin", "_INBOX.cloud");
  std::uint64_t revision = 0;
  ASSERT_TRUE(cloud.putKv("spindle_config", "e1", kGoodConfig, &revision));
  ASSERT_TRUE(cloud.addStream("SPINDLE", {"spindle.*.data.>"}, 600s, hub.replicas()));
  natsSubscription* health = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&health, cloud.nc(), "spindle.e1.health"), NATS_OK);
  natsConnection_Flush(cloud.nc());

  uplinks::nats::NatsOptions o;
  o.servers = {leaf.url()};
  uplinks::nats::NatsConnection connection(o, "e1");
  ASSERT_TRUE(connection.start().ok());
  control::ControlOptions co;
  co.configRetry = 200ms;
  co.healthInterval = 1s;
  control::NatsChannel channel(connection, "e1", "hub");
  control::Control control(co, "e1", m_dir.string(), channel, hooks());
  ASSERT_TRUE(control.start().ok());
  ASSERT_TRUE(eventually([&] { return !applied().empty(); }, 10s)) << hub.log();
  EXPECT_EQ(applied().front(), "kv:" + std::to_string(revision));
  // Diagnostics requested on the hub reach the edge through the leaf node.
  auto reply = cloud.request("spindle.e1.diag.status", "");
  ASSERT_TRUE(reply.has_value()) << hub.log();
  EXPECT_TRUE(json::parse(*reply)["ok"].get<bool>());
  // Heartbeats and data cross the link too.
  EXPECT_TRUE(nextJson(health).is_object()) << hub.log();
  model::ItemCatalog catalog;
  TestJournal journal(m_dir / "data");
  uplinks::DeliveryEngine uplink(
      *journal, std::make_unique<uplinks::nats::NatsUplink>(o, "e1", connection, catalog), catalog);
  ASSERT_TRUE(uplink.start().ok());
  const auto m = catalog.addMachine("mill-1");
  journal.append(
      {{m, catalog.intern(m, "x").value(), wallClockNs(), model::Kind::kEvent, 0, std::int64_t{1}}},
      catalog);
  EXPECT_TRUE(eventually([&] { return uplink.stats().position == 2; }, 10s))
      << uplink.stats().lastError;
  uplink.stop();
  control.stop();
  natsSubscription_Destroy(health);
  EXPECT_EQ(hub.log().find("Violation"), std::string::npos) << hub.log();
  EXPECT_EQ(leaf.log().find("Violation"), std::string::npos) << leaf.log();
}

}  // namespace
}  // namespace spindle::testing
