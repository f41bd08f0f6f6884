// kill -9 at random moments during sustained appends (journal_crash_writer, a process that
// appends and feeds a file uplink through a consumer): after every restart, every observation
// the journal had reported durable is still there, in order, and the consumer's output holds
// each observation exactly once. 50 cycles here; scripts/journal-soak runs many more
// (SPINDLE_JOURNAL_CRASH_CYCLES, SPINDLE_JOURNAL_SOAK_SECONDS).

#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "journal/inspect.hpp"
#include "process.hpp"

namespace spindle::testing {
namespace {

namespace fs = std::filesystem;

/// Reads the output file from `offset`, checking every complete line continues the run.
struct OutputChecker {
  std::string path;
  std::uint64_t offset = 0;
  std::uint64_t lastSequence = 0;

  void check() {
    std::ifstream in(path, std::ios::binary);
    if (!in) return;
    in.seekg(static_cast<std::streamoff>(offset));
    std::string line;
    while (std::getline(in, line)) {
      if (in.eof()) break;  // a line without its newline: a write cut by the kill
      offset += line.size() + 1;
      const auto seqAt = line.rfind(",\"seq\":");
      const auto valueAt = line.find("\"value\":");
      ASSERT_NE(seqAt, std::string::npos) << line;
      ASSERT_NE(valueAt, std::string::npos) << line;
      const std::uint64_t seq = std::stoull(line.substr(seqAt + 7));
      const std::uint64_t value = std::stoull(line.substr(valueAt + 8));
      ASSERT_EQ(seq, lastSequence + 1) << "duplicate or gap at byte " << offset << ": " << line;
      ASSERT_EQ(value, seq) << line;
      lastSequence = seq;
    }
  }
};

std::uint64_t envOr(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::stoull(v) : fallback;
}

std::uint64_t lastDurable(const std::string& stdoutText) {
  std::uint64_t last = 0;
  std::istringstream lines(stdoutText);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("durable ", 0) == 0)
      last = std::max<std::uint64_t>(last, std::stoull(line.substr(8)));
  }
  return last;
}

class JournalCrash : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("spindle_journal_crash_" + std::to_string(::getpid()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(m_dir);
  }
  std::string journalDir() const { return (m_dir / "journal").string(); }
  std::string output() const { return (m_dir / "out.jsonl").string(); }

  /// Reads the journal as it stands after the kill (read-only: the next writer run does the
  /// recovery itself) and checks it is sound and holds one contiguous run of sequences,
  /// values equal to sequences, ending at or past `durable`.
  /// Returns the first sequence it still holds: everything before was acknowledged.
  std::uint64_t checkJournal(std::uint64_t durable) {
    std::uint64_t first = 0;
    checkJournalInto(durable, first);
    return first;
  }
  void checkJournalInto(std::uint64_t durable, std::uint64_t& first) {
    auto report = journal::inspectJournal(journalDir(), true);
    ASSERT_TRUE(report.ok()) << report.error().describe();
    ASSERT_TRUE(report->clean()) << "damage after a kill -9";
    ASSERT_FALSE(report->segments.empty());
    first = report->segments.front().firstSequence;
    // The next sequence, as recovery computes it: past every record, and at least the name
    // of the newest segment (an empty one starts where the previous ended).
    std::uint64_t end = report->segments.back().firstSequence;
    for (const auto& seg : report->segments) end = std::max(end, seg.endSequence);
    ASSERT_GT(end, durable) << "an observation reported durable is missing";
    std::uint64_t expected = 0;
    auto visited = journal::dumpJournal(
        journalDir(), 1, 0,
        [&](std::uint64_t seq, const model::Observation& obs, const model::ItemCatalog&) {
          if (expected == 0) expected = seq;
          if (seq != expected) ADD_FAILURE() << "gap in the journal at " << seq;
          EXPECT_EQ(std::get<std::int64_t>(obs.value), static_cast<std::int64_t>(seq));
          expected = seq + 1;
        });
    ASSERT_TRUE(visited.ok());
    if (expected != 0) {
      ASSERT_EQ(expected, end);
    }
  }

  fs::path m_dir;
};

TEST_F(JournalCrash, KillNineAtRandomMomentsLosesNothingDurable) {
  const std::uint64_t cycles = envOr("SPINDLE_JOURNAL_CRASH_CYCLES", 50);
  const std::uint64_t soakSeconds = envOr("SPINDLE_JOURNAL_SOAK_SECONDS", 0);
  std::mt19937 rng(static_cast<unsigned>(envOr("SPINDLE_JOURNAL_CRASH_SEED", 20240607)));
  const auto soakEnd = std::chrono::steady_clock::now() + std::chrono::seconds(soakSeconds);
  OutputChecker out{output()};
  std::uint64_t maxDurable = 0;
  std::uint64_t cycle = 0;
  const char* fsyncModes[] = {"10ms", "10ms", "always", "never", "1ms"};
  for (; cycle < cycles || std::chrono::steady_clock::now() < soakEnd; ++cycle) {
    const std::string fsync = fsyncModes[rng() % 5];
    const std::string stdoutFile = (m_dir / "writer.out").string();
    Process writer({SPINDLE_JOURNAL_CRASH_WRITER, journalDir(), output(), "--fsync", fsync,
                    "--rate", std::to_string(10000 + rng() % 40000)},
                   stdoutFile, (m_dir / "writer.err").string());
    // Kill at a random moment once it is appending (it has made something durable).
    ASSERT_TRUE(eventually([&] { return lastDurable(readFile(stdoutFile)) > maxDurable; },
                           std::chrono::seconds(20)))
        << "cycle " << cycle
        << ": no progress; stderr: " << readFile((m_dir / "writer.err").string());
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 120000));
    writer.kill(SIGKILL);
    maxDurable = std::max(maxDurable, lastDurable(readFile(stdoutFile)));
    const std::uint64_t firstHeld = checkJournal(maxDurable);
    out.check();
    if (HasFatalFailure() || HasFailure()) return;
    // What the journal no longer holds was acknowledged, so it is in the output.
    ASSERT_GE(out.lastSequence + 1, firstHeld) << "cycle " << cycle;
  }
  // A last clean run past everything: the output then holds 1..N, each exactly once.
  const std::uint64_t until = maxDurable + 5000;
  Process final({SPINDLE_JOURNAL_CRASH_WRITER, journalDir(), output(), "--until",
                 std::to_string(until), "--rate", "200000"},
                (m_dir / "final.out").string(), (m_dir / "final.err").string());
  ASSERT_EQ(final.wait(std::chrono::seconds(60)), 0) << readFile((m_dir / "final.err").string());
  out.check();
  EXPECT_GE(out.lastSequence, until);
  // The operator's check agrees: nothing damaged, no torn tail left.
  const std::string verifyOut = (m_dir / "verify.out").string();
  Process verify({SPINDLE_BINARY, "journal", "verify", journalDir()}, verifyOut,
                 (m_dir / "verify.err").string());
  EXPECT_EQ(verify.wait(), 0) << readFile(verifyOut);
  EXPECT_NE(readFile(verifyOut).find("verify: clean"), std::string::npos) << readFile(verifyOut);
  EXPECT_EQ(readFile(verifyOut).find("torn tail"), std::string::npos) << readFile(verifyOut);
  std::printf(
      "[ journal ] %llu kill -9 cycles, %llu observations durable at the last kill, "
      "%llu delivered exactly once\n",
      static_cast<unsigned long long>(cycle), static_cast<unsigned long long>(maxDurable),
      static_cast<unsigned long long>(out.lastSequence));
}

}  // namespace
}  // namespace spindle::testing
