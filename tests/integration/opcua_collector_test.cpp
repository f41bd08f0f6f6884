// The opcua collector against a real node-opcua server on 127.0.0.1 (opcua_peer.hpp): nodes by
// id and by browse path, subscriptions and polling, security and users, trust, 1,000 monitored
// items, and recovery: the server restarted, the server's process stopped for longer than the
// session timeout, while a second machine keeps flowing.
#include "collectors/opcua/opcua_collector.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "collectors/testing/fake_context.hpp"
#include "collectors/testing/wait_until.hpp"
#include "opcua_peer.hpp"
#include "transform/script_loader.hpp"

namespace spindle::collectors::opcua {
namespace {

namespace fs = std::filesystem;
using collectors::testing::FakeContext;
using collectors::testing::waitUntil;
using spindle::testing::OpcuaPeer;
using spindle::testing::OpcuaPeerOptions;
using namespace std::chrono_literals;

const fs::path& suiteRoot() {
  static const fs::path root = spindle::testing::opcuaSuiteRoot("spindle-opcua-collector");
  return root;
}

fs::path freshDir(const std::string& name) {
  return spindle::testing::opcuaFreshDir(suiteRoot(), name);
}

std::string testName() { return ::testing::UnitTest::GetInstance()->current_test_info()->name(); }

constexpr const char* kScript = R"(version: 2
tags:
  speed: nsu=http://spindle.test/cnc;s=CNC1.SpindleSpeed
  parts: nsu=http://spindle.test/cnc;s=CNC1.PartCount
  execution: /cnc:CNC1/cnc:Execution
  running: /cnc:CNC1.cnc:Running
  axes: nsu=http://spindle.test/cnc;s=CNC1.Axes
  mode: nsu=http://spindle.test/robot;s=Robot1.Mode
  missing: nsu=http://spindle.test/cnc;s=CNC1.NoSuchNode
  nowhere: /cnc:CNC1/cnc:NoSuchChild
  state: i=2259
passthrough: true
)";

/// A collector of machine block `yaml` with `script`, started on `ctx`.
std::unique_ptr<Collector> startCollector(FakeContext& ctx, const std::string& yaml,
                                          const std::string& script = kScript) {
  config::Diagnostics diags;
  const auto* info = builtinCollectors().find("opcua");
  EXPECT_NE(info, nullptr);
  if (info == nullptr) return nullptr;
  auto collector = info->create(YAML::Load(yaml), ctx.machineName(), diags);
  EXPECT_NE(collector, nullptr) << diags.describe();
  if (!collector) return nullptr;
  auto compiled = transform::compileScript(script, "test.yaml");
  EXPECT_TRUE(compiled) << (compiled ? "" : compiled.error().describe());
  if (!compiled) return nullptr;
  ctx.setScript(*compiled);
  ctx.setDataDir(freshDir(testName() + "-" + ctx.machineName()).string());
  const Status started = collector->start(ctx);
  EXPECT_TRUE(started) << (started ? "" : started.error().describe());
  return collector;
}

std::string block(const OpcuaPeer& peer, const std::string& extra = "") {
  return "type: opcua\nendpoint: " + peer.url() +
         "\nsecurity_policy: None\nsecurity_mode: none\npublishing_interval: 100ms\n"
         "reconnect_min: 100ms\nreconnect_max: 1s\nread_timeout: 2s\n"
         "namespaces:\n  cnc: http://spindle.test/cnc\n" +
         extra;
}

/// How many observations of `key` carry a value (not UNAVAILABLE).
std::size_t valuesOf(FakeContext& ctx, const std::string& key) {
  std::size_t n = 0;
  for (const auto& o : ctx.observations()) {
    if (ctx.catalog().item(o.item).key == key && !model::isUnavailable(o.value)) ++n;
  }
  return n;
}

class OpcuaCollectorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    OpcuaPeerOptions options;
    options.users = {"operator:secret"};
    options.intervalMs = 50;
    s_peer = new OpcuaPeer(freshDir("shared-peer"), options);
    s_startError = s_peer->start();
  }
  static void TearDownTestSuite() {
    delete s_peer;
    s_peer = nullptr;
    const auto* suite = ::testing::UnitTest::GetInstance()->current_test_suite();
    std::error_code ignored;
    if (suite != nullptr && !suite->Failed()) fs::remove_all(suiteRoot(), ignored);
  }
  void SetUp() override { ASSERT_EQ(s_startError, "") << s_startError; }

  static OpcuaPeer* s_peer;
  static std::string s_startError;
};

OpcuaPeer* OpcuaCollectorTest::s_peer = nullptr;
std::string OpcuaCollectorTest::s_startError;

TEST_F(OpcuaCollectorTest, SubscribesToNodesByIdAndBrowsePath) {
  FakeContext ctx("cnc");
  auto collector = startCollector(ctx, block(*s_peer));
  ASSERT_TRUE(collector);
  ASSERT_TRUE(waitUntil(
      [&] {
        return valuesOf(ctx, "speed") >= 5 && valuesOf(ctx, "execution") >= 1 &&
               valuesOf(ctx, "running") >= 1 && valuesOf(ctx, "axes") >= 1 &&
               valuesOf(ctx, "mode") >= 1 && valuesOf(ctx, "parts") >= 1;
      },
      15s))
      << ctx.stateDetail();
  EXPECT_EQ(ctx.latestText("connection_status"), "ESTABLISHED");
  EXPECT_TRUE(std::holds_alternative<double>(*ctx.latest("speed")));
  EXPECT_TRUE(std::holds_alternative<std::int64_t>(*ctx.latest("parts")));
  EXPECT_TRUE(std::holds_alternative<bool>(*ctx.latest("running")));
  const auto axes = std::get<std::vector<double>>(*ctx.latest("axes"));
  EXPECT_EQ(axes.size(), 3u);
  EXPECT_EQ(ctx.latestText("state"), "0");  // ServerState Running
  // Nodes the server does not have are UNAVAILABLE, named in the state detail.
  EXPECT_TRUE(model::isUnavailable(*ctx.latest("missing")));
  EXPECT_TRUE(model::isUnavailable(*ctx.latest("nowhere")));
  EXPECT_NE(ctx.stateDetail().find("2 UNAVAILABLE"), std::string::npos) << ctx.stateDetail();
  EXPECT_NE(ctx.stateDetail().find("subscription"), std::string::npos) << ctx.stateDetail();
  // Source timestamps from the server, not arrival.
  for (const auto& o : ctx.observations()) {
    if (ctx.catalog().item(o.item).key == "speed" && !model::isUnavailable(o.value)) {
      EXPECT_EQ(o.flags & model::kFlagArrivalTime, 0) << "speed stamped at arrival";
    }
  }
  auto* opcua = dynamic_cast<OpcuaCollector*>(collector.get());
  ASSERT_NE(opcua, nullptr);
  const auto stats = opcua->stats();
  EXPECT_EQ(stats.sessionsCreated, 1u);
  EXPECT_GE(stats.publishes, 5u);
  collector->stop();
}

TEST_F(OpcuaCollectorTest, PollsWhenSubscriptionsAreOff) {
  FakeContext ctx("poll");
  auto collector = startCollector(ctx, block(*s_peer, "subscribe: false\npoll_interval: 100ms\n"));
  ASSERT_TRUE(collector);
  ASSERT_TRUE(waitUntil([&] { return valuesOf(ctx, "speed") >= 5; }, 15s)) << ctx.stateDetail();
  EXPECT_NE(ctx.stateDetail().find("polling"), std::string::npos) << ctx.stateDetail();
  auto* opcua = dynamic_cast<OpcuaCollector*>(collector.get());
  EXPECT_EQ(opcua->stats().publishes, 0u);
  EXPECT_GE(opcua->stats().reads, 5u);
}

TEST_F(OpcuaCollectorTest, SecureChannelWithAUserAndADeadband) {
  FakeContext ctx("secure");
  fs::path pw = freshDir("secure-pw") / "password";
  { std::ofstream(pw) << "secret\n"; }
  auto collector = startCollector(
      ctx, "type: opcua\nendpoint: " + s_peer->url() +
               "\nsecurity_policy: Basic256Sha256\nsecurity_mode: sign_and_encrypt\n"
               "trust_on_first_use: true\nuser: operator\npassword_file: " +
               pw.string() +
               "\npublishing_interval: 100ms\ndeadband: 1000000\nnamespaces:\n  cnc: "
               "http://spindle.test/cnc\n");
  ASSERT_TRUE(collector);
  // A deadband no change exceeds: one value for the speed; the string and boolean nodes,
  // which take no deadband, are monitored without it and keep changing.
  ASSERT_TRUE(waitUntil([&] { return valuesOf(ctx, "execution") >= 3; }, 15s)) << ctx.stateDetail();
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(valuesOf(ctx, "speed"), 1u);
  EXPECT_NE(ctx.stateDetail().find("Basic256Sha256, SignAndEncrypt, user operator"),
            std::string::npos)
      << ctx.stateDetail();
}

TEST_F(OpcuaCollectorTest, AWrongPasswordIsAClearErrorNotAReconnectStorm) {
  FakeContext ctx("wrong-password");
  fs::path pw = freshDir("wrong-pw") / "password";
  { std::ofstream(pw) << "guess\n"; }
  auto collector =
      startCollector(ctx, block(*s_peer, "user: operator\npassword_file: " + pw.string() +
                                             "\nreconnect_max: 5s\ntrust_on_first_use: true\n"));
  ASSERT_TRUE(collector);
  ASSERT_TRUE(waitUntil(
      [&] {
        return ctx.stateDetail().find("BadUserAccessDenied") != std::string::npos ||
               ctx.stateDetail().find("BadIdentityTokenRejected") != std::string::npos;
      },
      15s))
      << ctx.stateDetail();
  // Refused: the next attempt waits the longest delay, not 100 ms.
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(ctx.stateCount(ConnectionState::kBackoff), 1u) << ctx.stateDetail();
  EXPECT_EQ(valuesOf(ctx, "speed"), 0u);
}

TEST_F(OpcuaCollectorTest, AnUntrustedServerIsRefusedUntilTrusted) {
  FakeContext ctx("untrusted");
  auto collector = startCollector(
      ctx, "type: opcua\nendpoint: " + s_peer->url() +
               "\nsecurity_policy: Aes128_Sha256_RsaOaep\nsecurity_mode: sign\n"
               "publishing_interval: 100ms\nreconnect_min: 100ms\nreconnect_max: 500ms\n"
               "namespaces:\n  cnc: http://spindle.test/cnc\n");
  ASSERT_TRUE(collector);
  ASSERT_TRUE(
      waitUntil([&] { return ctx.stateDetail().find("rejected") != std::string::npos; }, 15s))
      << ctx.stateDetail();
  EXPECT_EQ(valuesOf(ctx, "speed"), 0u);
  // The operator moves the certificate from rejected/ to trusted/: data flows, no restart.
  const fs::path pki = fs::path(ctx.dataDir()) / "opcua-pki";
  for (const auto& e : fs::directory_iterator(pki / "rejected" / "certs")) {
    fs::create_directories(pki / "trusted" / "certs");
    fs::rename(e.path(), pki / "trusted" / "certs" / e.path().filename());
  }
  EXPECT_TRUE(waitUntil([&] { return valuesOf(ctx, "speed") >= 3; }, 15s)) << ctx.stateDetail();
}

TEST_F(OpcuaCollectorTest, AThousandMonitoredItems) {
  OpcuaPeerOptions options;
  options.items = 1000;
  options.intervalMs = 500;
  OpcuaPeer peer(freshDir("thousand-peer"), options);
  ASSERT_EQ(peer.start(), "");
  std::string script = "version: 2\ntags:\n";
  for (int i = 1; i <= 1000; ++i) {
    script += "  load" + std::to_string(i) + ": nsu=http://spindle.test/cnc;s=Load.Item" +
              std::to_string(i) + "\n";
  }
  script += "passthrough: true\n";
  FakeContext ctx("thousand");
  auto collector = startCollector(ctx, block(peer, "max_nodes_per_request: 300\n"), script);
  ASSERT_TRUE(collector);
  // Every node reported twice (its first value, then a change).
  ASSERT_TRUE(waitUntil(
      [&] {
        std::map<model::ItemId, int> seen;
        for (const auto& o : ctx.observations()) {
          if (!model::isUnavailable(o.value)) ++seen[o.item];
        }
        int twice = 0;
        for (const auto& [item, n] : seen) {
          if (n >= 2 && ctx.catalog().item(item).key.starts_with("load")) ++twice;
        }
        return twice == 1000;
      },
      30s))
      << ctx.stateDetail();
  EXPECT_NE(ctx.stateDetail().find("1000 of 1000 nodes"), std::string::npos) << ctx.stateDetail();
}

TEST_F(OpcuaCollectorTest, DataResumesAfterTheServerRestarts) {
  OpcuaPeer peer(freshDir("restart-peer"), {});
  ASSERT_EQ(peer.start(), "");
  FakeContext ctx("restart");
  auto collector = startCollector(ctx, block(peer));
  ASSERT_TRUE(collector);
  ASSERT_TRUE(waitUntil([&] { return valuesOf(ctx, "speed") >= 3; }, 15s));
  ASSERT_EQ(peer.restart(), "");
  // UNAVAILABLE while away, then data again within 2 x the backoff (1 s) of the restart.
  ASSERT_TRUE(waitUntil([&] { return ctx.countOf("connection_status", "CLOSED") >= 1; }, 15s));
  EXPECT_TRUE(model::isUnavailable(*ctx.latest("speed")));
  const std::size_t before = valuesOf(ctx, "speed");
  const auto restarted = std::chrono::steady_clock::now();
  ASSERT_TRUE(waitUntil([&] { return valuesOf(ctx, "speed") >= before + 3; }, 15s))
      << ctx.stateDetail();
  EXPECT_LT(std::chrono::steady_clock::now() - restarted, 5s);
  auto* opcua = dynamic_cast<OpcuaCollector*>(collector.get());
  EXPECT_EQ(opcua->stats().sessionsCreated, 2u);  // the restarted server lost the session
}

TEST_F(OpcuaCollectorTest, AStoppedServerLongerThanTheSessionTimeoutWhileAnotherMachineFlows) {
  OpcuaPeer peer(freshDir("pause-peer"), {});
  ASSERT_EQ(peer.start(), "");
  FakeContext ctx("paused");
  FakeContext other("other");
  auto collector = startCollector(
      ctx, block(peer, "session_timeout: 2s\nkeepalive_count: 5\nread_timeout: 1s\n"));
  auto second = startCollector(other, block(*s_peer));
  ASSERT_TRUE(collector && second);
  ASSERT_TRUE(waitUntil([&] { return valuesOf(ctx, "speed") >= 3; }, 15s));
  peer.pause();  // SIGSTOP: TCP stays up, nothing answers
  const std::size_t otherBefore = valuesOf(other, "speed");
  ASSERT_TRUE(waitUntil([&] { return ctx.countOf("connection_status", "CLOSED") >= 1; }, 20s))
      << ctx.stateDetail();
  std::this_thread::sleep_for(3s);  // past the session timeout
  EXPECT_GT(valuesOf(other, "speed"), otherBefore + 20) << "the other machine stalled";
  peer.resume();
  const std::size_t before = valuesOf(ctx, "speed");
  ASSERT_TRUE(waitUntil([&] { return valuesOf(ctx, "speed") >= before + 3; }, 20s))
      << ctx.stateDetail();
  EXPECT_EQ(ctx.latestText("connection_status"), "ESTABLISHED");
}

}  // namespace
}  // namespace spindle::collectors::opcua
