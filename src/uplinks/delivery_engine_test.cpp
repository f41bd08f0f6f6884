#include "uplinks/delivery_engine.hpp"

#include <filesystem>
#include <fstream>
#include <functional>

#include <gtest/gtest.h>

#include "journal/testing/journal_testing.hpp"
#include "uplinks/congestion_window.hpp"
#include "uplinks/testing/fake_uplink.hpp"
#include "uplinks/testing/uplink_contract.hpp"

namespace spindle::uplinks {

// The contract, against the in-memory destination.
struct FakePeer {
  void SetUp(const std::filesystem::path&) {}
  void TearDown() {}
  std::unique_ptr<Uplink> make(model::ItemCatalog&) {
    return std::make_unique<testing::FakeUplink>(destination, DeliveryOptions{});
  }
  std::vector<std::uint64_t> received() { return destination.snapshot(); }
  testing::FakeDestination destination;
};

namespace {

namespace fs = std::filesystem;
using journal::SyncMode;
using journal::SyncPolicy;
using journal::testing::intValue;
using testing::FakeDestination;
using testing::FakeUplink;

/// Answers each record as `decide` says (Ok records reach the destination); checks values.
class ScriptedUplink final : public Uplink {
 public:
  ScriptedUplink(FakeDestination& destination, std::function<Outcome(std::uint64_t)> decide)
      : m_inner(destination, DeliveryOptions{.ordered = true, .coalesce = true}),
        m_decide(std::move(decide)) {}
  const std::string& name() const override { return m_inner.name(); }
  DeliveryOptions delivery() const override { return m_inner.delivery(); }
  Status start() override { return okStatus(); }
  std::size_t submit(const Record& record, CompletionFn done) override {
    ++calls;
    submitted += record.observations.size();
    for (std::size_t i = 0; i < record.observations.size(); ++i) {
      EXPECT_EQ(intValue(record.observations[i]),
                static_cast<std::int64_t>(record.firstSequence + i));
    }
    const Outcome o = m_decide ? m_decide(record.firstSequence) : Outcome::kOk;
    if (o == Outcome::kOk) return m_inner.submit(record, std::move(done));
    done(Completion{o, "scripted"});
    return 0;
  }
  Status sync() override { return m_inner.sync(); }
  void stop() override { m_inner.stop(); }
  std::atomic<int> calls{0};
  std::atomic<std::size_t> submitted{0};  ///< observations, over every call

 private:
  FakeUplink m_inner;
  std::function<Outcome(std::uint64_t)> m_decide;
};

/// Keeps every record's completion until the test answers it (unordered, several in flight).
class HoldingUplink final : public Uplink {
 public:
  explicit HoldingUplink(int maxInFlight) { m_options.maxInFlight = maxInFlight; }
  const std::string& name() const override { return m_name; }
  DeliveryOptions delivery() const override { return m_options; }
  Status start() override { return okStatus(); }
  std::size_t submit(const Record&, CompletionFn done) override {
    std::lock_guard lock(m_mutex);
    m_held.push_back(std::move(done));
    return 100;
  }
  void stop() override {}
  std::size_t held() const {
    std::lock_guard lock(m_mutex);
    return m_held.size();
  }
  /// Answers the oldest `n` records held.
  void answer(std::size_t n, Outcome outcome) {
    std::vector<CompletionFn> ready;
    {
      std::lock_guard lock(m_mutex);
      for (; n > 0 && !m_held.empty(); --n) {
        ready.push_back(std::move(m_held.front()));
        m_held.erase(m_held.begin());
      }
    }
    for (auto& done : ready) done(Completion{outcome, outcome == Outcome::kOk ? "" : "timeout"});
  }

 private:
  std::string m_name = "fake";
  DeliveryOptions m_options;
  mutable std::mutex m_mutex;
  std::vector<CompletionFn> m_held;
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

class DeliveryEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_settings.dir = m_dir.str();
    m_settings.sync = SyncPolicy{SyncMode::kNever, {}};
    m_settings.retryMin = std::chrono::milliseconds(1);
    m_settings.retryMax = std::chrono::milliseconds(4);
    m_settings.sendBatch = 25;
    m_settings.consumers = {"fake"};
    reopen();
  }
  void reopen() {
    m_journal.reset();
    auto j = journal::Journal::open(m_settings, m_clock);
    ASSERT_TRUE(j.ok());
    m_journal = std::move(*j);
  }
  void append(int records, int per = 10) {
    testing::appendSequenced(*m_journal, m_catalog, records, per, 0);
  }
  std::unique_ptr<DeliveryEngine> engine(std::function<Outcome(std::uint64_t)> decide = {}) {
    auto uplink = std::make_unique<ScriptedUplink>(m_destination, std::move(decide));
    m_uplink = uplink.get();
    return std::make_unique<DeliveryEngine>(*m_journal, std::move(uplink), m_catalog);
  }
  std::uint64_t cursorOnDisk() {
    auto c = journal::readCursorFile(m_journal->cursorPath("fake"));
    return c ? c->next : 0;
  }

  journal::testing::TempDir m_dir{"engine"};
  journal::testing::ManualClock m_clock;
  journal::Settings m_settings;
  std::unique_ptr<journal::Journal> m_journal;
  model::ItemCatalog m_catalog;
  FakeDestination m_destination;
  ScriptedUplink* m_uplink = nullptr;
};

TEST_F(DeliveryEngineTest, DeliversInOrderAndResumesExactlyAtItsCursor) {
  append(10);
  auto e = engine();
  ASSERT_TRUE(e->start().ok());
  ASSERT_TRUE(eventually([&] { return m_destination.snapshot().size() == 100; }));
  e->stop();
  EXPECT_EQ(e->stats().delivered, 100u);
  EXPECT_EQ(e->stats().lag, 0u);
  EXPECT_EQ(m_destination.snapshot(), seqRange(1, 100));
  EXPECT_EQ(cursorOnDisk(), 101u);
  e.reset();
  // A restart (journal and engine) submits only what is new.
  reopen();
  append(3);
  e = engine();
  ASSERT_TRUE(e->start().ok());
  ASSERT_TRUE(eventually([&] { return m_destination.snapshot().size() == 130; }));
  e->stop();
  EXPECT_EQ(m_uplink->submitted.load(), 30u);
  EXPECT_LE(m_uplink->calls.load(), 3);
  EXPECT_EQ(m_destination.duplicates, 0u);
}

// An ordered uplink (a file) gets the records waiting in one read in as few submits as their
// size allows: one write for many small records.
TEST_F(DeliveryEngineTest, AnOrderedUplinkTakesWaitingRecordsTogether) {
  append(50, 4);
  auto e = engine();
  ASSERT_TRUE(e->start().ok());
  ASSERT_TRUE(eventually([&] { return m_destination.snapshot().size() == 200; }));
  e->stop();
  EXPECT_EQ(m_destination.snapshot(), seqRange(1, 200));
  EXPECT_EQ(m_uplink->submitted.load(), 200u);
  EXPECT_LT(m_uplink->calls.load(), 10);
  EXPECT_EQ(cursorOnDisk(), 201u);
}

TEST_F(DeliveryEngineTest, RetryKeepsTheCursorUntilOk) {
  append(2);
  std::atomic<bool> healthy{false};
  auto e = engine([&](std::uint64_t) { return healthy ? Outcome::kOk : Outcome::kRetry; });
  ASSERT_TRUE(e->start().ok());
  ASSERT_TRUE(eventually([&] { return m_uplink->calls >= 5; }));
  EXPECT_EQ(cursorOnDisk(), 1u);  // nothing acknowledged, nothing moved
  EXPECT_TRUE(e->stats().failing);
  EXPECT_GE(e->stats().retries, 4u);
  healthy = true;
  ASSERT_TRUE(eventually([&] { return m_destination.snapshot().size() == 20; }));
  ASSERT_TRUE(eventually([&] { return cursorOnDisk() == 21; }));
  EXPECT_FALSE(e->stats().failing);
  e->stop();
  EXPECT_EQ(m_destination.snapshot(), seqRange(1, 20));
}

TEST_F(DeliveryEngineTest, StopWhileRetryingLosesNothing) {
  append(3);
  {
    auto e = engine([](std::uint64_t) { return Outcome::kRetry; });
    ASSERT_TRUE(e->start().ok());
    ASSERT_TRUE(eventually([&] { return m_uplink->calls >= 2; }));
    e->stop(std::chrono::seconds(5));  // draining stops at the first Retry
  }
  EXPECT_EQ(cursorOnDisk(), 1u);
  auto e = engine();
  ASSERT_TRUE(e->start().ok());
  ASSERT_TRUE(eventually([&] { return m_destination.snapshot().size() == 30; }));
  e->stop();
  EXPECT_EQ(m_destination.snapshot(), seqRange(1, 30));
}

TEST_F(DeliveryEngineTest, StopDrainsWhatIsDurable) {
  auto e = engine();
  ASSERT_TRUE(e->start().ok());
  append(50);
  e->stop(std::chrono::seconds(10));
  EXPECT_EQ(m_destination.snapshot().size(), 500u);
}

TEST_F(DeliveryEngineTest, AMissingOrDamagedCursorStartsAtTheOldestAndSaysSo) {
  append(4);
  auto e = engine();
  ASSERT_TRUE(e->start().ok());
  ASSERT_TRUE(eventually([&] { return e->stats().position == 41; }));
  e.reset();
  fs::remove(m_journal->cursorPath("fake"));
  journal::testing::LogCapture log("uplink.fake");
  e = engine();
  ASSERT_TRUE(e->start().ok());
  ASSERT_TRUE(eventually([&] { return e->stats().position == 41; }));
  e.reset();
  EXPECT_EQ(m_destination.duplicates, 40u);  // sent again, never skipped
  EXPECT_NE(log.text().find("new consumer: starting at the oldest observation held, sequence 1"),
            std::string::npos)
      << log.text();
  std::ofstream(m_journal->cursorPath("fake"), std::ios::trunc) << std::string(64, 'x');
  e = engine();
  ASSERT_TRUE(e->start().ok());
  ASSERT_TRUE(eventually([&] { return e->stats().position == 41; }));
  e->stop();
  EXPECT_EQ(m_destination.duplicates, 80u);
  EXPECT_NE(log.text().find("both cursor slots are damaged; starting at the oldest observation "
                            "held (sequence 1)"),
            std::string::npos)
      << log.text();
}

TEST_F(DeliveryEngineTest, ObservationsDroppedWhileTheDestinationIsDownAreCounted) {
  m_settings.segmentSize = 4096;
  m_settings.maxSize = 8192;
  reopen();
  std::atomic<bool> healthy{false};
  auto e = engine([&](std::uint64_t) { return healthy ? Outcome::kOk : Outcome::kRetry; });
  ASSERT_TRUE(e->start().ok());
  append(100);  // far more than 8 KiB: the oldest segments go while the destination is down
  ASSERT_GT(m_journal->stats().evictedObservations, 0u);
  healthy = true;
  ASSERT_TRUE(eventually([&] { return e->stats().position == 1001; }));
  e->stop();
  const auto s = e->stats();
  EXPECT_EQ(s.delivered + s.evicted, 1000u);
  // What the engine had read into memory when its segment went (one read, send_batch at most)
  // was still delivered; the rest the journal dropped is the engine's gap.
  const auto dropped = m_journal->stats().evictedObservations;
  EXPECT_LE(s.evicted, dropped);
  EXPECT_GE(s.evicted + m_settings.sendBatch, dropped);
  EXPECT_EQ(m_destination.snapshot().back(), 1000u);
}

TEST_F(DeliveryEngineTest, TheCursorMovesOnDiskOnlyAfterTheUplinkMadeItsDataDurable) {
  m_settings.sync = SyncPolicy{SyncMode::kInterval, std::chrono::milliseconds(5)};
  reopen();
  append(10);
  {
    std::lock_guard lock(m_destination.mutex);
    m_destination.failSync = true;
  }
  auto e = engine();
  ASSERT_TRUE(e->start().ok());
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(m_destination.mutex);
    return m_destination.sequences.size() == 100 && m_destination.syncs >= 3;
  }));
  // Delivered, but not durable at the destination: the cursor on disk has not moved.
  EXPECT_EQ(cursorOnDisk(), 1u);
  {
    std::lock_guard lock(m_destination.mutex);
    m_destination.failSync = false;
  }
  ASSERT_TRUE(eventually([&] { return cursorOnDisk() == 101; }));
  {
    std::lock_guard lock(m_destination.mutex);
    EXPECT_GE(m_destination.synced + 1, cursorOnDisk());
  }
  e->stop();
}

TEST_F(DeliveryEngineTest, CompletionsMayArriveLateAndOutOfOrder) {
  append(20);
  {
    std::lock_guard lock(m_destination.mutex);
    m_destination.hold = true;
  }
  DeliveryOptions d;
  d.maxInFlight = 8;
  auto e = std::make_unique<DeliveryEngine>(
      *m_journal, std::make_unique<FakeUplink>(m_destination, d), m_catalog);
  ASSERT_TRUE(e->start().ok());
  ASSERT_TRUE(eventually([&] { return e->stats().inFlight == 8; }));
  EXPECT_EQ(e->stats().position, 1u);
  // Complete the newest first: the watermark waits for the oldest, ranges above it are kept.
  {
    std::lock_guard lock(m_destination.mutex);
    std::reverse(m_destination.held.begin(), m_destination.held.end());
  }
  m_destination.release(7);
  ASSERT_TRUE(eventually([&] { return e->stats().delivered == 70; }));
  EXPECT_EQ(e->stats().position, 1u);
  EXPECT_TRUE(e->isDelivered(71));
  EXPECT_FALSE(e->isDelivered(1));
  // Stopped now: the cursor keeps the ranges; the next start sends only the first record
  // and what was never sent.
  e->stop();
  auto c = journal::readCursorFile(m_journal->cursorPath("fake"));
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->next, 1u);
  ASSERT_EQ(c->acked.size(), 1u);
  EXPECT_EQ(c->acked[0], (journal::SequenceRange{11, 81}));
  {
    std::lock_guard lock(m_destination.mutex);
    m_destination.hold = false;
  }
  e = std::make_unique<DeliveryEngine>(*m_journal, std::make_unique<FakeUplink>(m_destination, d),
                                       m_catalog);
  ASSERT_TRUE(e->start().ok());
  ASSERT_TRUE(eventually([&] { return e->stats().position == 201; }));
  e->stop();
  EXPECT_EQ(m_destination.duplicates, 0u);
  EXPECT_EQ(m_destination.snapshot().size(), 200u);
}

TEST(CongestionWindowTest, OpensBySlowStartThenLinearlyAndClosesOnFailure) {
  CongestionWindow w(64);
  EXPECT_EQ(w.size(), 16u);  // a small start, not the whole window at once
  for (int i = 0; i < 16; ++i) w.onOk();
  EXPECT_EQ(w.size(), 32u);  // doubled in one round of acknowledgements
  w.onFailure();
  EXPECT_EQ(w.size(), 1u);
  for (int i = 0; i < 15; ++i) w.onOk();
  EXPECT_EQ(w.size(), 16u);  // slow start up to half the window that failed
  for (int i = 0; i < 17; ++i) w.onOk();
  EXPECT_EQ(w.size(), 17u);  // then about one record per window of acknowledgements
  for (int i = 0; i < 10000; ++i) w.onOk();
  EXPECT_EQ(w.size(), 64u);  // never past the configured maximum
  CongestionWindow one(1);
  one.onFailure();
  one.onOk();
  EXPECT_EQ(one.size(), 1u);
}

TEST_F(DeliveryEngineTest, FailedSendsShrinkTheWindowAndAcknowledgementsOpenItAgain) {
  append(200);
  auto owned = std::make_unique<HoldingUplink>(64);
  HoldingUplink& uplink = *owned;
  auto e = std::make_unique<DeliveryEngine>(*m_journal, std::move(owned), m_catalog);
  ASSERT_TRUE(e->start().ok());
  ASSERT_TRUE(eventually([&] { return uplink.held() == 16; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(uplink.held(), 16u) << "more in flight than the initial window";
  uplink.answer(16, Outcome::kOk);
  ASSERT_TRUE(eventually([&] { return uplink.held() == 32; }));
  EXPECT_EQ(e->stats().window, 32u);
  // The hub falls behind: everything in flight times out. The engine sends again one record
  // at a time, not its whole window (which would bury a struggling hub deeper).
  uplink.answer(32, Outcome::kRetry);
  ASSERT_TRUE(eventually([&] { return uplink.held() == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(uplink.held(), 1u);
  EXPECT_EQ(e->stats().window, 1u);
  for (std::size_t open = 2; open <= 16; ++open) {
    uplink.answer(1, Outcome::kOk);
    ASSERT_TRUE(eventually([&] { return uplink.held() == open; })) << open;
  }
  // Everything is still delivered exactly once in the end.
  ASSERT_TRUE(eventually([&] {
    uplink.answer(SIZE_MAX, Outcome::kOk);
    return e->stats().position == 2001;
  }));
  e->stop();
}

}  // namespace
}  // namespace spindle::uplinks

namespace spindle::uplinks::testing {
INSTANTIATE_TYPED_TEST_SUITE_P(Fake, UplinkContract, spindle::uplinks::FakePeer);
}  // namespace spindle::uplinks::testing
