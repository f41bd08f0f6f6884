// Retention and the set of consumers: every consumer is known from the moment the journal
// opens, so one that starts late (the NATS uplink after the file uplink) never finds its
// backlog deleted. Also the journal's identity across a lost directory, and files named like
// journal files that are not what they seem.

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "journal/cursor_file.hpp"
#include "journal/format.hpp"
#include "journal/inspect.hpp"
#include "journal/journal.hpp"
#include "journal/journal_reader.hpp"
#include "journal/testing/journal_testing.hpp"

namespace spindle::journal {
namespace {

namespace fs = std::filesystem;
using testing::ManualClock;
using testing::sampleBatch;
using testing::TempDir;

constexpr int kBatches = 40;
constexpr int kPerBatch = 20;
constexpr std::uint64_t kEnd = kBatches * kPerBatch + 1;

class JournalConsumers : public ::testing::Test {
 protected:
  Settings settings() {
    Settings s;
    s.dir = m_dir.str();
    s.sync = SyncPolicy{SyncMode::kNever, {}};
    s.segmentSize = 4096;
    return s;
  }
  std::unique_ptr<Journal> open(const Settings& s) {
    auto j = Journal::open(s, m_clock);
    EXPECT_TRUE(j.ok()) << j.error().describe();
    return j ? std::move(*j) : nullptr;
  }
  void fill(Journal& j) {
    for (int i = 0; i < kBatches; ++i) {
      ASSERT_TRUE(j.append(sampleBatch(m_catalog, "m", kPerBatch, i * kPerBatch), m_catalog).ok());
    }
    ASSERT_TRUE(j.commit().ok());
  }
  void storeCursor(const std::string& name, std::uint64_t next) {
    fs::create_directories(m_dir.path() / "cursors");
    auto c =
        CursorFile::open((m_dir.path() / "cursors" / (name + ".cursor")).string(), posixFileIo());
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c->store(next, true).ok());
  }
  std::uint64_t readable(const Journal& j, std::uint64_t from) {
    JournalReader reader(j, m_readCatalog, from, makeLogger("test"));
    std::uint64_t n = 0;
    while (true) {
      ReadChunk c = reader.read(1000);
      if (c.observations.empty()) return n;
      n += c.observations.size();
    }
  }
  /// Runs the housekeeping that deletes and expires (it runs at most once a second).
  void housekeep(Journal& j) {
    ASSERT_TRUE(j.append(sampleBatch(m_catalog, "m", 1, 0), m_catalog).ok());
    j.poll();
  }
  /// A journal left by a run where `file` delivered everything and `nats` nothing.
  void previousRun() {
    auto j = open(settings());
    fill(*j);
    j->close();
    storeCursor("file", kEnd);
    storeCursor("nats", 1);
  }

  TempDir m_dir{"consumers"};
  ManualClock m_clock;
  model::ItemCatalog m_catalog, m_readCatalog;
};

TEST_F(JournalConsumers, AConfiguredConsumerHoldsItsDataBeforeItStarts) {
  previousRun();
  Settings s = settings();
  s.consumers = {"file", "nats"};
  auto j = open(s);
  // The file uplink starts first and is up to date; retention runs before nats attaches.
  const auto file = j->addConsumer("file", kEnd);
  j->acknowledge(file, kEnd);
  housekeep(*j);
  EXPECT_EQ(j->stats().deletedSegments, 0u);
  EXPECT_EQ(j->stats().evictedObservations, 0u);
  EXPECT_EQ(readable(*j, 1), kEnd - 1 + 1);
  // Once nats has delivered too, what both have is deleted.
  j.reset();
  storeCursor("nats", kEnd);
  j = open(s);
  housekeep(*j);
  EXPECT_GT(j->stats().deletedSegments, 0u);
}

TEST_F(JournalConsumers, AConfiguredConsumerWithoutACursorHoldsEverything) {
  auto j = open([&] {
    Settings s = settings();
    s.consumers = {"file", "nats"};
    return s;
  }());
  fill(*j);
  const auto file = j->addConsumer("file", 1);
  j->acknowledge(file, kEnd);
  housekeep(*j);
  EXPECT_EQ(j->stats().deletedSegments, 0u);
  EXPECT_EQ(readable(*j, 1), kEnd);
}

TEST_F(JournalConsumers, ACursorTheConfigurationNoLongerNamesIsKeptWithinItsGrace) {
  previousRun();
  Settings s = settings();
  s.consumers = {"file"};
  auto j = open(s);
  j->addConsumer("file", kEnd);
  housekeep(*j);
  EXPECT_EQ(j->stats().deletedSegments, 0u);
  EXPECT_EQ(j->stats().droppedConsumers, 0u);
  const auto views = j->consumers();
  ASSERT_EQ(views.size(), 2u);
  EXPECT_TRUE(fs::exists(m_dir.path() / "cursors" / "nats.cursor"));
}

TEST_F(JournalConsumers, AfterItsGraceADroppedConsumerIsCountedAndItsDataFreed) {
  previousRun();
  Settings s = settings();
  s.consumers = {"file"};
  s.consumerGrace = Duration::zero();
  auto j = open(s);
  j->addConsumer("file", kEnd);
  housekeep(*j);
  const auto st = j->stats();
  EXPECT_EQ(st.droppedConsumers, 1u);
  EXPECT_GE(st.evictedObservations, kEnd - 1);  // what nats had not received
  EXPECT_FALSE(fs::exists(m_dir.path() / "cursors" / "nats.cursor"));
  housekeep(*j);
  EXPECT_GT(j->stats().deletedSegments, 0u);
}

TEST_F(JournalConsumers, TheOperatorDropsAnUnconfiguredConsumerButNotAConfiguredOne) {
  previousRun();
  Settings s = settings();
  s.consumers = {"file"};
  auto j = open(s);
  j->addConsumer("file", kEnd);
  std::ofstream(m_dir.path() / "cursors" / "file.drop") << "drop\n";
  std::ofstream(m_dir.path() / "cursors" / "nats.drop") << "drop\n";
  housekeep(*j);
  EXPECT_FALSE(fs::exists(m_dir.path() / "cursors" / "file.drop"));
  EXPECT_FALSE(fs::exists(m_dir.path() / "cursors" / "nats.drop"));
  EXPECT_TRUE(fs::exists(m_dir.path() / "cursors" / "file.cursor"));
  EXPECT_FALSE(fs::exists(m_dir.path() / "cursors" / "nats.cursor"));
  EXPECT_EQ(j->stats().droppedConsumers, 1u);
}

TEST_F(JournalConsumers, ADetachedConsumerKeepsItsData) {
  auto j = open(settings());
  fill(*j);
  const auto a = j->addConsumer("a", 1);
  const auto b = j->addConsumer("b", 1);
  j->removeConsumer(b);  // its uplink stopped; it comes back at the next start
  j->acknowledge(a, kEnd);
  housekeep(*j);
  EXPECT_EQ(j->stats().deletedSegments, 0u);
  EXPECT_EQ(readable(*j, 1), kEnd);
}

TEST_F(JournalConsumers, AReplacedJournalIsNoticedThroughItsIdentityFile) {
  const std::string identity = m_dir.str() + "-identity";
  Settings s = settings();
  s.dir = (m_dir.path() / "journal").string();
  s.identityFile = identity;
  std::uint64_t first = 0;
  {
    auto j = open(s);
    fill(*j);
    first = j->journalId();
    EXPECT_EQ(j->stats().replacedJournalId, 0u);
  }
  {
    auto j = open(s);  // the same journal again: nothing replaced
    EXPECT_EQ(j->journalId(), first);
    EXPECT_EQ(j->stats().replacedJournalId, 0u);
  }
  fs::remove_all(s.dir);  // the disk was replaced
  auto j = open(s);
  EXPECT_NE(j->journalId(), first);
  EXPECT_EQ(j->stats().replacedJournalId, first);
  EXPECT_EQ(j->stats().journalId, j->journalId());
  fs::remove(identity);
}

TEST_F(JournalConsumers, FilesNamedLikeSegmentsThatAreNotAreIgnored) {
  {
    auto j = open(settings());
    fill(*j);
  }
  const auto segments = [&] {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(m_dir.path())) {
      if (parseSegmentFileName(e.path().filename().string())) out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
  }();
  ASSERT_GT(segments.size(), 2u);
  // A directory and a FIFO with segment names far ahead, and the first segment copied under
  // a newer name: none may stall recovery, inspection or reading.
  fs::create_directory(m_dir.path() / segmentFileName(kEnd + 1000));
  ASSERT_EQ(::mkfifo((m_dir.path() / segmentFileName(kEnd + 2000)).c_str(), 0644), 0);
  fs::copy_file(segments.front(), m_dir.path() / segmentFileName(kEnd + 3000));
  auto j = open(settings());
  EXPECT_EQ(j->durableSequence(), kEnd);
  EXPECT_EQ(readable(*j, 1), kEnd - 1);
  auto r = j->append(sampleBatch(m_catalog, "m", 5, 0), m_catalog);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->firstSequence, kEnd);
  ASSERT_TRUE(j->commit().ok());
  EXPECT_EQ(readable(*j, 1), kEnd - 1 + 5);
  j.reset();
  auto report = inspectJournal(m_dir.str(), true);
  ASSERT_TRUE(report.ok());
}

TEST_F(JournalConsumers, ACursorThatIsAFifoDoesNotHang) {
  fs::create_directories(m_dir.path() / "cursors");
  ASSERT_EQ(::mkfifo((m_dir.path() / "cursors" / "file.cursor").c_str(), 0644), 0);
  std::string problem;
  EXPECT_FALSE(readCursorFile((m_dir.path() / "cursors" / "file.cursor").string(), &problem));
  EXPECT_EQ(problem, "not a regular file");
  auto opened =
      CursorFile::open((m_dir.path() / "cursors" / "file.cursor").string(), posixFileIo());
  EXPECT_FALSE(opened.ok());
  auto j = open(settings());  // the journal still opens
  EXPECT_NE(j, nullptr);
}

}  // namespace
}  // namespace spindle::journal
