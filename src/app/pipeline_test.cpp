#include "app/pipeline.hpp"

#include <filesystem>

#include <gtest/gtest.h>

#include "journal/journal_reader.hpp"

namespace spindle::app {
namespace {

namespace fs = std::filesystem;

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("spindle_pipeline_" + std::to_string(getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    m_machine = m_catalog.addMachine("m");
    m_item = m_catalog.intern(m_machine, "x");
  }
  void TearDown() override { fs::remove_all(m_dir); }

  std::unique_ptr<journal::Journal> openJournal(journal::Settings s = {}) {
    s.dir = m_dir.string();
    s.sync = journal::SyncPolicy{journal::SyncMode::kNever, {}};
    auto j = journal::Journal::open(s, m_clock);
    EXPECT_TRUE(j.ok()) << j.error().describe();
    return std::move(*j);
  }

  model::Batch batchOf(std::size_t n) {
    model::Batch b;
    for (std::size_t i = 0; i < n; ++i) {
      b.push_back(
          model::Observation{m_machine, m_item, 0, model::Kind::kSample, 0, std::int64_t(i)});
    }
    return b;
  }

  fs::path m_dir;
  SystemClock m_clock;
  model::ItemCatalog m_catalog;
  model::MachineId m_machine = 0;
  model::ItemId m_item = 0;
};

TEST_F(PipelineTest, BoundedQueueRefusesWhenFullAndKeepsTheBatch) {
  state::StateStore state(16);
  auto journal = openJournal();
  Pipeline pipeline(10, state, *journal, m_catalog);  // not started: nothing drains
  auto a = batchOf(8);
  EXPECT_TRUE(pipeline.tryPush(a));
  EXPECT_TRUE(a.empty());
  auto b = batchOf(5);
  EXPECT_FALSE(pipeline.tryPush(b));
  EXPECT_EQ(b.size(), 5u);  // untouched: the collector keeps it
  EXPECT_EQ(pipeline.stats().refused, 1u);
  pipeline.start();
  pipeline.stop();
  EXPECT_EQ(pipeline.stats().journaled, 8u);
  EXPECT_EQ(state.nextSequence(), 9u);
  EXPECT_EQ(journal->durableSequence(), 9u);
}

TEST_F(PipelineTest, HoldsBatchesWhileTheJournalIsFullAndResumes) {
  state::StateStore state(16);
  journal::Settings s;
  s.policy = journal::FullPolicy::kBlock;
  s.segmentSize = 4096;
  s.maxSize = 8192;
  auto journal = openJournal(s);
  const std::size_t consumer = journal->addConsumer("slow", 1);
  Pipeline pipeline(1000, state, *journal, m_catalog);
  pipeline.start();
  // Each batch is a record of roughly 48 + 5 * 100 bytes: 8 KiB fill after a dozen.
  std::size_t pushed = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!pipeline.stats().holding && std::chrono::steady_clock::now() < deadline) {
    auto b = batchOf(100);
    if (pipeline.tryPush(b)) {
      pushed += 100;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ASSERT_TRUE(pipeline.stats().holding);
  EXPECT_TRUE(journal->stats().full);
  // The worker holds its batch; the queue fills and then refuses: collectors pause.
  for (int i = 0; i < 20; ++i) {
    auto b = batchOf(100);
    if (pipeline.tryPush(b)) pushed += 100;
  }
  const auto refusedBefore = pipeline.stats().refused;
  auto extra = batchOf(100);
  EXPECT_FALSE(pipeline.tryPush(extra));
  EXPECT_EQ(pipeline.stats().refused, refusedBefore + 1);
  EXPECT_LE(pipeline.stats().queued, 1000u);
  // The consumer acknowledges everything: segments go, the held batches flow again.
  while (pipeline.stats().journaled < pushed && std::chrono::steady_clock::now() < deadline) {
    journal->acknowledge(consumer, journal->durableSequence());
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  pipeline.stop();
  EXPECT_EQ(pipeline.stats().journaled, pushed);
  EXPECT_EQ(pipeline.stats().lost, 0u);
  EXPECT_FALSE(journal->stats().full);
}

}  // namespace
}  // namespace spindle::app
