// `spindle run` end to end through the journal: simulated machines -> collectors -> state ->
// journal -> file uplink consumer. Across a clean restart and a kill -9 the output file holds
// every observation exactly once, in journal order, and the journal verifies clean.

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "loopback_config.hpp"
#include "process.hpp"

namespace spindle::testing {
namespace {

namespace fs = std::filesystem;

class JournalGateway : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("spindle_journal_gw_" + std::to_string(::getpid()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
    const auto base = freePortRange(2);
    std::string yaml = "edge:\n  data_dir: " + (m_dir / "data").string() +
                       "\n  status_interval: 0s\n" + loopbackSections() +
                       "journal:\n  fsync: 10ms\n  segment_size: 64KiB\n  max_size: 64MiB\n"
                       "simulator:\n  enabled: true\n  machines: 2\n  base_port: " +
                       std::to_string(base) + "\n  time_scale: 20\n  tick: 20ms\n" + "machines:\n";
    for (int i = 0; i < 2; ++i) {
      yaml += "  - id: m" + std::to_string(i + 1) + "\n    type: shdr\n    host: 127.0.0.1\n" +
              "    port: " + std::to_string(base + i) + "\n";
    }
    m_config = (m_dir / "spindle.yaml").string();
    std::ofstream(m_config) << yaml;
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(m_dir);
  }
  std::string output() const { return (m_dir / "data" / "observations.jsonl").string(); }

  int run(const std::string& duration) {
    Process p({SPINDLE_BINARY, "run", "--config", m_config, "--for", duration},
              (m_dir / "run.out").string(), (m_dir / "run.err").string());
    return p.wait(std::chrono::seconds(60));
  }

  /// Sequences of the complete lines, in file order.
  std::vector<std::uint64_t> sequences() {
    std::ifstream in(output());
    std::vector<std::uint64_t> out;
    for (std::string line; std::getline(in, line);) {
      if (in.eof()) break;
      const auto at = line.rfind(",\"seq\":");
      if (at == std::string::npos) {
        ADD_FAILURE() << "line without seq: " << line;
        continue;
      }
      out.push_back(std::stoull(line.substr(at + 7)));
    }
    return out;
  }

  fs::path m_dir;
  std::string m_config;
};

TEST_F(JournalGateway, RestartsAndKillsNeitherLoseNorRepeatObservations) {
  ASSERT_EQ(run("2s"), 0) << readFile((m_dir / "run.err").string());
  const std::size_t first = sequences().size();
  ASSERT_GT(first, 0u) << readFile((m_dir / "run.err").string());
  EXPECT_TRUE(fs::exists(m_dir / "data" / "journal" / "cursors" / "file.cursor"));

  {
    Process p({SPINDLE_BINARY, "run", "--config", m_config}, (m_dir / "kill.out").string(),
              (m_dir / "kill.err").string());
    ASSERT_TRUE(
        eventually([&] { return sequences().size() > first + 200; }, std::chrono::seconds(20)));
    p.kill(SIGKILL);
  }
  ASSERT_EQ(run("2s"), 0) << readFile((m_dir / "run.err").string());

  const auto seqs = sequences();
  ASSERT_GT(seqs.size(), first + 200);
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    ASSERT_EQ(seqs[i], i + 1) << "line " << i + 1 << ": a gap or a repeat";
  }
  const std::string verifyOut = (m_dir / "verify.out").string();
  Process verify({SPINDLE_BINARY, "journal", "verify", (m_dir / "data" / "journal").string()},
                 verifyOut, (m_dir / "verify.err").string());
  EXPECT_EQ(verify.wait(), 0) << readFile(verifyOut);
}

}  // namespace
}  // namespace spindle::testing
