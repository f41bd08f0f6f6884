// The reliability soak: the spindle binary with simulated machines, the file uplink and the
// NATS uplink, through cycles of kill -9 of spindle, kill -9 of the hub, and both at once. At
// the end the hub is up and collection stops; both destinations must hold every journaled
// observation exactly once. The suite runs a few cycles; scripts/soak-reliability runs 200 or
// more (SPINDLE_SOAK_CYCLES, SPINDLE_SOAK_MINUTES) and prints the same figures.

#include <cstdlib>
#include <random>
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "loopback_config.hpp"
#include "nats_cluster.hpp"

namespace spindle::testing {
namespace {

using namespace std::chrono_literals;

struct Delivery {
  std::uint64_t stored = 0, unique = 0, duplicated = 0, lost = 0;
};

Delivery count(const std::vector<std::uint64_t>& sequences, std::uint64_t journaled) {
  Delivery d;
  std::set<std::uint64_t> seen;
  for (auto s : sequences) {
    ++d.stored;
    if (!seen.insert(s).second) ++d.duplicated;
  }
  d.unique = seen.size();
  for (std::uint64_t s = 1; s <= journaled; ++s) d.lost += seen.count(s) == 0;
  return d;
}

/// The "seq" of every line of the file uplink's output (the file and its rotated copies).
std::vector<std::uint64_t> fileSequences(const fs::path& output) {
  std::vector<std::uint64_t> out;
  for (int i = 0; i <= 20; ++i) {
    const fs::path p = i == 0 ? output : fs::path(output.string() + "." + std::to_string(i));
    std::ifstream in(p);
    for (std::string line; std::getline(in, line);) {
      const auto at = line.rfind("\"seq\":");
      if (at != std::string::npos) out.push_back(std::strtoull(line.c_str() + at + 6, nullptr, 10));
    }
  }
  return out;
}

std::uint64_t envNumber(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

class ReliabilitySoak : public ::testing::Test {
 protected:
  void SetUp() override {
    if (natsServerBinary().empty()) GTEST_SKIP() << "nats-server is not installed";
    m_dir = fs::temp_directory_path() / ("spindle_soak_" + std::to_string(::getpid()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
    m_hub = std::make_unique<NatsHub>(m_dir, NatsServerConfig{});
    ASSERT_TRUE(m_hub->start()) << m_hub->log();
    NatsClient client(m_hub->url());
    ASSERT_TRUE(client.addStream("SPINDLE", {"spindle.*.data.>"}, 600s, m_hub->replicas()));
    m_basePort = freePortRange(2);
  }
  void TearDown() override {
    m_spindle.reset();
    m_hub.reset();
    if (!HasFailure()) fs::remove_all(m_dir);
  }
  void writeConfig(bool simulate) {
    std::ofstream out(m_dir / "spindle.yaml");
    out << "edge:\n  id: soak\n  data_dir: " << (m_dir / "data").string()
        << "\n  status_interval: 0s\n"
        << loopbackSections() << "simulator:\n  enabled: " << (simulate ? "true" : "false")
        << "\n  machines: 2\n  names: [m1, m2]\n  base_port: " << m_basePort
        << "\n  time_scale: 20\n  tick: 10ms\n"
        << "journal:\n  fsync: 20ms\n  segment_size: 16KiB\n"
        << "uplinks:\n  file:\n    rotate_size: 1MiB\n    keep_files: 20\n"
        << "  nats:\n    servers: [" << m_hub->url() << "]\n"
        << "    reconnect_min: 50ms\n    reconnect_max: 300ms\n"
        << "machines:\n";
    for (int i = 0; i < 2; ++i) {
      out << "  - id: m" << i + 1
          << "\n    type: shdr\n    host: 127.0.0.1\n    port: " << m_basePort + i << "\n";
    }
  }
  void startSpindle() {
    m_spindle = std::make_unique<Process>(
        std::vector<std::string>{SPINDLE_BINARY, "run", "-c", (m_dir / "spindle.yaml").string()},
        (m_dir / "spindle.out").string(), (m_dir / "spindle.err").string());
  }
  std::string spindleLog() const { return readFile((m_dir / "spindle.err").string()); }
  /// The journal's last sequence, from `spindle journal inspect`.
  std::uint64_t journaled() {
    Process inspect({SPINDLE_BINARY, "journal", "inspect", (m_dir / "data" / "journal").string()},
                    (m_dir / "inspect.out").string(), (m_dir / "inspect.err").string());
    EXPECT_EQ(inspect.wait(30s), 0);
    const std::string text = readFile((m_dir / "inspect.out").string());
    std::smatch m;
    if (!std::regex_search(text, m, std::regex("sequences ([0-9]+)-([0-9]+)"))) return 0;
    return std::stoull(m[2]);
  }

  fs::path m_dir;
  std::unique_ptr<NatsHub> m_hub;
  std::unique_ptr<Process> m_spindle;
  std::uint16_t m_basePort = 0;
};

TEST_F(ReliabilitySoak, KillNineAndHubKillCyclesLoseAndDuplicateNothing) {
  const std::uint64_t cycles = envNumber("SPINDLE_SOAK_CYCLES", 4);
  const auto minutes = std::chrono::minutes(envNumber("SPINDLE_SOAK_MINUTES", 0));
  const auto until = std::chrono::steady_clock::now() + minutes;
  std::mt19937 random(envNumber("SPINDLE_SOAK_SEED", 7));
  auto pause = [&](int lowMs, int highMs) {
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(lowMs, highMs)(random)));
  };
  writeConfig(true);
  startSpindle();
  std::uint64_t done = 0, spindleKills = 0, hubKills = 0;
  while (done < cycles || std::chrono::steady_clock::now() < until) {
    pause(300, 1200);  // collecting (and delivering, when the hub is up)
    const int what = std::uniform_int_distribution<int>(0, 2)(random);
    if (what != 0 && m_hub->running()) {
      m_hub->kill9();
      ++hubKills;
      pause(100, 800);
    }
    if (what != 1) {
      m_spindle->kill(SIGKILL);
      ++spindleKills;
      startSpindle();
      pause(100, 600);
    }
    if (!m_hub->running() && (what != 2 || done % 2 == 0)) {
      ASSERT_TRUE(m_hub->start()) << m_hub->log();
    }
    ++done;
  }
  // The end: the hub up, collection stopped, the backlog drained into both destinations.
  if (!m_hub->running()) {
    ASSERT_TRUE(m_hub->start()) << m_hub->log();
  }
  EXPECT_EQ(m_spindle->kill(SIGTERM), 0) << spindleLog();
  writeConfig(false);
  startSpindle();
  NatsClient client(m_hub->url());
  std::uint64_t last = 0, stable = 0;
  eventually(
      [&] {
        const StoredData d = client.readStream("SPINDLE", "spindle.soak.data.>");
        std::this_thread::sleep_for(300ms);  // each check reads the whole stream
        stable = d.messages == last ? stable + 1 : 0;
        last = d.messages;
        return stable >= 6;  // nothing new for about two seconds
      },
      180s);
  EXPECT_EQ(m_spindle->kill(SIGTERM), 0) << spindleLog();
  const std::uint64_t journal = journaled();
  const StoredData stored = client.readStream("SPINDLE", "spindle.soak.data.>");
  ASSERT_TRUE(stored.error.empty()) << stored.error;
  const Delivery nats = count(stored.sequences, journal);
  const Delivery file = count(fileSequences(m_dir / "data" / "observations.jsonl"), journal);
  std::printf(
      "soak: %llu cycles (%llu kill -9 of spindle, %llu of the hub): %llu observations "
      "journaled\n"
      "soak: nats: %llu delivered, %llu lost, %llu duplicated\n"
      "soak: file: %llu delivered, %llu lost, %llu duplicated\n",
      static_cast<unsigned long long>(done), static_cast<unsigned long long>(spindleKills),
      static_cast<unsigned long long>(hubKills), static_cast<unsigned long long>(journal),
      static_cast<unsigned long long>(nats.unique), static_cast<unsigned long long>(nats.lost),
      static_cast<unsigned long long>(nats.duplicated),
      static_cast<unsigned long long>(file.unique), static_cast<unsigned long long>(file.lost),
      static_cast<unsigned long long>(file.duplicated));
  EXPECT_GT(journal, 0u);
  EXPECT_EQ(nats.lost, 0u);
  EXPECT_EQ(nats.duplicated, 0u);
  EXPECT_EQ(file.lost, 0u);
  EXPECT_EQ(file.duplicated, 0u);
}

}  // namespace
}  // namespace spindle::testing
