// control/ without a server, over an in-memory channel: diagnostics answers, health reports,
// configuration decisions. The same parts over NATS (control/channels/nats_channel.hpp) with
// real nats-server processes: tests/integration/nats_control_test.cpp.

#include "control/control.hpp"

#include <filesystem>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

#include "control/config_watcher.hpp"
#include "control/diagnostics.hpp"
#include "control/health.hpp"
#include "control/testing/fake_channel.hpp"

namespace spindle::control {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

using testing::FakeChannel;

TEST(ControlLogRing, KeepsTheLastLines) {
  auto ring = std::make_shared<LogRing>(3);
  spdlog::logger log("test.ring", ring);
  for (int i = 1; i <= 5; ++i) log.info("line {}", i);
  const auto all = ring->lines(10);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_NE(all[0].find("line 3"), std::string::npos);
  EXPECT_NE(all[2].find("line 5"), std::string::npos);
  EXPECT_NE(all[2].find("[test.ring]"), std::string::npos);
  EXPECT_EQ(ring->lines(1).size(), 1u);
}

TEST(ControlLogRing, FollowsNewLinesByTheirCount) {
  auto ring = std::make_shared<LogRing>(3);
  spdlog::logger log("test.follow", ring);
  std::uint64_t seen = 0;
  EXPECT_TRUE(ring->linesAfter(seen, seen).empty());
  log.info("line 1");
  log.info("line 2");
  auto fresh = ring->linesAfter(seen, seen);
  ASSERT_EQ(fresh.size(), 2u);
  EXPECT_NE(fresh[1].find("line 2"), std::string::npos);
  EXPECT_EQ(seen, 2u);
  EXPECT_TRUE(ring->linesAfter(seen, seen).empty());
  // More new lines than the ring holds: the newest it still has.
  for (int i = 3; i <= 7; ++i) log.info("line {}", i);
  fresh = ring->linesAfter(seen, seen);
  ASSERT_EQ(fresh.size(), 3u);
  EXPECT_NE(fresh[0].find("line 5"), std::string::npos);
  EXPECT_EQ(seen, 7u);
}

TEST(ControlDiagnostics, AnswersEachCommand) {
  auto ring = std::make_shared<LogRing>(10);
  spdlog::logger log("test.diag", ring);
  log.warn("something happened");
  std::string restarted;
  DiagnosticsHandlers h;
  h.status = [] { return json{{"machines", 2}}; };
  h.configText = [] { return std::string("uplinks:\n  nats:\n    password: pw123\n"); };
  h.restartMachine = [&](const std::string& m) -> Status {
    if (m != "mill-1") return Error(ErrorCode::kNotFound, "no machine '" + m + "'");
    restarted = m;
    return okStatus();
  };
  h.logs = ring;
  FakeChannel channel;
  DiagnosticsService d("e1", channel, h);
  EXPECT_EQ(d.handle("status", "")["result"]["machines"], 2);
  const json logs = d.handle("logs", R"({"lines":5})");
  ASSERT_TRUE(logs["ok"].get<bool>());
  EXPECT_NE(logs["result"]["lines"][0].get<std::string>().find("something happened"),
            std::string::npos);
  const json config = d.handle("config", "");
  EXPECT_EQ(config["result"]["yaml"].get<std::string>().find("pw123"), std::string::npos);
  EXPECT_TRUE(d.handle("restart", R"({"machine":"mill-1"})")["ok"].get<bool>());
  EXPECT_EQ(restarted, "mill-1");
  const json bad = d.handle("restart", R"({"machine":"mill-9"})");
  EXPECT_FALSE(bad["ok"].get<bool>());
  EXPECT_NE(bad["error"].get<std::string>().find("mill-9"), std::string::npos);
  EXPECT_FALSE(d.handle("restart", "")["ok"].get<bool>());
  EXPECT_FALSE(d.handle("logs", R"({"lines":-1})")["ok"].get<bool>());
  EXPECT_FALSE(d.handle("status", "not json")["ok"].get<bool>());
  const json unknown = d.handle("reboot", "");
  EXPECT_FALSE(unknown["ok"].get<bool>());
  EXPECT_NE(unknown["error"].get<std::string>().find("unknown command 'reboot'"),
            std::string::npos);
  const json missing = d.handle("netcheck", "");  // no handler on this edge
  EXPECT_NE(missing["error"].get<std::string>().find("not available"), std::string::npos);
  EXPECT_NE(d.handle("upload", "")["error"].get<std::string>().find("not available"),
            std::string::npos);
}

TEST(ControlDiagnostics, UploadPassesItsArgumentsAndAnswersTheQueuedUpload) {
  DiagnosticsHandlers h;
  json seen;
  h.upload = [&](const json& args) -> Result<json> {
    seen = args;
    if (args.contains("url") && args["url"] == "http://plain") {
      return Error(ErrorCode::kInvalidArgument, "url must be a presigned https:// PUT URL");
    }
    return json{{"upload", "u-1"}, {"key", "diagnostics/e1/x.json"}, {"bytes", 10}};
  };
  FakeChannel channel;
  DiagnosticsService d("e1", channel, h);
  const json r = d.handle("upload", R"({"url":"https://bucket.example.com/x?X-Amz-Signature=1"})");
  ASSERT_TRUE(r["ok"].get<bool>()) << r.dump();
  EXPECT_EQ(r["result"]["upload"], "u-1");
  EXPECT_EQ(seen["url"], "https://bucket.example.com/x?X-Amz-Signature=1");
  const json refused = d.handle("upload", R"({"url":"http://plain"})");
  EXPECT_FALSE(refused["ok"].get<bool>());
  EXPECT_NE(refused["error"].get<std::string>().find("presigned https://"), std::string::npos);
}

class CountingProvider final : public HealthProvider {
 public:
  std::uint64_t count = 0;
  void fill(HealthReport& r) override {
    r.machines.push_back({"mill-1", "connected", "", count, -1, 0});
    r.clockOffsetMs = 1.5;
  }
};

TEST(ControlHealth, ReportsRatesAndEveryFigure) {
  FakeChannel channel;
  HealthPublisher p(HealthOptions{}, "e1", fs::temp_directory_path().string(), channel);
  CountingProvider provider;
  p.addProvider(provider);
  provider.count = 100;
  p.collect();
  provider.count = 100 + 1000;
  const HealthReport r = p.collect();
  ASSERT_EQ(r.machines.size(), 1u);
  EXPECT_GT(r.machines[0].observationRate, 0);
  const json j = json::parse(toJson(r));
  EXPECT_EQ(j["schema"], kHealthSchema);
  EXPECT_EQ(j["edge"], "e1");
  EXPECT_EQ(j["version"], SPINDLE_VERSION);
  EXPECT_EQ(j["machines"][0]["observations"], 1100);
  EXPECT_TRUE(j["machines"][0]["last_data_age_s"].is_null());  // nothing said it had data
  EXPECT_EQ(j["clock_offset_ms"], 1.5);
  EXPECT_TRUE(j["journal"].is_null());
  EXPECT_TRUE(j["uploads"].is_null());  // no upload queue said anything
  for (const char* key : {"uptime_s", "config", "uplinks", "cpu_percent", "memory", "disk"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_GT(j["memory"]["rss_bytes"].get<std::uint64_t>(), 0u);
  HealthReport withUploads = r;
  withUploads.uploads = UploadsHealth{2, 1, 3u << 30};
  const json u = json::parse(toJson(withUploads))["uploads"];
  EXPECT_EQ(u, json({{"pending", 2}, {"failed", 1}, {"bytes", 3ull << 30}})) << u.dump();
  ASSERT_TRUE(p.publishNow().ok());
  ASSERT_EQ(channel.published().size(), 1u);
  EXPECT_EQ(channel.published()[0].first, "health");
  EXPECT_EQ(json::parse(channel.published()[0].second)["edge"], "e1");
  channel.setConnected(false);
  EXPECT_FALSE(p.publishNow().ok());  // the channel is down: an error, not a crash
}

class ConfigDecisions : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("control_cfg_" + std::to_string(::getpid()));
    fs::remove_all(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  std::unique_ptr<ConfigWatcher> watcher() {
    ConfigCallbacks cb;
    cb.validate = [](const std::string& yaml) -> Status {
      if (yaml.find("bad") != std::string::npos) {
        return Error(ErrorCode::kInvalidArgument, "spindle.yaml:3:5: unknown key 'bad'");
      }
      return okStatus();
    };
    cb.apply = [this](const std::string& yaml, const std::string& version) -> Result<ApplyOutcome> {
      if (yaml.find("unappliable") != std::string::npos) {
        return Error(ErrorCode::kUnavailable, "port in use");
      }
      m_applied.push_back(version);
      ApplyOutcome outcome;
      if (yaml.find("journal") != std::string::npos) outcome.pendingRestart = {"journal"};
      if (yaml.find("uplinks") != std::string::npos) outcome.refused = {"uplinks: local-only"};
      return outcome;
    };
    cb.changed = [this] { ++m_changes; };
    ConfigWatchOptions o;
    o.dataDir = m_dir.string();
    return std::make_unique<ConfigWatcher>(o, "e1", m_channel, cb,
                                           ConfigState{"file:1", "file", 0, "", ""});
  }

  FakeChannel m_channel;
  fs::path m_dir;
  std::vector<std::string> m_applied;
  int m_changes = 0;
};

TEST_F(ConfigDecisions, AppliesValidOnesOnceAndStoresThem) {
  auto w = watcher();
  w->offer("edge: {id: e1}\n", 7);
  w->offer("edge: {id: e1}\n", 7);  // the same revision again (a watch restart)
  EXPECT_EQ(m_applied, std::vector<std::string>{"kv:7"});
  EXPECT_EQ(w->state().version, "kv:7");
  EXPECT_EQ(w->state().source, "cloud");
  auto lkg = ConfigWatcher::loadLastKnownGood(m_dir.string());
  ASSERT_TRUE(lkg.ok());
  ASSERT_TRUE(lkg->has_value());
  EXPECT_EQ((*lkg)->yaml, "edge: {id: e1}\n");
  EXPECT_EQ((*lkg)->version, "kv:7");
  EXPECT_GT((*lkg)->appliedAt, 0);
  EXPECT_EQ(m_changes, 1);
}

TEST_F(ConfigDecisions, RejectsInvalidOnesAndKeepsTheRunningOne) {
  auto w = watcher();
  w->offer("edge: {id: e1}\n", 3);
  w->offer("bad: key\n", 4);
  EXPECT_EQ(w->state().version, "kv:3");
  EXPECT_EQ(w->state().rejectedVersion, "kv:4");
  EXPECT_NE(w->state().error.find("unknown key 'bad'"), std::string::npos);
  HealthReport r;
  w->fill(r);
  EXPECT_EQ(r.config.version, "kv:3");
  EXPECT_NE(r.config.error.find("unknown key"), std::string::npos);
  w->offer("unappliable: true\n", 5);
  EXPECT_EQ(w->state().rejectedVersion, "kv:5");
  EXPECT_NE(w->state().error.find("applying failed: port in use"), std::string::npos);
  auto stored = ConfigWatcher::loadLastKnownGood(m_dir.string());
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->version, "kv:3");
  w->offer("edge: {id: e2}\n", 6);  // a good one clears the error
  EXPECT_TRUE(w->state().error.empty());
  EXPECT_EQ(m_applied, (std::vector<std::string>{"kv:3", "kv:6"}));
}

// A machine's refusals show in health by cause, the catalog's refused keys among them; none:
// no "refused" object at all.
TEST(HealthJson, MachineRefusalsByCauseIncludeCatalogKeys) {
  HealthReport r;
  MachineHealth quiet;
  quiet.id = "quiet";
  MachineHealth m;
  m.id = "mill";
  m.refusedKeys = 7;
  r.machines = {quiet, m};
  const json j = json::parse(toJson(r));
  EXPECT_FALSE(j["machines"][0].contains("refused"));
  EXPECT_EQ(j["machines"][1]["refused"]["keys"], 7);
  EXPECT_EQ(j["machines"][1]["refused"]["items"], 0);
}

TEST(HealthJson, SubscriptionDropsAreReported) {
  HealthReport r;
  r.subscriptions.push_back({"uplink.nats.hf", 40, 3, 120, 7});
  const json j = json::parse(toJson(r))["subscriptions"];
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["name"], "uplink.nats.hf");
  EXPECT_EQ(j[0]["batches"], 40);
  EXPECT_EQ(j[0]["dropped"], 3);
  EXPECT_EQ(j[0]["dropped_observations"], 120);
  EXPECT_EQ(j[0]["queued"], 7);
}

TEST_F(ConfigDecisions, ReportsWhatDoesNotRunYet) {
  auto w = watcher();
  w->offer("edge: {id: e1}\njournal: {max_size: 2GiB}\nuplinks: {}\n", 8);
  EXPECT_EQ(w->state().version, "kv:8");
  EXPECT_EQ(describeRunning(w->state()),
            "kv:8 applied partly; pending restart: journal; refused: uplinks: local-only");
  HealthReport r;
  w->fill(r);
  json j = json::parse(toJson(r))["config"];
  EXPECT_EQ(j["version"], "kv:8");
  EXPECT_FALSE(j["complete"].get<bool>());
  EXPECT_EQ(j["pending_restart"], json::array({"journal"}));
  EXPECT_EQ(j["refused"], json::array({"uplinks: local-only"}));
  w->offer("edge: {id: e1}\n", 9);
  EXPECT_EQ(describeRunning(w->state()), "kv:9 applied in full");
  HealthReport full;
  w->fill(full);
  j = json::parse(toJson(full))["config"];
  EXPECT_TRUE(j["complete"].get<bool>());
  EXPECT_TRUE(j["pending_restart"].empty());
}

TEST_F(ConfigDecisions, WatchesItsKeyThroughTheChannelUntilStopped) {
  auto w = watcher();
  EXPECT_FALSE(m_channel.put("spindle_config", "e1", "edge: {id: e1}\n", 2));
  ASSERT_TRUE(w->start().ok());
  EXPECT_TRUE(m_channel.put("spindle_config", "e1", "edge: {id: e1}\n", 2));
  EXPECT_EQ(w->state().version, "kv:2");
  w->stop();
  EXPECT_FALSE(m_channel.watching("spindle_config", "e1"));
  EXPECT_EQ(m_applied, std::vector<std::string>{"kv:2"});
}

// Control as a whole speaks only to its channel: diagnostics on "diag", heartbeats on
// "health", the configuration from the watched key; stop() leaves nothing behind.
TEST(ControlOverChannel, ServesWatchesAndPublishes) {
  const fs::path dir = fs::temp_directory_path() / ("control_ch_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  FakeChannel channel;
  ControlHooks hooks;
  hooks.diagnostics.status = [] { return json{{"machines", 1}}; };
  hooks.config.validate = [](const std::string&) { return okStatus(); };
  hooks.config.apply = [](const std::string&, const std::string&) -> Result<ApplyOutcome> {
    return ApplyOutcome{};
  };
  hooks.runningConfig = {"file:1", "file", 0, "", ""};
  ControlOptions options;
  options.healthInterval = std::chrono::hours(1);  // heartbeats only when asked
  Control control(options, "e1", dir.string(), channel, std::move(hooks));
  ASSERT_TRUE(control.start().ok());
  const auto reply = channel.request("diag", "status", "");
  ASSERT_TRUE(reply.has_value());
  const json answer = json::parse(*reply);
  EXPECT_TRUE(answer["ok"].get<bool>());
  EXPECT_EQ(answer["edge"], "e1");
  EXPECT_EQ(answer["command"], "status");
  EXPECT_EQ(answer["result"]["machines"], 1);
  EXPECT_FALSE(json::parse(*channel.request("diag", "status", std::string(70000, ' ')))["ok"]
                   .get<bool>());  // larger than a request may be
  ASSERT_TRUE(channel.put("spindle_config", "e1", "edge: {id: e1}\n", 4));
  EXPECT_EQ(control.configWatcher()->state().version, "kv:4");
  // An applied configuration is reported at once: a heartbeat without waiting for the beat.
  for (int i = 0; i < 500 && channel.published().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(channel.published().empty());
  EXPECT_EQ(json::parse(channel.published().back().second)["config"]["version"], "kv:4");
  control.stop();
  EXPECT_FALSE(channel.serving("diag"));
  EXPECT_FALSE(channel.watching("spindle_config", "e1"));
  fs::remove_all(dir);
}

TEST_F(ConfigDecisions, NoLastKnownGoodYet) {
  auto lkg = ConfigWatcher::loadLastKnownGood(m_dir.string());
  ASSERT_TRUE(lkg.ok());
  EXPECT_FALSE(lkg->has_value());
  EXPECT_EQ(ConfigWatcher::fileVersion("a"), ConfigWatcher::fileVersion("a"));
  EXPECT_NE(ConfigWatcher::fileVersion("a"), ConfigWatcher::fileVersion("b"));
  EXPECT_EQ(ConfigWatcher::fileVersion("a").rfind("file:", 0), 0u);
}

}  // namespace
}  // namespace spindle::control
