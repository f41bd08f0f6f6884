// `spindle fleet` against a real hub (nats-server on loopback) and real edges (`spindle run`
// with simulated machines and heartbeats every second): init, ls and show from the
// SPINDLE_HEALTH stream, config get/set/diff with the edge's verdict and the revision check,
// diagnostics, an update offer the edge refuses, and watch's alert when an edge stops.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "loopback_config.hpp"
#include "nats_harness.hpp"

namespace spindle::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

struct Ran {
  int code = -1;
  std::string out;
  std::string err;
};

class NatsFleetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("spindle_fleet_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
    m_hub = std::make_unique<NatsServer>(m_dir, NatsServerConfig{});
    ASSERT_TRUE(m_hub->start()) << m_hub->log();
    NatsClient cloud(m_hub->url());
    ASSERT_TRUE(cloud.ok());
    // The edges' data goes somewhere, so their journals drain as in production.
    ASSERT_TRUE(cloud.addStream("SPINDLE", {"spindle.*.data.>"}));
  }
  void TearDown() override {
    m_edges.clear();
    m_hub.reset();
    if (!HasFailure()) fs::remove_all(m_dir);
  }

  /// Runs `spindle fleet <args>` against the hub and waits for it.
  Ran fleet(const std::vector<std::string>& args) {
    std::vector<std::string> argv{SPINDLE_BINARY, "fleet", "--server", m_hub->url()};
    argv.insert(argv.end(), args.begin(), args.end());
    const std::string out = (m_dir / "fleet.out").string();
    const std::string err = (m_dir / "fleet.err").string();
    Process p(argv, out, err);
    Ran r;
    r.code = p.wait(60s);
    r.out = readFile(out);
    r.err = readFile(err);
    return r;
  }

  /// An edge's local file: `machines` simulated SHDR machines (mill-1...), all collected.
  std::string edgeConfig(const std::string& id, int machines, const std::string& extra = "",
                         const std::string& machineExtra = "") {
    auto& base = m_basePorts[id];
    if (base == 0) base = freePortRange(3);
    std::string names, list;
    for (int i = 1; i <= machines; ++i) {
      names += (i > 1 ? ", " : "") + std::string("mill-") + std::to_string(i);
      list += "  - id: mill-" + std::to_string(i) + "\n    type: shdr\n    host: 127.0.0.1\n" +
              "    port: " + std::to_string(base + i - 1) + "\n";
    }
    return "edge:\n  id: " + id + "\n  data_dir: " + (m_dir / id / "data").string() +
           "\n  status_interval: 0s\n" + loopbackSections() +
           "simulator:\n  enabled: true\n  machines: 3\n  names: [mill-1, mill-2, mill-3]\n"
           "  base_port: " +
           std::to_string(base) + "\n  time_scale: 20\n  tick: 20ms\n" +
           "journal:\n  fsync: 20ms\nuplinks:\n  nats:\n    servers: [" + m_hub->url() +
           "]\n    reconnect_min: 50ms\n    reconnect_max: 500ms\n" +
           "control:\n  health_interval: 1s\n  config_retry: 200ms\n" + extra + "machines:\n" +
           list + machineExtra;
  }
  std::string writeFile(const std::string& name, const std::string& text) {
    const fs::path path = m_dir / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path.string();
  }
  void startEdge(const std::string& id, int machines, const std::string& extra = "") {
    const std::string config = writeFile(id + "/spindle.yaml", edgeConfig(id, machines, extra));
    m_edges[id] = std::make_unique<Process>(
        std::vector<std::string>{SPINDLE_BINARY, "run", "-c", config},
        (m_dir / id / "spindle.out").string(), (m_dir / id / "spindle.err").string());
  }
  std::string edgeLog(const std::string& id) {
    return readFile((m_dir / id / "spindle.err").string());
  }

  /// `fleet ls --json` once every edge named is listed with all its machines connected.
  json waitForFleet(const std::map<std::string, int>& machines) {
    json rows;
    const bool ok = eventually(
        [&] {
          const Ran r = fleet({"ls", "--json"});
          rows = json::parse(r.out, nullptr, false);
          if (r.code != 0 || !rows.is_array()) return false;
          std::size_t found = 0;
          for (const auto& row : rows) {
            auto it = machines.find(row["edge"]);
            if (it != machines.end() && row["machines_up"] == it->second &&
                row["machines_total"] == it->second) {
              ++found;
            }
          }
          return found == machines.size();
        },
        20s);
    EXPECT_TRUE(ok) << rows.dump(2) << edgeLog("e1");
    return rows;
  }

  fs::path m_dir;
  std::unique_ptr<NatsServer> m_hub;
  std::map<std::string, std::unique_ptr<Process>> m_edges;
  std::map<std::string, std::uint16_t> m_basePorts;
};

TEST_F(NatsFleetTest, InitLsShowAndDiag) {
  startEdge("e1", 2);
  startEdge("e2", 1);
  {
    // Both edges send heartbeats before the tool listens for them.
    NatsClient cloud(m_hub->url());
    natsSubscription* sub = nullptr;
    ASSERT_EQ(natsConnection_SubscribeSync(&sub, cloud.nc(), "spindle.*.health"), NATS_OK);
    std::set<std::string> heard;
    const auto end = std::chrono::steady_clock::now() + 20s;
    while (heard.size() < 2 && std::chrono::steady_clock::now() < end) {
      natsMsg* msg = nullptr;
      if (natsSubscription_NextMsg(&msg, sub, 1000) != NATS_OK) continue;
      heard.insert(natsMsg_GetSubject(msg));
      natsMsg_Destroy(msg);
    }
    natsSubscription_Destroy(sub);
    ASSERT_EQ(heard.size(), 2u) << edgeLog("e1") << edgeLog("e2");
  }

  // Without the stream: said so, and the heartbeats are heard live instead.
  Ran r = fleet({"ls", "--listen", "2500ms"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("run `spindle fleet init`"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("e1 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("e2 "), std::string::npos) << r.out;

  r = fleet({"init"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("stream SPINDLE_HEALTH: created"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("KV bucket spindle_config: created"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("KV bucket spindle_updates: created"), std::string::npos) << r.out;
  r = fleet({"init"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("stream SPINDLE_HEALTH: exists, unchanged"), std::string::npos) << r.out;

  const json rows = waitForFleet({{"e1", 2}, {"e2", 1}});
  ASSERT_EQ(rows.size(), 2u) << rows.dump(2);
  EXPECT_EQ(rows[0]["edge"], "e1");
  EXPECT_EQ(rows[0]["state"], "ok");
  EXPECT_FALSE(rows[0]["version"].get<std::string>().empty());
  EXPECT_TRUE(rows[0]["journal_age_s"].is_number()) << rows.dump(2);
  EXPECT_LT(rows[0]["seen_s"].get<double>(), 5.0);

  r = fleet({"ls"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("EDGE ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("2/2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1/1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 edges: 2 ok, 0 behind, 0 silent"), std::string::npos) << r.out;
  r = fleet({"ls", "--filter", "e2", "--sort", "lag"});
  EXPECT_EQ(r.out.find("e1 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 edge: 1 ok"), std::string::npos) << r.out;

  r = fleet({"show", "e1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("edge e1  ok", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("machines (2)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mill-2  connected"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\njournal "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nats: connected"), std::string::npos) << r.out;
  r = fleet({"show", "e2", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["schema"], "spindle.health.v1");
  r = fleet({"show", "nobody", "--listen", "1s"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no heartbeat from nobody"), std::string::npos) << r.err;

  r = fleet({"diag", "e1", "status"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("mill-1"), std::string::npos) << r.out;
  r = fleet({"diag", "e1", "logs", "--args", R"({"lines":5})"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"lines\""), std::string::npos) << r.out;
  r = fleet({"diag", "e1", "reboot"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("e1 answered reboot: unknown command 'reboot'"), std::string::npos) << r.err;
  r = fleet({"diag", "e9", "status", "--timeout", "1s"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no answer from e9 within 1s"), std::string::npos) << r.err;

  // A hub that is not there: which server, and why.
  Process p({SPINDLE_BINARY, "fleet", "ls", "--server", "nats://127.0.0.1:1"},
            (m_dir / "down.out").string(), (m_dir / "down.err").string());
  EXPECT_EQ(p.wait(20s), 1);
  EXPECT_NE(readFile((m_dir / "down.err").string())
                .find("cannot connect to the hub at nats://127.0.0.1:1"),
            std::string::npos)
      << readFile((m_dir / "down.err").string());
}

TEST_F(NatsFleetTest, ConfigSetWaitsForTheEdgeAndNeverLosesAnUpdate) {
  ASSERT_EQ(fleet({"init"}).code, 0);
  startEdge("e1", 1);
  waitForFleet({{"e1", 1}});

  Ran r = fleet({"config", "get", "e1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("has no configuration for e1"), std::string::npos) << r.err;

  // Applied: a second machine, at once.
  const std::string two = writeFile("two.yaml", edgeConfig("e1", 2));
  r = fleet({"config", "set", "e1", two, "--wait", "20s"});
  ASSERT_EQ(r.code, 0) << r.out << r.err << edgeLog("e1");
  EXPECT_NE(r.out.find("wrote spindle_config/e1 revision 1 (was no value yet)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("e1 applied kv:1"), std::string::npos) << r.out;
  waitForFleet({{"e1", 2}});

  r = fleet({"config", "get", "e1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, readFile(two));
  EXPECT_NE(r.err.find("spindle_config/e1 revision 1, written "), std::string::npos) << r.err;
  r = fleet({"config", "diff", "e1", two});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  const std::string three = writeFile("three.yaml", edgeConfig("e1", 3));
  r = fleet({"config", "diff", "e1", three});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.out.find("--- spindle_config/e1 (revision 1)\n+++ " + three), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("+  - id: mill-3\n"), std::string::npos) << r.out;

  // Refused before writing: another edge's file, an invalid file.
  r = fleet({"config", "set", "e2", two});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("is for edge.id 'e1', not 'e2'"), std::string::npos) << r.err;
  const std::string invalid =
      writeFile("invalid.yaml", edgeConfig("e1", 1, "no_such_section: 1\n"));
  r = fleet({"config", "set", "e1", invalid});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("invalid.yaml:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing written"), std::string::npos) << r.err;

  // Someone else wrote revision 2 meanwhile: a change based on revision 1 is refused.
  r = fleet({"config", "set", "e1", three, "--no-wait"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("revision 2 (was revision 1)"), std::string::npos) << r.out;
  r = fleet({"config", "set", "e1", two, "--revision", "1", "--no-wait"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("changed by someone else: you based your change on revision 1, it is at "
                       "revision 2"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("nothing was written"), std::string::npos) << r.err;

  // Valid here, rejected by the edge: a script outside its control.script_dir.
  const std::string script =
      writeFile("elsewhere/mill.yaml", "version: 2\nkeys: [execution]\ndata-items: [execution]\n");
  const std::string outside =
      writeFile("outside.yaml", edgeConfig("e1", 1, "", "    script: " + script + "\n"));
  r = fleet({"config", "set", "e1", outside, "--wait", "20s"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("e1 rejected kv:3"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.err.find("outside the script folder"), std::string::npos) << r.err;
}

TEST_F(NatsFleetTest, UpdateTheEdgeRefusesIsReportedWithItsReason) {
  ASSERT_EQ(fleet({"init"}).code, 0);
  const std::string keys = (m_dir / "keys").string();
  for (const char* name : {"trusted", "stranger"}) {
    Process k({SPINDLE_BINARY, "update", "keygen", "--out", keys, "--name", name},
              (m_dir / "keygen.out").string(), (m_dir / "keygen.err").string());
    ASSERT_EQ(k.wait(), 0) << readFile((m_dir / "keygen.err").string());
  }
  const std::string envelope = (m_dir / "99.envelope").string();
  Process sign({SPINDLE_BINARY, "update", "sign", "--key", keys + "/stranger.pem", "--artifact",
                SPINDLE_BINARY, "--version", "99.0.0", "--url", "https://127.0.0.1:1/spindle",
                "--out", envelope},
               (m_dir / "sign.out").string(), (m_dir / "sign.err").string());
  ASSERT_EQ(sign.wait(), 0) << readFile((m_dir / "sign.err").string());
  startEdge("e1", 1, "update:\n  trusted_keys: [" + keys + "/trusted.pub]\n");
  waitForFleet({{"e1", 1}});

  Ran r = fleet({"update", "e1", "--envelope", envelope, "--version", "98.0.0"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("offers version 99.0.0, not 98.0.0"), std::string::npos) << r.err;

  r = fleet({"update", "e1", "--envelope", envelope, "--version", "99.0.0", "--wait", "20s"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("offered 99.0.0 in spindle_updates/edge.e1"), std::string::npos) << r.out;
  EXPECT_NE(
      r.err.find("e1 refused 99.0.0 (unknown_key): signed only by keys this edge does not trust"),
      std::string::npos)
      << r.out << r.err << edgeLog("e1");

  r = fleet({"update", "e1", "--clear"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("deleted spindle_updates/edge.e1"), std::string::npos) << r.out;
  r = fleet({"update", "--all", "--envelope", envelope, "--channel", "beta"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("spindle fleet ls"), std::string::npos) << r.out;
}

TEST_F(NatsFleetTest, WatchAlertsWhenAnEdgeStops) {
  ASSERT_EQ(fleet({"init"}).code, 0);
  startEdge("e1", 1);
  startEdge("e2", 1);
  waitForFleet({{"e1", 1}, {"e2", 1}});

  const std::string out = (m_dir / "watch.out").string();
  // Refreshes 5 s apart; an edge is silent after 2.5 s without a heartbeat (they come every 1 s).
  Process watch({SPINDLE_BINARY, "fleet", "--server", m_hub->url(), "watch", "--interval", "5s",
                 "--count", "2", "--silent-after", "2500ms"},
                out, (m_dir / "watch.err").string());
  ASSERT_TRUE(
      eventually([&] { return readFile(out).find("refresh 1") != std::string::npos; }, 10s));
  EXPECT_EQ(readFile(out).find("ALERT"), std::string::npos) << readFile(out);
  m_edges["e2"]->kill(SIGKILL);  // the power goes out at plant e2
  ASSERT_EQ(watch.wait(20s), 0) << readFile((m_dir / "watch.err").string());
  const std::string text = readFile(out);
  EXPECT_NE(text.find("refresh 2"), std::string::npos) << text;
  EXPECT_NE(text.find("ALERT e2 silent: no heartbeat for"), std::string::npos) << text;
  EXPECT_EQ(text.find("ALERT e1"), std::string::npos) << text;
}

}  // namespace
}  // namespace spindle::testing
