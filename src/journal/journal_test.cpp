#include "journal/journal.hpp"

#include <filesystem>

#include <gtest/gtest.h>

#include "journal/cursor_file.hpp"
#include "journal/journal_reader.hpp"
#include "journal/testing/journal_testing.hpp"

namespace spindle::journal {
namespace {

namespace fs = std::filesystem;
using testing::ManualClock;
using testing::sameObservation;
using testing::sampleBatch;
using testing::TempDir;

class JournalTest : public ::testing::Test {
 protected:
  Settings settings() {
    Settings s;
    s.dir = m_dir.str();
    s.sync = SyncPolicy{SyncMode::kNever, {}};
    return s;
  }
  std::unique_ptr<Journal> open(const Settings& s) {
    auto j = Journal::open(s, m_clock);
    EXPECT_TRUE(j.ok()) << j.error().describe();
    return j ? std::move(*j) : nullptr;
  }
  /// Everything durable from `from`, decoded into m_readCatalog.
  ReadChunk readAll(const Journal& journal, std::uint64_t from) {
    JournalReader reader(journal, m_readCatalog, from, makeLogger("test"));
    ReadChunk all;
    all.firstSequence = from;
    while (true) {
      ReadChunk c = reader.read(1000);
      all.evicted += c.evicted;
      all.damaged += c.damaged;
      if (all.observations.empty()) all.firstSequence = c.firstSequence;
      if (c.observations.empty()) break;
      for (auto& o : c.observations) all.observations.push_back(std::move(o));
    }
    return all;
  }
  std::size_t segmentFiles() {
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(m_dir.path())) n += e.path().extension() == ".seg";
    return n;
  }

  TempDir m_dir{"core"};
  ManualClock m_clock;
  model::ItemCatalog m_catalog, m_readCatalog;
};

TEST_F(JournalTest, AReadStopsAtItsBytesBeforeItsCountWithWholeRecords) {
  Settings s = settings();
  auto j = open(s);
  const model::MachineId m = m_catalog.addMachine("mill");
  const model::ItemId item = m_catalog.intern(m, "msg").value();
  for (int i = 0; i < 10; ++i) {  // records of two 30 KB texts
    model::Batch b;
    for (int k = 0; k < 2; ++k) {
      b.push_back(model::Observation{m, item, 1, model::Kind::kEvent, 0,
                                     std::string(30000, static_cast<char>('a' + i))});
    }
    ASSERT_TRUE(j->append(b, m_catalog).ok());
  }
  ASSERT_TRUE(j->commit().ok());
  JournalReader reader(*j, m_readCatalog, 1, makeLogger("test"));
  // 1000 observations would be 10 records; 200 KB of payload is three (60 KB each), whole.
  ReadChunk c = reader.read(1000, 200000);
  EXPECT_EQ(c.observations.size(), 6u);
  EXPECT_EQ(c.records.size(), 3u);
  // A record larger than the bound still comes, alone: a read always makes progress.
  c = reader.read(1000, 1000);
  ASSERT_EQ(c.observations.size(), 2u);
  EXPECT_EQ(c.firstSequence, 7u);
  EXPECT_EQ(std::get<std::string>(c.observations[0].value), std::string(30000, 'd'));
  c = reader.read(1000);
  EXPECT_EQ(c.observations.size(), 12u);  // the rest: no byte bound
}

TEST_F(JournalTest, AppendsReadBackInOrderWithTheirNames) {
  auto j = open(settings());
  model::Batch all;
  for (int i = 0; i < 10; ++i) {
    auto b = sampleBatch(m_catalog, "mill-" + std::to_string(i % 3), 30, i * 30);
    auto r = j->append(b, m_catalog);
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(r->firstSequence, 1u + i * 30);
    EXPECT_EQ(r->count, 30u);
    all.insert(all.end(), b.begin(), b.end());
  }
  ASSERT_TRUE(j->commit().ok());
  EXPECT_EQ(j->durableSequence(), 301u);
  const auto chunk = readAll(*j, 1);
  ASSERT_EQ(chunk.observations.size(), all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    ASSERT_TRUE(sameObservation(all[i], m_catalog, chunk.observations[i], m_readCatalog)) << i;
  }
  // From the middle of a record: the reader starts exactly there.
  const auto tail = readAll(*j, 145);
  ASSERT_EQ(tail.observations.size(), 300u - 144u);
  EXPECT_EQ(tail.firstSequence, 145u);
  EXPECT_TRUE(sameObservation(all[144], m_catalog, tail.observations[0], m_readCatalog));
}

TEST_F(JournalTest, GroupCommitDecidesWhenABatchIsDurable) {
  Settings s = settings();
  s.sync = SyncPolicy{SyncMode::kInterval, std::chrono::hours(1)};
  s.syncSize = 0;
  auto j = open(s);
  auto b = sampleBatch(m_catalog, "m", 64, 0);
  auto r = j->append(b, m_catalog);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->durable);
  EXPECT_EQ(j->durableSequence(), 1u);
  EXPECT_EQ(readAll(*j, 1).observations.size(), 0u);  // readers see durable records only
  j->poll();
  EXPECT_EQ(j->durableSequence(), 1u);                 // the interval has not passed
  EXPECT_FALSE(j->waitDurable(64, Duration::zero()));  // poll() ran: no commit is due
  ASSERT_TRUE(j->commit().ok());
  EXPECT_TRUE(j->waitDurable(64, Duration::zero()));
  EXPECT_EQ(j->stats().syncs, 1u);

  // A short interval: poll() commits once it has passed.
  j.reset();
  s.sync.interval = std::chrono::milliseconds(5);
  j = open(s);
  r = j->append(b, m_catalog);
  ASSERT_TRUE(r.ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!j->waitDurable(r->firstSequence + 63, Duration::zero()) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(j->poll());
  }
  EXPECT_TRUE(j->waitDurable(r->firstSequence + 63, Duration::zero()));

  // fsync_size: a commit as soon as that many bytes wait.
  j.reset();
  s.sync.interval = std::chrono::hours(1);
  s.syncSize = 1;
  j = open(s);
  r = j->append(b, m_catalog);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->durable);
}

TEST_F(JournalTest, AlwaysIsDurableOnReturnAndNeverOnceWritten) {
  Settings s = settings();
  s.sync = SyncPolicy{SyncMode::kAlways, {}};
  auto j = open(s);
  auto b = sampleBatch(m_catalog, "m", 10, 0);
  auto r = j->append(b, m_catalog);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->durable);
  EXPECT_GE(j->stats().syncs, 1u);
  j.reset();
  j = open(settings());  // never
  r = j->append(b, m_catalog);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->durable);  // buffered in the process
  j->poll();                 // idle: written to the OS, which is all `never` promises
  EXPECT_TRUE(j->waitDurable(r->firstSequence + 9, Duration::zero()));
  EXPECT_EQ(j->stats().syncs, 0u);
}

TEST_F(JournalTest, SegmentsRotateAndSequencesContinueAcrossReopen) {
  Settings s = settings();
  s.segmentSize = 8192;
  s.maxSize = 1 << 30;
  auto j = open(s);
  for (int i = 0; i < 50; ++i) {
    auto b = sampleBatch(m_catalog, "m", 20, i * 20);
    ASSERT_TRUE(j->append(b, m_catalog).ok());
  }
  j->close();
  EXPECT_GT(segmentFiles(), 3u);
  for (const auto& e : fs::directory_iterator(m_dir.path())) {
    if (e.path().extension() == ".seg") {
      EXPECT_LE(fs::file_size(e.path()), 8192u);
    }
  }
  j = open(s);
  EXPECT_EQ(j->durableSequence(), 1001u);
  auto b = sampleBatch(m_catalog, "m", 5, 0);
  auto r = j->append(b, m_catalog);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->firstSequence, 1001u);
  j->commit().ok();
  EXPECT_EQ(readAll(*j, 1).observations.size(), 1005u);
  EXPECT_EQ(j->stats().firstSequence, 1u);
}

TEST_F(JournalTest, ZstdRecordsReadBackTheSame) {
  Settings s = settings();
  s.compress = true;
  auto j = open(s);
  auto b = sampleBatch(m_catalog, "lathe", 200, 7);
  ASSERT_TRUE(j->append(b, m_catalog).ok());
  ASSERT_TRUE(j->commit().ok());
  EXPECT_LT(j->stats().appendedBytes, 200u * 20u);  // the repetitive sample compresses well
  const auto chunk = readAll(*j, 1);
  ASSERT_EQ(chunk.observations.size(), 200u);
  for (std::size_t i = 0; i < b.size(); ++i) {
    EXPECT_TRUE(sameObservation(b[i], m_catalog, chunk.observations[i], m_readCatalog));
  }
}

TEST_F(JournalTest, AcknowledgedSegmentsAreDeleted) {
  Settings s = settings();
  s.segmentSize = 4096;
  auto j = open(s);
  const std::size_t consumer = j->addConsumer("c", 1);
  for (int i = 0; i < 40; ++i) {
    auto b = sampleBatch(m_catalog, "m", 20, 0);
    ASSERT_TRUE(j->append(b, m_catalog).ok());
  }
  j->commit().ok();
  const std::size_t before = segmentFiles();
  ASSERT_GT(before, 3u);
  j->acknowledge(consumer, 401);
  auto b = sampleBatch(m_catalog, "m", 1, 0);
  ASSERT_TRUE(j->append(b, m_catalog).ok());  // housekeeping runs with appends and polls
  j->poll();
  EXPECT_LT(segmentFiles(), before);
  EXPECT_GT(j->stats().deletedSegments, 0u);
  EXPECT_EQ(j->stats().evictedObservations, 0u);
  EXPECT_LE(j->firstSequence(), 401u);
}

TEST_F(JournalTest, DropOldestEvictsWholeSegmentsAndCountsWhatWasNotDelivered) {
  Settings s = settings();
  s.segmentSize = 4096;
  s.maxSize = 16384;
  auto j = open(s);
  testing::LogCapture log("journal");
  const std::size_t consumer = j->addConsumer("slow", 1);
  j->acknowledge(consumer, 11);  // delivered 1-10 only
  for (int i = 0; i < 100; ++i) {
    auto b = sampleBatch(m_catalog, "m", 10, i * 10);
    ASSERT_TRUE(j->append(b, m_catalog).ok());
  }
  j->commit().ok();
  const auto st = j->stats();
  EXPECT_GT(st.evictedSegments, 0u);
  EXPECT_LE(st.bytes, 16384u);
  EXPECT_EQ(st.evictedObservations, st.firstSequence - 11);  // 1-10 were delivered
  EXPECT_NE(log.text().find("journal max_size: dropped segment 00000000000000000001.seg"),
            std::string::npos)
      << log.text();
  // A reader at the old position learns how much it lost, then continues.
  const auto chunk = readAll(*j, 11);
  EXPECT_EQ(chunk.evicted, st.firstSequence - 11);
  EXPECT_EQ(chunk.firstSequence, st.firstSequence);
  EXPECT_EQ(chunk.observations.size(), 1001u - st.firstSequence);
}

TEST_F(JournalTest, BlockRefusesWhenFullUntilConsumersCatchUp) {
  Settings s = settings();
  s.segmentSize = 4096;
  s.maxSize = 12288;
  s.policy = FullPolicy::kBlock;
  auto j = open(s);
  const std::size_t consumer = j->addConsumer("slow", 1);
  std::uint64_t appended = 0;
  Result<AppendResult> r = AppendResult{};
  for (int i = 0; i < 200 && r.ok(); ++i) {
    auto b = sampleBatch(m_catalog, "m", 10, 0);
    r = j->append(b, m_catalog);
    if (r) appended += 10;
  }
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(j->stats().full);
  EXPECT_EQ(j->stats().evictedObservations, 0u);
  EXPECT_EQ(j->stats().nextSequence, appended + 1);  // the refused batch took nothing
  j->commit().ok();
  j->acknowledge(consumer, j->durableSequence());
  auto b = sampleBatch(m_catalog, "m", 10, 0);
  r = j->append(b, m_catalog);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->firstSequence, appended + 1);
  EXPECT_FALSE(j->stats().full);
}

TEST_F(JournalTest, MaxAgeDropsOldSegmentsAndSealsAnIdleOne) {
  Settings s = settings();
  s.segmentSize = 4096;
  s.maxAge = std::chrono::hours(1);
  auto j = open(s);
  for (int i = 0; i < 30; ++i) {
    auto b = sampleBatch(m_catalog, "m", 10, 0);
    ASSERT_TRUE(j->append(b, m_catalog).ok());
  }
  j->commit().ok();
  j->poll();  // nothing old yet
  EXPECT_EQ(j->stats().evictedSegments, 0u);
  m_clock.advance(std::chrono::hours(2));
  // Housekeeping runs once a second: the first poll seals the idle active segment, a later
  // one drops everything older than max_age.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (j->stats().evictedObservations < 300 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::min<Duration>(j->poll(), std::chrono::milliseconds(50)));
  }
  EXPECT_EQ(j->stats().evictedObservations, 300u);
  EXPECT_EQ(j->stats().firstSequence, 301u);
}

TEST_F(JournalTest, SequencesNeverGoBackBelowACursor) {
  {
    fs::create_directories(m_dir.path() / "cursors");
    auto cursor =
        CursorFile::open((m_dir.path() / "cursors" / "file.cursor").string(), posixFileIo());
    ASSERT_TRUE(cursor.ok());
    ASSERT_TRUE(cursor->store(5000, true).ok());
  }
  // The segments are gone (deleted by hand) but the cursor says 4999 were delivered.
  auto j = open(settings());
  auto b = sampleBatch(m_catalog, "m", 3, 0);
  auto r = j->append(b, m_catalog);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->firstSequence, 5000u);
}

TEST_F(JournalTest, OneProcessAtATime) {
  auto j = open(settings());
  auto second = Journal::open(settings(), m_clock);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().describe().find("another process is using this journal"),
            std::string::npos);
  j.reset();
  EXPECT_TRUE(Journal::open(settings(), m_clock).ok());
}

}  // namespace
}  // namespace spindle::journal
