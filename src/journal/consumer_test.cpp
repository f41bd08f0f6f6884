#include "journal/consumer.hpp"

#include <filesystem>
#include <fstream>
#include <functional>

#include <gtest/gtest.h>

#include "journal/testing/journal_testing.hpp"

namespace spindle::journal {
namespace {

namespace fs = std::filesystem;
using testing::intValue;
using testing::TempDir;
using uplinks::SendResult;

/// Records what it accepts; `decide` picks each answer.
class FakeUplink final : public uplinks::Uplink {
 public:
  explicit FakeUplink(std::string name = "fake") : m_name(std::move(name)) {}
  const std::string& name() const override { return m_name; }
  Status start() override { return okStatus(); }
  SendResult send(std::uint64_t first, const model::Batch& batch) override {
    std::lock_guard lock(m_mutex);
    ++m_calls;
    const SendResult r = decide ? decide(first, batch) : SendResult::kOk;
    if (r == SendResult::kOk) {
      for (std::size_t i = 0; i < batch.size(); ++i) {
        EXPECT_EQ(intValue(batch[i]), static_cast<std::int64_t>(first + i));
        m_sequences.push_back(first + i);
      }
    }
    return r;
  }
  Status sync() override {
    std::lock_guard lock(m_mutex);
    ++m_syncs;
    if (failSync) return Error(ErrorCode::kIo, "sync failed (test)");
    m_synced = m_sequences.empty() ? 0 : m_sequences.back() + 1;
    return okStatus();
  }
  void stop() override {}
  int syncs() const {
    std::lock_guard lock(m_mutex);
    return m_syncs;
  }
  std::uint64_t synced() const {
    std::lock_guard lock(m_mutex);
    return m_synced;
  }
  std::atomic<bool> failSync{false};
  std::vector<std::uint64_t> sequences() const {
    std::lock_guard lock(m_mutex);
    return m_sequences;
  }
  int calls() const {
    std::lock_guard lock(m_mutex);
    return m_calls;
  }
  std::function<SendResult(std::uint64_t, const model::Batch&)> decide;

 private:
  std::string m_name;
  mutable std::mutex m_mutex;
  std::vector<std::uint64_t> m_sequences;
  int m_calls = 0;
  int m_syncs = 0;
  std::uint64_t m_synced = 0;  ///< what a power cut would leave at the destination
};

template <typename F>
bool eventually(F&& f, Duration timeout = std::chrono::seconds(10)) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return f();
}

std::vector<std::uint64_t> seqRange(std::uint64_t from, std::uint64_t to) {
  std::vector<std::uint64_t> v;
  for (auto i = from; i <= to; ++i) v.push_back(i);
  return v;
}

class ConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Settings s;
    s.dir = m_dir.str();
    s.sync = SyncPolicy{SyncMode::kNever, {}};
    s.retryMin = std::chrono::milliseconds(1);
    s.retryMax = std::chrono::milliseconds(4);
    s.sendBatch = 25;
    s.segmentSize = m_segmentSize;
    m_settings = s;
    reopen();
  }
  void reopen() {
    m_journal.reset();
    auto j = Journal::open(m_settings, m_clock);
    ASSERT_TRUE(j.ok());
    m_journal = std::move(*j);
  }
  /// Appends `records` records of `per` observations whose values are their sequences.
  void append(int records, int per = 10) {
    const auto m = m_catalog.addMachine("m");
    for (int r = 0; r < records; ++r) {
      const std::uint64_t first = m_journal->stats().nextSequence;
      model::Batch b;
      for (int i = 0; i < per; ++i) {
        b.push_back({m, m_catalog.intern(m, "v").value(), 0, model::Kind::kSample, 0,
                     static_cast<std::int64_t>(first + i)});
      }
      ASSERT_TRUE(m_journal->append(b, m_catalog).ok());
    }
    ASSERT_TRUE(m_journal->commit().ok());
  }
  std::uint64_t cursorOnDisk(const std::string& name = "fake") {
    auto c = readCursorFile(m_journal->cursorPath(name));
    return c ? c->next : 0;
  }

  TempDir m_dir{"consumer"};
  testing::ManualClock m_clock;
  Settings m_settings;
  std::uint64_t m_segmentSize = 64 << 20;
  std::unique_ptr<Journal> m_journal;
  model::ItemCatalog m_catalog;
};

TEST_F(ConsumerTest, DeliversInOrderAndResumesExactlyAtItsCursor) {
  append(10);
  FakeUplink uplink;
  {
    Consumer consumer(*m_journal, uplink, m_catalog);
    ASSERT_TRUE(consumer.start().ok());
    ASSERT_TRUE(eventually([&] { return uplink.sequences().size() == 100; }));
    consumer.stop();
    EXPECT_EQ(consumer.stats().delivered, 100u);
    EXPECT_EQ(consumer.stats().lag, 0u);
  }
  EXPECT_EQ(uplink.sequences(), seqRange(1, 100));
  EXPECT_EQ(cursorOnDisk(), 101u);
  // A restart (journal and consumer) sends only what is new.
  reopen();
  append(3);
  FakeUplink again;
  Consumer consumer(*m_journal, again, m_catalog);
  ASSERT_TRUE(consumer.start().ok());
  ASSERT_TRUE(eventually([&] { return again.sequences().size() == 30; }));
  consumer.stop();
  EXPECT_EQ(again.sequences(), seqRange(101, 130));
}

TEST_F(ConsumerTest, BatchesAreWholeRecordsUpToSendBatch) {
  append(10);  // records of 10, send_batch 25: two records per send
  std::vector<std::size_t> sizes;
  FakeUplink uplink;
  uplink.decide = [&](std::uint64_t, const model::Batch& b) {
    sizes.push_back(b.size());
    return SendResult::kOk;
  };
  Consumer consumer(*m_journal, uplink, m_catalog);
  ASSERT_TRUE(consumer.start().ok());
  ASSERT_TRUE(eventually([&] { return uplink.sequences().size() == 100; }));
  consumer.stop();
  for (auto s : sizes) EXPECT_EQ(s, 20u);
}

TEST_F(ConsumerTest, RetryKeepsTheCursorUntilOk) {
  append(2);
  std::atomic<int> failures{0};
  std::atomic<bool> healthy{false};
  FakeUplink uplink;
  uplink.decide = [&](std::uint64_t, const model::Batch&) {
    if (!healthy) {
      ++failures;
      return SendResult::kRetry;
    }
    return SendResult::kOk;
  };
  Consumer consumer(*m_journal, uplink, m_catalog);
  ASSERT_TRUE(consumer.start().ok());
  ASSERT_TRUE(eventually([&] { return failures >= 5; }));
  EXPECT_EQ(cursorOnDisk(), 1u);  // nothing acknowledged, nothing moved
  EXPECT_TRUE(consumer.stats().failing);
  EXPECT_GE(consumer.stats().retries, 5u);
  healthy = true;
  ASSERT_TRUE(eventually([&] { return uplink.sequences().size() == 20; }));
  consumer.stop();
  EXPECT_EQ(uplink.sequences(), seqRange(1, 20));
  EXPECT_EQ(cursorOnDisk(), 21u);
  EXPECT_FALSE(consumer.stats().failing);
}

TEST_F(ConsumerTest, ARejectedRecordIsSkippedAndCountedAlone) {
  append(6);
  FakeUplink uplink;
  uplink.decide = [](std::uint64_t first, const model::Batch& b) {
    // Sequence 35 is poison: any batch holding it is rejected.
    return first <= 35 && 35 < first + b.size() ? SendResult::kReject : SendResult::kOk;
  };
  Consumer consumer(*m_journal, uplink, m_catalog);
  ASSERT_TRUE(consumer.start().ok());
  ASSERT_TRUE(eventually([&] { return consumer.stats().position == 61; }));
  consumer.stop();
  auto expected = seqRange(1, 30);
  for (auto s : seqRange(41, 60)) expected.push_back(s);
  EXPECT_EQ(uplink.sequences(), expected);  // only the record 31-40 is lost
  EXPECT_EQ(consumer.stats().rejected, 10u);
}

TEST_F(ConsumerTest, StopWhileRetryingLosesNothing) {
  append(3);
  FakeUplink down;
  down.decide = [](std::uint64_t, const model::Batch&) { return SendResult::kRetry; };
  {
    Consumer consumer(*m_journal, down, m_catalog);
    ASSERT_TRUE(consumer.start().ok());
    ASSERT_TRUE(eventually([&] { return down.calls() >= 2; }));
    consumer.stop(std::chrono::seconds(5));  // draining stops at the first Retry
  }
  EXPECT_EQ(cursorOnDisk(), 1u);
  FakeUplink up;
  Consumer consumer(*m_journal, up, m_catalog);
  ASSERT_TRUE(consumer.start().ok());
  ASSERT_TRUE(eventually([&] { return up.sequences().size() == 30; }));
  consumer.stop();
  EXPECT_EQ(up.sequences(), seqRange(1, 30));
}

TEST_F(ConsumerTest, StopDrainsWhatIsDurable) {
  FakeUplink uplink;
  Consumer consumer(*m_journal, uplink, m_catalog);
  ASSERT_TRUE(consumer.start().ok());
  append(50);
  consumer.stop(std::chrono::seconds(10));
  EXPECT_EQ(uplink.sequences().size(), 500u);
}

TEST_F(ConsumerTest, AMissingOrDamagedCursorStartsAtTheOldestAndSaysSo) {
  append(4);
  {
    FakeUplink uplink;
    Consumer consumer(*m_journal, uplink, m_catalog);
    ASSERT_TRUE(consumer.start().ok());
    ASSERT_TRUE(eventually([&] { return uplink.sequences().size() == 40; }));
    consumer.stop();
  }
  fs::remove(m_journal->cursorPath("fake"));
  testing::LogCapture log("consumer.fake");
  {
    FakeUplink uplink;
    Consumer consumer(*m_journal, uplink, m_catalog);
    ASSERT_TRUE(consumer.start().ok());
    ASSERT_TRUE(eventually([&] { return uplink.sequences().size() == 40; }));
    consumer.stop();
    EXPECT_EQ(uplink.sequences(), seqRange(1, 40));  // sent again, never skipped
  }
  EXPECT_NE(log.text().find("new consumer: starting at the oldest observation held, sequence 1"),
            std::string::npos)
      << log.text();
  std::ofstream(m_journal->cursorPath("fake"), std::ios::trunc) << std::string(64, 'x');
  FakeUplink uplink;
  Consumer consumer(*m_journal, uplink, m_catalog);
  ASSERT_TRUE(consumer.start().ok());
  ASSERT_TRUE(eventually([&] { return uplink.sequences().size() == 40; }));
  consumer.stop();
  EXPECT_NE(log.text().find("both cursor slots are damaged; starting at the oldest observation "
                            "held (sequence 1)"),
            std::string::npos)
      << log.text();
}

TEST_F(ConsumerTest, ObservationsDroppedBeforeDeliveryAreCountedAsAGap) {
  m_settings.segmentSize = 4096;
  m_settings.maxSize = 8192;
  reopen();
  FakeUplink uplink;
  std::atomic<bool> healthy{false};
  uplink.decide = [&](std::uint64_t, const model::Batch&) {
    return healthy ? SendResult::kOk : SendResult::kRetry;
  };
  Consumer consumer(*m_journal, uplink, m_catalog);
  ASSERT_TRUE(consumer.start().ok());
  append(100);  // far more than 8 KiB: the oldest segments go while the uplink is down
  const auto evicted = m_journal->stats().evictedObservations;
  ASSERT_GT(evicted, 0u);
  healthy = true;
  ASSERT_TRUE(eventually([&] { return consumer.stats().position == 1001; }));
  consumer.stop();
  const auto s = consumer.stats();
  // The batch held in memory when the segments went (at most one send) was still delivered;
  // everything else the journal dropped shows up as the consumer's gap.
  EXPECT_EQ(s.delivered + s.evicted, 1000u);
  EXPECT_GE(s.evicted + 25, evicted);
  EXPECT_EQ(uplink.sequences().back(), 1000u);
}

TEST_F(ConsumerTest, TheCursorMovesOnDiskOnlyAfterTheUplinkMadeItsDataDurable) {
  m_settings.sync = SyncPolicy{SyncMode::kInterval, std::chrono::milliseconds(5)};
  reopen();
  append(10);
  FakeUplink uplink;
  uplink.failSync = true;
  Consumer consumer(*m_journal, uplink, m_catalog);
  ASSERT_TRUE(consumer.start().ok());
  ASSERT_TRUE(eventually([&] { return uplink.sequences().size() == 100 && uplink.syncs() >= 3; }));
  // Delivered, but not durable at the destination: the cursor on disk has not moved.
  EXPECT_EQ(cursorOnDisk(), 1u);
  uplink.failSync = false;
  ASSERT_TRUE(eventually([&] { return cursorOnDisk() == 101; }));
  EXPECT_GE(uplink.synced(), cursorOnDisk());
  consumer.stop();
}

}  // namespace
}  // namespace spindle::journal
