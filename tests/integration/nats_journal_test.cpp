// The NATS uplink on its delivery engine over the durable journal: everything durable reaches the
// hub once; a restart resumes at the persisted cursor; the journal's cursor file follows the
// acknowledgements; the backlog and live lanes read the journal at two positions.

#include <fstream>

#include <gtest/gtest.h>

#include "journal/cursor_file.hpp"
#include "journal/journal.hpp"
#include "nats_cluster.hpp"
#include "test_journal.hpp"
#include "uplinks/delivery_engine.hpp"
#include "uplinks/nats/nats_uplink.hpp"

namespace spindle::testing {
namespace {

using namespace std::chrono_literals;

class NatsJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (natsServerBinary().empty()) GTEST_SKIP() << "nats-server is not installed";
    m_dir = fs::temp_directory_path() / ("spindle_nats_journal_" + std::to_string(::getpid()));
    fs::remove_all(m_dir);
    m_hub = std::make_unique<NatsHub>(m_dir, NatsServerConfig{});
    ASSERT_TRUE(m_hub->start()) << m_hub->log();
    NatsClient client(m_hub->url());
    ASSERT_TRUE(client.addStream("SPINDLE", {"spindle.*.data.>"}, 600s, m_hub->replicas()));
    journal::JournalOptions jo;
    auto settings = journal::resolveSettings(jo, m_dir.string());
    ASSERT_TRUE(settings.ok()) << settings.error().describe();
    auto opened = journal::Journal::open(*settings, m_clock);
    ASSERT_TRUE(opened.ok()) << opened.error().describe();
    m_journal = std::move(*opened);
    m_machine = m_catalog.addMachine("press-3");
    m_item = m_catalog.intern(m_machine, "force", model::Kind::kSample).value();
  }
  void TearDown() override {
    if (m_journal) m_journal->close();
    m_hub.reset();
    if (!HasFailure()) fs::remove_all(m_dir);
  }

  void appendRecords(int records, std::size_t size) {
    for (int r = 0; r < records; ++r) {
      model::Batch b;
      for (std::size_t i = 0; i < size; ++i) {
        b.push_back({m_machine, m_item, wallClockNs(), model::Kind::kSample, 0, double(i)});
      }
      ASSERT_TRUE(m_journal->append(b, m_catalog).ok());
    }
    ASSERT_TRUE(m_journal->commit().ok());
  }

  uplinks::nats::NatsOptions options() const {
    uplinks::nats::NatsOptions o;
    o.servers = splitUrls(m_hub->url());
    o.ackTimeout = 1s;
    o.liveWindow = 500;
    o.backlogRate = 0;  // unpaced here; pacing is covered with the in-memory journal
    return o;
  }

  std::unique_ptr<uplinks::DeliveryEngine> engine(uplinks::nats::NatsConnection& connection) {
    return std::make_unique<uplinks::DeliveryEngine>(
        *m_journal,
        std::make_unique<uplinks::nats::NatsUplink>(options(), "e1", connection, m_catalog),
        m_catalog);
  }

  /// As if the live lane had delivered 61..100 and the backlog only 1..30 before a crash: a
  /// start sends 31..60 only.
  void expectOnlyTheGapIsSent() {
    uplinks::nats::NatsConnection connection(options(), "e1");
    auto uplink = engine(connection);
    ASSERT_TRUE(connection.start().ok());
    ASSERT_TRUE(uplink->start().ok());
    ASSERT_TRUE(eventually([&] { return uplink->stats().position == 101; }, 20s));
    uplink->stop();
    NatsClient client(m_hub->url());
    const StoredData d = client.readStream("SPINDLE", "spindle.e1.data.>");
    EXPECT_EQ(d.sequences.size(), 30u);
    EXPECT_TRUE(d.missing(31, 60).empty());
  }

  fs::path m_dir;
  SystemClock m_clock;
  model::ItemCatalog m_catalog;
  model::MachineId m_machine = 0;
  model::ItemId m_item = 0;
  std::unique_ptr<NatsHub> m_hub;
  std::unique_ptr<journal::Journal> m_journal;
};

TEST_F(NatsJournalTest, DeliversWhatIsDurableAndResumesAtTheCursor) {
  appendRecords(100, 64);  // a backlog before the uplink starts
  {
    uplinks::nats::NatsConnection connection(options(), "e1");
    auto uplink = engine(connection);
    ASSERT_TRUE(connection.start().ok());
    ASSERT_TRUE(uplink->start().ok());
    appendRecords(50, 10);  // live records while the backlog drains
    const std::uint64_t end = m_journal->durableSequence();
    ASSERT_TRUE(eventually([&] { return uplink->stats().position == end; }, 20s))
        << uplink->stats().position << " of " << end << ": " << uplink->stats().lastError;
    uplink->stop();
    EXPECT_EQ(journal::readCursorFile(m_journal->cursorPath("nats"))->next, end);
  }
  appendRecords(20, 5);  // while no uplink runs
  const std::uint64_t end = m_journal->durableSequence();
  uplinks::nats::NatsConnection connection(options(), "e1");
  auto uplink = engine(connection);
  ASSERT_TRUE(connection.start().ok());
  ASSERT_TRUE(uplink->start().ok());
  ASSERT_TRUE(eventually([&] { return uplink->stats().position == end; }, 20s));
  EXPECT_EQ(counter(uplink->stats(), "published"), 20u);  // only what was new
  EXPECT_EQ(counter(uplink->stats(), "duplicates"), 0u);
  uplink->stop();

  NatsClient client(m_hub->url());
  const StoredData d = client.readStream("SPINDLE", "spindle.e1.data.press-3");
  EXPECT_TRUE(d.error.empty()) << d.error;
  EXPECT_EQ(d.sequences.size(), end - 1);
  EXPECT_TRUE(d.duplicates().empty());
  EXPECT_TRUE(d.missing(1, end - 1).empty());
}

TEST_F(NatsJournalTest, AcknowledgedRangesAboveTheCursorSurviveARestart) {
  appendRecords(10, 10);  // sequences 1..100
  const std::string cursorPath = m_journal->cursorPath("nats");
  fs::create_directories(fs::path(cursorPath).parent_path());
  {
    auto cursor = journal::CursorFile::open(cursorPath, m_journal->io());
    ASSERT_TRUE(cursor.ok());
    ASSERT_TRUE(cursor->store(31, true, {{61, 101}}).ok());
  }
  expectOnlyTheGapIsSent();
}

// An earlier version kept the ranges in a side file beside the cursor; it is read once.
TEST_F(NatsJournalTest, RangesInTheEarlierSideFileAreMergedOnce) {
  appendRecords(10, 10);  // sequences 1..100
  const std::string cursorPath = m_journal->cursorPath("nats");
  fs::create_directories(fs::path(cursorPath).parent_path());
  {
    auto cursor = journal::CursorFile::open(cursorPath, m_journal->io());
    ASSERT_TRUE(cursor.ok());
    ASSERT_TRUE(cursor->store(31, true).ok());
    std::ofstream(cursorPath + ".acked") << "v1 31 61-101";
  }
  expectOnlyTheGapIsSent();
  EXPECT_FALSE(fs::exists(cursorPath + ".acked")) << "merged into the cursor file";
}

}  // namespace
}  // namespace spindle::testing
