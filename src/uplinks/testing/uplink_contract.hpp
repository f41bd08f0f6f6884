#pragma once
/// The contract every uplink passes, run by its delivery engine against a real journal. A
/// peer type gives the destination:
///
///   struct MyPeer {
///     void SetUp(const std::filesystem::path& dir);  // per test; a fresh destination
///     void TearDown();
///     std::unique_ptr<Uplink> make(model::ItemCatalog& catalog);  // one per engine start
///     std::vector<std::uint64_t> received();  // sequences the destination holds, with repeats
///   };
///   INSTANTIATE_TYPED_TEST_SUITE_P(My, UplinkContract, MyPeer);
///
/// Faults are injected by a wrapper around the real uplink (Retry and Reject for chosen
/// records, a small window, a slow backlog), so each case runs the uplink's own path.

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "journal/journal.hpp"
#include "journal/testing/journal_testing.hpp"
#include "uplinks/delivery_engine.hpp"

namespace spindle::uplinks::testing {

/// What the wrapper injects and what it saw. Shared between a test and its engines.
struct ContractScript {
  std::mutex mutex;
  std::set<std::uint64_t> reject;          ///< records (by first sequence) answered Reject
  int retries = 0;                         ///< the next this many records are answered Retry
  std::optional<DeliveryOptions> options;  ///< replaces the uplink's (unless it is ordered)
  std::vector<std::uint64_t> submitted;    ///< first sequences, in submission order
  int inFlight = 0, maxInFlight = 0;
};

class ContractUplink final : public Uplink {
 public:
  ContractUplink(std::unique_ptr<Uplink> inner, ContractScript& script)
      : m_inner(std::move(inner)), m_script(script) {}
  const std::string& name() const override { return m_inner->name(); }
  DeliveryOptions delivery() const override {
    DeliveryOptions d = m_inner->delivery();
    if (m_script.options && !d.ordered) d = *m_script.options;
    d.coalesce = false;  // this wrapper rejects what the test says: one record per submit
    return d;
  }
  Status start() override { return m_inner->start(); }
  void attach(const AttachInfo& info) override { m_inner->attach(info); }
  bool ready() const override { return m_inner->ready(); }
  std::size_t submit(const Record& record, CompletionFn done) override {
    {
      std::lock_guard lock(m_script.mutex);
      m_script.submitted.push_back(record.firstSequence);
      if (m_script.reject.count(record.firstSequence) > 0) {
        done(Completion{Outcome::kReject, "rejected by the test"});
        return 0;
      }
      if (m_script.retries > 0) {
        --m_script.retries;
        done(Completion{Outcome::kRetry, "retry asked by the test"});
        return 0;
      }
      m_script.maxInFlight = std::max(m_script.maxInFlight, ++m_script.inFlight);
    }
    return m_inner->submit(record, [this, done = std::move(done)](Completion c) {
      {
        std::lock_guard lock(m_script.mutex);
        --m_script.inFlight;
      }
      done(std::move(c));
    });
  }
  void flush() override { m_inner->flush(); }
  Status sync() override { return m_inner->sync(); }
  void stop() override { m_inner->stop(); }

 private:
  std::unique_ptr<Uplink> m_inner;
  ContractScript& m_script;
};

/// Appends `records` records of `per` observations of machine "m", each valued with its own
/// sequence, and commits them. The caller is the journal's writer.
inline void appendSequenced(journal::Journal& journal, model::ItemCatalog& catalog, int records,
                            int per, TimestampNs timestamp) {
  const auto m = catalog.addMachine("m");
  const auto item = catalog.intern(m, "v").value();
  for (int r = 0; r < records; ++r) {
    const std::uint64_t first = journal.stats().nextSequence;
    model::Batch b;
    for (int i = 0; i < per; ++i) {
      b.push_back(
          {m, item, timestamp, model::Kind::kSample, 0, static_cast<std::int64_t>(first + i)});
    }
    ASSERT_TRUE(journal.append(b, catalog).ok());
  }
  ASSERT_TRUE(journal.commit().ok());
}

template <typename Peer>
class UplinkContract : public ::testing::Test {
 protected:
  void SetUp() override {
    m_settings.dir = (m_dir.path() / "journal").string();
    m_settings.sync =
        journal::SyncPolicy{journal::SyncMode::kInterval, std::chrono::milliseconds(5)};
    m_settings.retryMin = std::chrono::milliseconds(1);
    m_settings.retryMax = std::chrono::milliseconds(8);
    m_settings.sendBatch = 100;
    m_settings.segmentSize = 16 << 10;
    m_peer.SetUp(m_dir.path() / "peer");
    // Retention holds everything for the uplink from the start, as the gateway arranges.
    m_settings.consumers = {m_peer.make(m_catalog)->name()};
    open();
  }
  void TearDown() override {
    m_journal.reset();
    m_peer.TearDown();
  }
  void open() {
    m_journal.reset();
    auto j = journal::Journal::open(m_settings, m_clock);
    ASSERT_TRUE(j.ok()) << j.error().describe();
    m_journal = std::move(*j);
  }
  void append(int records, int per = 10) {
    appendSequenced(*m_journal, m_catalog, records, per, m_clock.now());
  }
  std::unique_ptr<DeliveryEngine> engine() {
    return std::make_unique<DeliveryEngine>(
        *m_journal, std::make_unique<ContractUplink>(m_peer.make(m_catalog), m_script), m_catalog);
  }
  bool deliveredAll(DeliveryEngine& e, std::chrono::seconds limit = std::chrono::seconds(20)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (e.stats().position >= m_journal->durableSequence()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
  }
  /// Every sequence in [from, to) except `except` reached the destination exactly once.
  void expectExactlyOnce(std::uint64_t from, std::uint64_t to,
                         const std::set<std::uint64_t>& except = {}) {
    auto got = m_peer.received();
    std::sort(got.begin(), got.end());
    std::vector<std::uint64_t> want;
    for (std::uint64_t s = from; s < to; ++s) {
      if (except.count(s) == 0) want.push_back(s);
    }
    EXPECT_EQ(got.size(), want.size());
    EXPECT_TRUE(got == want) << "the destination does not hold each sequence exactly once";
  }
  bool ordered() { return m_peer.make(m_catalog)->delivery().ordered; }

  journal::testing::TempDir m_dir{"contract"};
  journal::testing::ManualClock m_clock;
  journal::Settings m_settings;
  std::unique_ptr<journal::Journal> m_journal;
  model::ItemCatalog m_catalog;
  ContractScript m_script;
  Peer m_peer;
};

TYPED_TEST_SUITE_P(UplinkContract);

TYPED_TEST_P(UplinkContract, ExactlyOnceAcrossARestart) {
  this->append(30);
  auto e = this->engine();
  ASSERT_TRUE(e->start().ok());
  ASSERT_TRUE(this->deliveredAll(*e));
  e->stop();
  this->append(20);
  e = this->engine();
  ASSERT_TRUE(e->start().ok());
  ASSERT_TRUE(this->deliveredAll(*e));
  e->stop();
  this->expectExactlyOnce(1, 501);
}

// What kill -9 leaves: the destination holds more than the cursor on disk says (the cursor
// is written at the sync interval). The records after the stale cursor come again; the
// destination keeps each observation once.
TYPED_TEST_P(UplinkContract, ExactlyOnceWhenTheCursorOnDiskIsBehind) {
  this->m_settings.segmentSize = 64 << 20;  // one segment: retention deletes nothing
  this->open();
  this->append(10);
  auto e = this->engine();
  ASSERT_TRUE(e->start().ok());
  ASSERT_TRUE(this->deliveredAll(*e));
  e->stop();
  const std::string cursor = this->m_journal->cursorPath(e->name());
  const std::string stale = cursor + ".stale";
  std::filesystem::copy_file(cursor, stale);
  this->append(20);
  e = this->engine();
  ASSERT_TRUE(e->start().ok());
  ASSERT_TRUE(this->deliveredAll(*e));
  e.reset();
  std::filesystem::rename(stale, cursor);  // the crash: the last cursor writes never happened
  this->open();
  e = this->engine();
  ASSERT_TRUE(e->start().ok());
  ASSERT_TRUE(this->deliveredAll(*e));
  e->stop();
  this->expectExactlyOnce(1, 301);
}

TYPED_TEST_P(UplinkContract, RetryKeepsTheCursorAndSendsAgain) {
  this->append(10);
  this->m_script.retries = 3;
  auto e = this->engine();
  ASSERT_TRUE(e->start().ok());
  ASSERT_TRUE(this->deliveredAll(*e));
  const auto s = e->stats();
  EXPECT_EQ(s.retries, 3u);
  EXPECT_EQ(s.delivered, 100u);
  EXPECT_FALSE(s.failing);
  e->stop();
  this->expectExactlyOnce(1, 101);
}

TYPED_TEST_P(UplinkContract, RejectHoldsOnlyItsOwnRecord) {
  this->append(10);
  this->m_script.reject = {31};  // the fourth record: sequences 31-40
  auto e = this->engine();
  ASSERT_TRUE(e->start().ok());
  ASSERT_TRUE(this->deliveredAll(*e));
  const auto s = e->stats();
  EXPECT_EQ(s.held, 10u);
  EXPECT_EQ(s.delivered, 90u);
  e->stop();
  std::set<std::uint64_t> rejected;
  for (std::uint64_t q = 31; q <= 40; ++q) rejected.insert(q);
  this->expectExactlyOnce(1, 101, rejected);
  // Held beside the journal, with the reason.
  std::ifstream held(std::filesystem::path(this->m_settings.dir) / "held" / (e->name() + ".jsonl"));
  std::string line;
  ASSERT_TRUE(std::getline(held, line));
  EXPECT_NE(line.find("\"seq\":31,\"count\":10"), std::string::npos) << line;
  EXPECT_NE(line.find("rejected by the test"), std::string::npos) << line;
}

TYPED_TEST_P(UplinkContract, EvictionBeforeDeliveryIsCounted) {
  this->m_settings.maxSize = 64 << 10;
  this->m_settings.segmentSize = 8 << 10;
  this->open();
  auto first = this->engine();  // the uplink's cursor exists (at sequence 1) before the data
  ASSERT_TRUE(first->start().ok());
  first->stop();
  first.reset();
  this->append(200, 100);  // far more than max_size: the oldest segments go undelivered
  const auto js = this->m_journal->stats();
  ASSERT_GT(js.firstSequence, 1u);
  auto e = this->engine();
  ASSERT_TRUE(e->start().ok());
  ASSERT_TRUE(this->deliveredAll(*e));
  const auto s = e->stats();
  EXPECT_EQ(s.evicted, js.firstSequence - 1);
  EXPECT_EQ(s.delivered + s.evicted, 20000u);
  e->stop();
  this->expectExactlyOnce(js.firstSequence, 20001);
}

TYPED_TEST_P(UplinkContract, TheWindowIsBounded) {
  DeliveryOptions d;
  d.maxInFlight = 4;
  d.liveWindow = 100;
  d.backlogRate = 0;
  this->m_script.options = d;
  this->append(200);
  auto e = this->engine();
  ASSERT_TRUE(e->start().ok());
  ASSERT_TRUE(this->deliveredAll(*e));
  e->stop();
  std::lock_guard lock(this->m_script.mutex);
  EXPECT_GE(this->m_script.maxInFlight, 1);
  EXPECT_LE(this->m_script.maxInFlight, this->ordered() ? 1 : 4);
  this->expectExactlyOnce(1, 2001);
}

// Unordered uplinks send live data first while a backlog drains at its rate; ordered ones
// (one lane) keep sequence order instead.
TYPED_TEST_P(UplinkContract, LiveDataIsNotStarvedByABacklog) {
  DeliveryOptions d;
  d.liveWindow = 50;
  d.backlogRate = 2000;  // 20000 observations of backlog: ten seconds
  this->m_script.options = d;
  this->append(200, 100);
  auto e = this->engine();
  ASSERT_TRUE(e->start().ok());
  if (this->ordered()) {
    ASSERT_TRUE(this->deliveredAll(*e, std::chrono::seconds(60)));
    e->stop();
    std::lock_guard lock(this->m_script.mutex);
    EXPECT_TRUE(std::is_sorted(this->m_script.submitted.begin(), this->m_script.submitted.end()));
    this->expectExactlyOnce(1, 20001);
    return;
  }
  this->append(1, 10);  // live: sequences 20001-20010
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!e->isDelivered(20001) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_TRUE(e->isDelivered(20001)) << "live data waited behind the backlog";
  EXPECT_GT(e->stats().backlog, 0u) << "the backlog was not rate-limited";
  e->stop();
}

REGISTER_TYPED_TEST_SUITE_P(UplinkContract, ExactlyOnceAcrossARestart,
                            ExactlyOnceWhenTheCursorOnDiskIsBehind,
                            RetryKeepsTheCursorAndSendsAgain, RejectHoldsOnlyItsOwnRecord,
                            EvictionBeforeDeliveryIsCounted, TheWindowIsBounded,
                            LiveDataIsNotStarvedByABacklog);

}  // namespace spindle::uplinks::testing
