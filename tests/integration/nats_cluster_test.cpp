// The clustered hub: a 3-node JetStream cluster on loopback (nats_cluster.hpp) with the
// SPINDLE stream on all three (R3). The stream's leader killed, then a second node (no
// quorum), then both back; a rolling restart under load; the node an edge (the spindle binary)
// is connected to frozen for 30 s; many edges at once. Every time, each edge's journal and the
// stream agree exactly: per machine, the stored sequences sorted are the journal's, once.

#include "nats_cluster.hpp"

#include <cstdlib>
#include <regex>

#include <gtest/gtest.h>

#include "loopback_config.hpp"

namespace spindle::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kStream = "SPINDLE";

std::uint64_t envNumber(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

/// Observations that arrived, in stream order, after a later one of the same machine.
std::uint64_t outOfOrder(const StoredData& d) {
  std::uint64_t n = 0;
  for (const auto& [machine, sequences] : d.byMachine) {
    std::uint64_t highest = 0;
    for (auto s : sequences) {
      n += s < highest;
      highest = std::max(highest, s);
    }
  }
  return n;
}

/// Compares per machine the stream's sequences, sorted, with the journal's; "" when equal.
std::string compare(const StoredData& stored,
                    const std::map<std::string, std::vector<std::uint64_t>>& journal) {
  if (!stored.error.empty()) return stored.error;
  std::string why;
  for (const auto& [machine, expected] : journal) {
    auto got = stored.byMachine.count(machine) ? stored.byMachine.at(machine)
                                               : std::vector<std::uint64_t>{};
    std::sort(got.begin(), got.end());
    if (got != expected) {
      std::vector<std::uint64_t> missing, extra;
      std::set_difference(expected.begin(), expected.end(), got.begin(), got.end(),
                          std::back_inserter(missing));
      std::set_difference(got.begin(), got.end(), expected.begin(), expected.end(),
                          std::back_inserter(extra));
      why += machine + ": " + std::to_string(got.size()) + " stored of " +
             std::to_string(expected.size()) + " journaled, " + std::to_string(missing.size()) +
             " missing, " + std::to_string(extra.size()) + " duplicated or unknown; ";
    }
  }
  for (const auto& [machine, got] : stored.byMachine) {
    if (!journal.count(machine)) why += machine + ": not in the journal; ";
  }
  return why;
}

/// The journal of uplink_feeder: observation s (1..total) belongs to machine m<s % machines + 1>.
std::map<std::string, std::vector<std::uint64_t>> feederJournal(std::uint64_t total, int machines) {
  std::map<std::string, std::vector<std::uint64_t>> out;
  for (std::uint64_t s = 1; s <= total; ++s) {
    out["m" + std::to_string(s % machines + 1)].push_back(s);
  }
  return out;
}

class NatsClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (natsServerBinary().empty()) GTEST_SKIP() << "nats-server is not installed";
    m_dir = fs::temp_directory_path() /
            ("spindle_cluster_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
    NatsServerConfig c;
    c.name = "hub";
    m_cluster = std::make_unique<NatsCluster>(m_dir, c);
    ASSERT_TRUE(m_cluster->start()) << m_cluster->log();
    NatsClient admin(m_cluster->url());
    ASSERT_TRUE(admin.addStream(kStream, {"spindle.*.data.>"}, 600s, 3));
    ASSERT_TRUE(m_cluster->waitStreamComplete(kStream)) << m_cluster->log();
  }
  void TearDown() override {
    m_edges.clear();
    m_spindle.reset();
    m_cluster.reset();
    if (!HasFailure()) fs::remove_all(m_dir);
  }

  /// uplink_feeder as edge `edge`, with every node's URL and a ping every `pingMs` (1 s finds a
  /// dead node fast; many edges on two cores use the edge's default, 20 s, or they miss pings
  /// while the machine is saturated and move from node to node).
  Process& startFeeder(const std::string& edge, std::uint64_t total, int rate, int pingMs = 1000) {
    const fs::path dir = m_dir / edge;
    fs::create_directories(dir);
    m_edges.push_back(std::make_unique<Process>(
        std::vector<std::string>{UPLINK_FEEDER_BINARY, "--url", m_cluster->url(), "--edge", edge,
                                 "--dir", (dir / "data").string(), "--total", std::to_string(total),
                                 "--rate", std::to_string(rate), "--record", "50", "--machines",
                                 "3", "--ping-ms", std::to_string(pingMs), "--deadline-s", "300"},
        (dir / "out.log").string(), (dir / "err.log").string()));
    return *m_edges.back();
  }
  std::string feederLog(const std::string& edge) const {
    return readFile((m_dir / edge / "err.log").string());
  }
  /// The feeder's progress lines so far (one a second).
  std::size_t progressLines(const std::string& edge) const {
    const std::string out = readFile((m_dir / edge / "out.log").string());
    std::size_t n = 0;
    for (auto at = out.find("progress journal="); at != std::string::npos;
         at = out.find("progress journal=", at + 1)) {
      ++n;
    }
    return n;
  }
  /// The feeder's last progress line: observations journaled and the cursor (every observation
  /// below it acknowledged; acknowledged ranges above it join it when the gap below is filled).
  std::pair<std::uint64_t, std::uint64_t> progress(const std::string& edge) const {
    const std::string out = readFile((m_dir / edge / "out.log").string());
    const auto at = out.rfind("progress journal=");
    if (at == std::string::npos) return {0, 0};
    unsigned long long journal = 0, cursor = 0;
    std::sscanf(out.c_str() + at, "progress journal=%llu cursor=%llu", &journal, &cursor);
    return {journal, cursor};
  }
  std::uint64_t stored() {
    return m_cluster->streamHealth(kStream).value_or(StreamHealth{}).messages;
  }
  /// Waits until the stream holds `more` messages more than now.
  bool storedGrows(std::uint64_t more, std::chrono::seconds timeout = 30s) {
    const std::uint64_t from = stored();
    return eventually([&] { return stored() >= from + more; }, timeout);
  }
  /// Reads the stream for `edge` and checks it against its journal; prints the order figure.
  void expectExact(const std::string& edge,
                   const std::map<std::string, std::vector<std::uint64_t>>& journal) {
    NatsClient client(m_cluster->url());
    const StoredData d = client.readStream(kStream, "spindle." + edge + ".data.>");
    EXPECT_EQ(d.error, "") << edge;
    EXPECT_TRUE(d.duplicates().empty()) << d.duplicates().size() << " duplicated";
    const std::string why = compare(d, journal);
    EXPECT_EQ(why, "") << edge;
    std::printf(
        "cluster: %s: %zu observations in %llu messages, %llu out of order in stream order\n",
        edge.c_str(), d.sequences.size(), static_cast<unsigned long long>(d.messages),
        static_cast<unsigned long long>(outOfOrder(d)));
  }

  fs::path m_dir;
  std::unique_ptr<NatsCluster> m_cluster;
  std::vector<std::unique_ptr<Process>> m_edges;
  std::unique_ptr<Process> m_spindle;
};

TEST_F(NatsClusterTest, LeaderKilledThenASecondNodeThenBothBackLoseAndDuplicateNothing) {
  constexpr std::uint64_t kTotal = 200000;  // 20 s of production at 10k observations/s
  Process& edge = startFeeder("e1", kTotal, 10000);
  ASSERT_TRUE(storedGrows(100)) << feederLog("e1") << m_cluster->log();

  const int first = m_cluster->streamLeader(kStream);
  ASSERT_GE(first, 0);
  m_cluster->node(first).kill9();
  int second = -1;
  ASSERT_TRUE(eventually(
      [&] {
        second = m_cluster->streamLeader(kStream);
        return second >= 0 && second != first;
      },
      30s))
      << m_cluster->log();
  ASSERT_TRUE(storedGrows(100)) << "nothing stored under the new leader\n" << feederLog("e1");

  // The new leader too: one node of three left, no quorum, nothing can be stored.
  m_cluster->node(second).kill9();
  // The cursor as of two progress lines after the kill: every acknowledgement the dead leader
  // sent has arrived and joined it. Without a quorum nothing more can be acknowledged.
  const std::size_t lines = progressLines("e1");
  ASSERT_TRUE(eventually([&] { return progressLines("e1") >= lines + 2; }, 10s));
  const auto [journaled, acked] = progress("e1");
  ASSERT_TRUE(eventually([&] { return progress("e1").first >= journaled + 20000; }, 30s))
      << "the edge stopped collecting while the hub had no quorum";
  EXPECT_EQ(progress("e1").second, acked) << "acknowledged without a quorum?";

  ASSERT_TRUE(m_cluster->node(first).start()) << m_cluster->log();
  ASSERT_TRUE(m_cluster->node(second).start()) << m_cluster->log();
  ASSERT_TRUE(m_cluster->waitStreamComplete(kStream)) << m_cluster->log();
  ASSERT_EQ(edge.wait(120s), 0) << feederLog("e1");
  expectExact("e1", feederJournal(kTotal, 3));
}

TEST_F(NatsClusterTest, RollingRestartUnderLoadLosesAndDuplicatesNothing) {
  constexpr std::uint64_t kTotal = 250000;  // 25 s of production at 10k observations/s
  Process& edge = startFeeder("e1", kTotal, 10000);
  for (int i = 0; i < m_cluster->size(); ++i) {
    ASSERT_TRUE(storedGrows(100)) << feederLog("e1") << m_cluster->log();
    m_cluster->node(i).stop();  // SIGTERM
    ASSERT_TRUE(storedGrows(100)) << "nothing stored with " << i + 1 << " down\n"
                                  << feederLog("e1") << m_cluster->log();
    ASSERT_TRUE(m_cluster->node(i).start()) << m_cluster->log();
    ASSERT_TRUE(m_cluster->waitStreamComplete(kStream)) << m_cluster->log();
  }
  EXPECT_LT(progress("e1").first, kTotal) << "production ended before the last restart";
  ASSERT_EQ(edge.wait(120s), 0) << feederLog("e1");
  expectExact("e1", feederJournal(kTotal, 3));
}

/// Observations per machine of a journal, from `spindle journal dump`.
std::map<std::string, std::vector<std::uint64_t>> dumpJournal(const fs::path& journal,
                                                              const fs::path& scratch) {
  Process dump({SPINDLE_BINARY, "journal", "dump", journal.string()},
               (scratch / "dump.out").string(), (scratch / "dump.err").string());
  EXPECT_EQ(dump.wait(60s), 0) << readFile((scratch / "dump.err").string());
  std::map<std::string, std::vector<std::uint64_t>> out;
  std::ifstream in(scratch / "dump.out");
  const std::regex seqField("\"seq\":([0-9]+)"), machineField("\"machine\":\"([^\"]+)\"");
  std::smatch s, m;
  for (std::string text; std::getline(in, text);) {
    if (std::regex_search(text, s, seqField) && std::regex_search(text, m, machineField)) {
      out[m[1]].push_back(std::stoull(s[1]));
    }
  }
  for (auto& [machine, sequences] : out) std::sort(sequences.begin(), sequences.end());
  return out;
}

// The spindle binary with simulated machines and all three nodes in `servers:`. The node it is
// connected to is frozen (SIGSTOP) for 30 s: the edge notices (1 s pings) and goes on through
// the other two, which elect a new leader when the frozen one led the stream.
TEST_F(NatsClusterTest, TheEdgesNodeFrozenForThirtySecondsTheSpindleEdgeFailsOver) {
  const std::uint16_t base = freePortRange(2);
  auto writeConfig = [&](bool collect) {
    std::ofstream out(m_dir / "spindle.yaml");
    out << "edge:\n  id: e1\n  data_dir: " << (m_dir / "data").string()
        << "\n  status_interval: 0s\n"
        << loopbackSections() << "simulator:\n  enabled: " << (collect ? "true" : "false")
        << "\n  machines: 2\n  names: [m1, m2]\n  base_port: " << base
        << "\n  time_scale: 20\n  tick: 10ms\n"
        // One segment for the whole test: delivered data stays for the comparison.
        << "journal:\n  fsync: 20ms\n  segment_size: 64MiB\n"
        << "uplinks:\n  nats:\n    servers: [" << m_cluster->url() << "]\n"
        << "    ping_interval: 1s\n    connect_timeout: 1s\n"
        << "    reconnect_min: 50ms\n    reconnect_max: 500ms\n    ack_timeout: 2s\n"
        << "machines:\n";
    for (int i = 0; i < 2; ++i) {
      out << "  - id: m" << i + 1 << "\n    type: shdr\n    host: 127.0.0.1\n    port: " << base + i
          << "\n    enabled: " << (collect ? "true" : "false") << "\n";
    }
  };
  std::string errFile = (m_dir / "spindle.err").string();
  auto startSpindle = [&] {
    m_spindle = std::make_unique<Process>(
        std::vector<std::string>{SPINDLE_BINARY, "run", "-c", (m_dir / "spindle.yaml").string()},
        (m_dir / "spindle.out").string(), errFile);
  };
  auto log = [&] { return readFile(errFile); };
  writeConfig(true);
  startSpindle();
  int frozen = -1;
  ASSERT_TRUE(
      eventually([&] { return (frozen = m_cluster->nodeWithConnection("spindle-e1")) >= 0; }, 30s))
      << log();
  ASSERT_TRUE(storedGrows(20)) << log();

  const auto seconds = std::chrono::seconds(envNumber("SPINDLE_CLUSTER_FREEZE_S", 30));
  const int leader = m_cluster->streamLeader(kStream);
  m_cluster->node(frozen).pause();
  const auto frozenAt = std::chrono::steady_clock::now();
  int now = -1;
  ASSERT_TRUE(eventually(
      [&] {
        now = m_cluster->nodeWithConnection("spindle-e1");
        return now >= 0 && now != frozen;
      },
      seconds))
      << "the edge did not fail over\n"
      << log();
  auto since = [](auto t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };
  std::printf(
      "cluster: froze %s (the edge's node; the stream's leader was %s): the edge was on "
      "%s after %.1f s\n",
      m_cluster->node(frozen).name().c_str(),
      leader >= 0 ? m_cluster->node(leader).name().c_str() : "none",
      m_cluster->node(now).name().c_str(), since(frozenAt));
  EXPECT_TRUE(storedGrows(20, seconds)) << "nothing stored through the other nodes\n" << log();
  std::this_thread::sleep_until(frozenAt + seconds);  // the partition lasts its full length
  m_cluster->node(frozen).resume();
  const auto resumedAt = std::chrono::steady_clock::now();
  ASSERT_TRUE(m_cluster->waitStreamComplete(kStream)) << "the cluster did not heal\n"
                                                      << m_cluster->log();
  const double healed = since(resumedAt);
  ASSERT_TRUE(storedGrows(20)) << log();
  std::printf("cluster: thawed: every replica current after %.1f s, storing again after %.1f s\n",
              healed, since(resumedAt));
  EXPECT_EQ(m_spindle->kill(SIGTERM), 0) << log();
  const std::string text = log();
  EXPECT_NE(text.find("is down (connection lost)"), std::string::npos) << text;

  // The journal as the edge kept it; then the edge again, collecting nothing, to send the rest.
  const auto journal = dumpJournal(m_dir / "data" / "journal", m_dir);
  ASSERT_EQ(journal.size(), 2u);
  std::uint64_t total = 0, lowest = UINT64_MAX;
  for (const auto& [machine, sequences] : journal) {
    total += sequences.size();
    lowest = std::min(lowest, sequences.front());
  }
  ASSERT_EQ(lowest, 1u) << "the journal no longer starts at 1: the comparison would be partial";
  writeConfig(false);
  errFile = (m_dir / "spindle-drain.err").string();
  startSpindle();
  NatsClient client(m_cluster->url());
  ASSERT_TRUE(eventually(
      [&] {
        std::this_thread::sleep_for(200ms);  // each check reads the whole stream
        return client.readStream(kStream, "spindle.e1.data.>").sequences.size() >= total;
      },
      60s))
      << log();
  EXPECT_EQ(m_spindle->kill(SIGTERM), 0) << log();
  EXPECT_EQ(dumpJournal(m_dir / "data" / "journal", m_dir), journal) << "collected while draining";
  expectExact("e1", journal);
}

// N edges (uplink_feeder processes, each its own journal and edge id) at 1,000 observations/s
// each. The suite runs 20 for 20 s; scripts/soak-fleet runs 100 for 2 minutes
// (SPINDLE_FLEET_EDGES, SPINDLE_FLEET_SECONDS). Prints the hub's figures.
TEST_F(NatsClusterTest, ManyEdgesEachJournalAndTheStreamAgree) {
  const int edges = static_cast<int>(envNumber("SPINDLE_FLEET_EDGES", 20));
  const std::uint64_t seconds = envNumber("SPINDLE_FLEET_SECONDS", 20);
  const std::uint64_t total = 1000 * seconds;
  std::vector<double> cpuBefore;
  for (int i = 0; i < m_cluster->size(); ++i) {
    cpuBefore.push_back(cpuSeconds(m_cluster->node(i).pid()));
  }
  const std::uint64_t storedBefore = stored();
  const auto start = std::chrono::steady_clock::now();
  for (int e = 0; e < edges; ++e) startFeeder("e" + std::to_string(e + 1), total, 1000, 20000);
  for (int e = 0; e < edges; ++e) {
    const std::string name = "e" + std::to_string(e + 1);
    ASSERT_EQ(m_edges[e]->wait(std::chrono::seconds(seconds + 120)), 0)
        << name << ": " << feederLog(name);
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::uint64_t messages = stored() - storedBefore;
  std::printf(
      "fleet: %d edges x %llu s at 1000 obs/s: %llu observations, %llu messages in %.1f s"
      " = %.0f obs/s, %.0f messages/s stored\n",
      edges, static_cast<unsigned long long>(seconds),
      static_cast<unsigned long long>(total * edges), static_cast<unsigned long long>(messages),
      elapsed, static_cast<double>(total * edges) / elapsed,
      static_cast<double>(messages) / elapsed);
  for (int i = 0; i < m_cluster->size(); ++i) {
    std::printf("fleet: %s (pid %d) CPU %.0f%% of one core\n", m_cluster->node(i).name().c_str(),
                m_cluster->node(i).pid(),
                100.0 * (cpuSeconds(m_cluster->node(i).pid()) - cpuBefore[i]) / elapsed);
  }
  std::fflush(stdout);
  EXPECT_EQ(messages, static_cast<std::uint64_t>(edges) * (total / 50) * 3)
      << "one message per machine per record of 50";
  const auto journal = feederJournal(total, 3);
  for (int e = 0; e < edges; ++e) expectExact("e" + std::to_string(e + 1), journal);
}

}  // namespace
}  // namespace spindle::testing
