// A full disk and failing syncs, injected through the FileIo seam: the journal never crashes,
// the policy applies, one clear log line says what happened, and every record it accepted is
// either on disk or counted as evicted. (tests/integration/journal_disk_full_test.cpp does the
// same on a real, tiny tmpfs when the test may mount one.)

#include <gtest/gtest.h>

#include "journal/inspect.hpp"
#include "journal/journal.hpp"
#include "journal/journal_reader.hpp"
#include "journal/testing/faulty_file_io.hpp"
#include "journal/testing/journal_testing.hpp"

namespace spindle::journal {
namespace {

using testing::FaultyFileIo;
using testing::intValue;
using testing::TempDir;

class JournalDiskFull : public ::testing::Test {
 protected:
  Settings settings() {
    Settings s;
    s.dir = m_dir.str();
    s.sync = SyncPolicy{SyncMode::kInterval, std::chrono::milliseconds(1)};
    s.segmentSize = 8192;
    s.maxSize = 1ULL << 30;  // the disk fills long before the quota
    s.retryMin = std::chrono::milliseconds(1);
    s.retryMax = std::chrono::milliseconds(4);
    return s;
  }
  model::Batch batch(std::uint64_t first, int n = 20) {
    const auto m = m_catalog.addMachine("m");
    model::Batch b;
    for (int i = 0; i < n; ++i) {
      b.push_back({m, m_catalog.intern(m, "v").value(), 0, model::Kind::kSample, 0,
                   static_cast<std::int64_t>(first + i)});
    }
    return b;
  }
  /// Appends `n` batches, offering each again (with poll) while the journal refuses it, for at
  /// most `patience` attempts per batch. Returns how many were accepted.
  int appendPatiently(Journal& j, int n, int patience = 2000) {
    int accepted = 0;
    for (int i = 0; i < n; ++i) {
      bool ok = false;
      for (int attempt = 0; attempt < patience && !ok; ++attempt) {
        ok = j.append(batch(j.stats().nextSequence), m_catalog).ok();
        j.poll();  // as the pipeline's writer does between batches
        if (!ok)
          std::this_thread::sleep_for(std::min<Duration>(j.poll(), std::chrono::milliseconds(2)));
      }
      if (!ok) break;
      ++accepted;
    }
    return accepted;
  }
  /// Commits, polling while a write failure is being retried.
  bool commitPatiently(Journal& j) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!j.commit().ok()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::min<Duration>(j.poll(), std::chrono::milliseconds(2)));
    }
    return true;
  }
  /// Checks that what the journal holds is one contiguous run of values == sequences.
  std::uint64_t readContiguous(Journal& j) {
    JournalReader reader(j, m_readCatalog, 1, makeLogger("test"));
    std::uint64_t count = 0, expected = 0;
    while (true) {
      auto c = reader.read(1000);
      EXPECT_EQ(c.damaged, 0u);
      if (c.observations.empty()) break;
      if (expected == 0) expected = c.firstSequence;
      EXPECT_EQ(c.firstSequence, expected);
      for (const auto& o : c.observations) {
        EXPECT_EQ(intValue(o), static_cast<std::int64_t>(expected));
        ++expected;
        ++count;
      }
    }
    return count;
  }

  TempDir m_dir{"diskfull"};
  testing::ManualClock m_clock;
  model::ItemCatalog m_catalog, m_readCatalog;
};

TEST_F(JournalDiskFull, DropOldestEvictsToKeepWriting) {
  auto io = std::make_shared<FaultyFileIo>(m_dir.str(), 40 * 1024);
  testing::LogCapture log("journal");
  auto opened = Journal::open(settings(), m_clock, io);
  ASSERT_TRUE(opened.ok());
  auto& j = **opened;
  EXPECT_EQ(appendPatiently(j, 400), 400);  // ~4x what the disk holds
  ASSERT_TRUE(commitPatiently(j));
  const auto st = j.stats();
  EXPECT_GT(io->enospcCount(), 0);
  EXPECT_GT(st.evictedSegments, 0u);
  EXPECT_GT(st.ioErrors, 0u);
  EXPECT_FALSE(st.stalled);
  // What is left is whole and contiguous up to the last append; the rest was counted.
  EXPECT_EQ(readContiguous(j) + st.evictedObservations, 400u * 20u);
  EXPECT_EQ(st.durableSequence, 400u * 20u + 1);
  const std::string text = log.text();
  EXPECT_NE(text.find("failed: No space left on device (ENOSPC); holding"), std::string::npos)
      << text;
  EXPECT_NE(text.find("journal disk full: dropped segment"), std::string::npos) << text;
  j.close();
  auto report = inspectJournal(m_dir.str(), true);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->clean());
}

TEST_F(JournalDiskFull, BlockHoldsEverythingUntilThereIsRoom) {
  auto io = std::make_shared<FaultyFileIo>(m_dir.str(), 24 * 1024);
  Settings s = settings();
  s.policy = FullPolicy::kBlock;
  auto opened = Journal::open(s, m_clock, io);
  ASSERT_TRUE(opened.ok());
  auto& j = **opened;
  const int accepted = appendPatiently(j, 400, 50);
  EXPECT_LT(accepted, 400);  // the disk is full and nothing may be dropped
  EXPECT_TRUE(j.stats().stalled);
  EXPECT_NE(j.stats().problem.find("ENOSPC"), std::string::npos);
  EXPECT_EQ(j.stats().evictedObservations, 0u);
  io->setCapacity(1 << 20);  // an operator frees space
  EXPECT_EQ(appendPatiently(j, 400 - accepted), 400 - accepted);
  ASSERT_TRUE(commitPatiently(j));
  EXPECT_FALSE(j.stats().stalled);
  EXPECT_EQ(readContiguous(j), 400u * 20u);  // nothing lost, nothing twice
}

TEST_F(JournalDiskFull, AFailedSyncRewritesTheUnsyncedRecordsElsewhere) {
  auto io = std::make_shared<FaultyFileIo>(m_dir.str(), 1 << 30);
  Settings s = settings();
  s.sync = SyncPolicy{SyncMode::kInterval, std::chrono::hours(1)};
  s.syncSize = 0;
  auto opened = Journal::open(s, m_clock, io);
  ASSERT_TRUE(opened.ok());
  auto& j = **opened;
  ASSERT_EQ(appendPatiently(j, 10), 10);
  ASSERT_TRUE(j.commit().ok());  // 1-200 durable
  ASSERT_EQ(appendPatiently(j, 10), 10);
  io->failSyncs(1);
  EXPECT_FALSE(j.commit().ok());
  EXPECT_TRUE(j.stats().stalled);
  EXPECT_EQ(j.durableSequence(), 201u);  // a failed sync promises nothing
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (j.stats().stalled && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::min<Duration>(j.poll(), std::chrono::milliseconds(2)));
  }
  EXPECT_FALSE(j.stats().stalled);
  EXPECT_EQ(j.durableSequence(), 401u);
  EXPECT_EQ(readContiguous(j), 400u);
  j.close();
  auto report = inspectJournal(m_dir.str(), true);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->clean());
  EXPECT_EQ(report->observations(), 400u);
  // Reopening finds the same.
  auto again = Journal::open(s, m_clock);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(readContiguous(**again), 400u);
}

TEST_F(JournalDiskFull, SyncLatencyIsCountedInItsBucket) {
  auto io = std::make_shared<FaultyFileIo>(m_dir.str(), 1 << 30);
  Settings s = settings();
  s.sync = SyncPolicy{SyncMode::kInterval, std::chrono::hours(1)};
  auto opened = Journal::open(s, m_clock, io);
  ASSERT_TRUE(opened.ok());
  auto& j = **opened;
  ASSERT_EQ(appendPatiently(j, 1), 1);
  ASSERT_TRUE(j.commit().ok());
  const auto before = j.stats();
  io->delaySyncs(std::chrono::milliseconds(30));
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(appendPatiently(j, 1), 1);
    ASSERT_TRUE(j.commit().ok());
  }
  const auto after = j.stats();
  EXPECT_EQ(after.syncs, before.syncs + 3);
  std::uint64_t counted = 0;
  for (const auto n : after.syncLatency) counted += n;
  EXPECT_EQ(counted, after.syncs) << "every sync lands in one bucket";
  // 30 ms and more: the buckets up to 25 ms got none of the three slow syncs.
  std::size_t slow = 0;
  while (kSyncLatencyBounds[slow] < 0.03) ++slow;
  std::uint64_t beyond = 0;
  for (std::size_t i = slow; i < kSyncLatencyBuckets; ++i) {
    beyond += after.syncLatency[i] - before.syncLatency[i];
  }
  EXPECT_EQ(beyond, 3u);
  EXPECT_GE(after.syncSeconds - before.syncSeconds, 0.09);
}

TEST_F(JournalDiskFull, ANewSegmentThatCannotBeCreatedWaitsForSpace) {
  auto io = std::make_shared<FaultyFileIo>(m_dir.str(), 1 << 30);
  Settings s = settings();
  s.policy = FullPolicy::kBlock;
  auto opened = Journal::open(s, m_clock, io);
  ASSERT_TRUE(opened.ok());
  auto& j = **opened;
  io->failCreates(true);  // the first segment exists; the next cannot be created
  const int accepted = appendPatiently(j, 100, 20);
  EXPECT_LT(accepted, 100);
  EXPECT_TRUE(j.stats().stalled);
  EXPECT_NE(j.stats().problem.find("creating"), std::string::npos) << j.stats().problem;
  io->failCreates(false);
  EXPECT_EQ(appendPatiently(j, 100 - accepted), 100 - accepted);
  ASSERT_TRUE(j.commit().ok());
  EXPECT_EQ(readContiguous(j), 2000u);
}

}  // namespace
}  // namespace spindle::journal
