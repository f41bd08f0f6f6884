#include "app/pipeline.hpp"

#include <filesystem>
#include <future>

#include <gtest/gtest.h>

#include "journal/journal_reader.hpp"
#include "journal/testing/journal_testing.hpp"
#include "transform/script_loader.hpp"

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
    m_item = m_catalog.intern(m_machine, "x").value();
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
  /// `n` observations of `machine`'s item "x".
  model::Batch batchOf(model::MachineId machine, std::size_t n) {
    model::Batch b = batchOf(n);
    const model::ItemId item = m_catalog.intern(machine, "x").value();
    for (auto& o : b) {
      o.machine = machine;
      o.item = item;
    }
    return b;
  }

  /// Starts and stops `pipeline`; the machine of each batch it applied, in order.
  static std::vector<model::MachineId> drainInOrder(Pipeline& pipeline) {
    auto sub = pipeline.subscribe("order", std::size_t(1) << 20, {});
    pipeline.start();
    pipeline.stop();
    std::vector<state::AppliedBatch> applied;
    sub->take(applied);
    sub->close();
    std::vector<model::MachineId> order;
    for (const auto& a : applied) order.push_back(a.batch->front().machine);
    return order;
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
  Pipeline pipeline(10, state, *journal, m_catalog, m_clock);  // not started: nothing drains
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

TEST_F(PipelineTest, AFloodingMachineCannotBlockAnothersEnqueue) {
  state::StateStore state(16);
  auto journal = openJournal();
  Pipeline pipeline(100, state, *journal, m_catalog, m_clock);  // not started: nothing drains
  const model::MachineId healthy = m_catalog.addMachine("healthy");
  const model::ItemId item = m_catalog.intern(healthy, "x").value();
  std::size_t flooded = 0;
  while (true) {
    auto b = batchOf(10);
    if (!pipeline.tryPush(b)) break;
    flooded += 10;
  }
  EXPECT_EQ(flooded, 100u);  // the flooding machine alone may use the whole queue
  model::Batch mine{model::Observation{healthy, item, 0, model::Kind::kSample, 0, 1.0}};
  EXPECT_TRUE(pipeline.tryPush(mine));  // still has its place
  EXPECT_EQ(pipeline.queued(healthy), 1u);
  auto more = batchOf(10);
  EXPECT_FALSE(pipeline.tryPush(more));  // back-pressure stays on the flooding machine
  EXPECT_EQ(pipeline.queued(m_machine), 100u);
}

TEST_F(PipelineTest, LongTextsFillTheQueueByMemoryAndEachMachineHasItsShareOfIt) {
  state::StateStore state(16);
  auto journal = openJournal();
  // 1000 observations would fit, 100 KiB of texts do not: a machine of long texts is paused
  // like a machine of many values.
  Pipeline pipeline(state::QueueLimit{1000, 100 << 10}, state, *journal, m_catalog, m_clock);
  const model::MachineId other = m_catalog.addMachine("other");
  const model::ItemId otherItem = m_catalog.intern(other, "x").value();
  auto text = [](model::MachineId machine, model::ItemId item, std::size_t bytes) {
    return model::Batch{
        model::Observation{machine, item, 0, model::Kind::kEvent, 0, std::string(bytes, 't')}};
  };
  auto first = text(m_machine, m_item, 30 << 10);
  ASSERT_TRUE(pipeline.tryPush(first));  // nothing queued: always one batch
  EXPECT_GT(pipeline.stats().queuedBytes, 30u << 10);
  auto small = batchOf(other, 1);
  small.front().item = otherItem;
  ASSERT_TRUE(pipeline.tryPush(small));
  // Two machines wait: each may hold half the memory. 60 KiB is under the whole 100 KiB but
  // over m_machine's 50.
  auto second = text(m_machine, m_item, 30 << 10);
  EXPECT_FALSE(pipeline.tryPush(second));
  EXPECT_EQ(second.size(), 1u);  // untouched: the collector keeps it
  auto otherLarge = text(other, otherItem, 45 << 10);
  EXPECT_TRUE(pipeline.tryPush(otherLarge));  // its share has room
  auto otherMore = text(other, otherItem, 45 << 10);
  EXPECT_FALSE(pipeline.tryPush(otherMore));  // the whole queue's memory does not
  EXPECT_EQ(pipeline.stats().queued, 3u);
  EXPECT_LE(pipeline.stats().queuedBytes, 100u << 10);

  std::promise<void> room;
  pipeline.setRoomListener(m_machine, [&] { room.set_value(); });
  pipeline.start();
  ASSERT_EQ(room.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  pipeline.setRoomListener(m_machine, {});
  EXPECT_TRUE(pipeline.tryPush(second));
  pipeline.stop();
  EXPECT_EQ(pipeline.stats().journaled, 4u);
  EXPECT_EQ(pipeline.stats().queuedBytes, 0u);
}

TEST_F(PipelineTest, MachinesTakeTurns) {
  state::StateStore state(1024);
  auto journal = openJournal();
  Pipeline pipeline(1000, state, *journal, m_catalog, m_clock);
  const model::MachineId other = m_catalog.addMachine("other");
  const model::ItemId item = m_catalog.intern(other, "y").value();
  for (int i = 0; i < 5; ++i) {
    auto b = batchOf(10);
    ASSERT_TRUE(pipeline.tryPush(b));
  }
  model::Batch theirs{model::Observation{other, item, 0, model::Kind::kSample, 0, 1.0}};
  ASSERT_TRUE(pipeline.tryPush(theirs));
  const std::vector<model::MachineId> order = drainInOrder(pipeline);
  ASSERT_EQ(order.size(), 6u);
  EXPECT_EQ(order[0], m_machine);
  EXPECT_EQ(order[1], other);  // after one batch of the busy machine, not after all five
  EXPECT_EQ(pipeline.stats().journaled, 51u);
}

TEST_F(PipelineTest, ATurnTakesSmallBatchesUpToWhatAnotherMachinesTurnTook) {
  state::StateStore state(1024);
  auto journal = openJournal();
  Pipeline pipeline(1000, state, *journal, m_catalog, m_clock);
  const model::MachineId small = m_catalog.addMachine("small");
  for (int i = 0; i < 2; ++i) {
    auto b = batchOf(10);
    ASSERT_TRUE(pipeline.tryPush(b));
  }
  for (int i = 0; i < 12; ++i) {
    auto b = batchOf(small, 1);
    ASSERT_TRUE(pipeline.tryPush(b));
  }
  const std::vector<model::MachineId> order = drainInOrder(pipeline);
  // Large (10), then ten of small's batches of 1 (as many observations as large's turn), then
  // large again, then the rest of small.
  std::vector<model::MachineId> expected{m_machine};
  expected.insert(expected.end(), 10, small);
  expected.push_back(m_machine);
  expected.insert(expected.end(), 2, small);
  EXPECT_EQ(order, expected);
}

TEST_F(PipelineTest, SubscribersFollowAppliedBatchesWithTheStoresSequences) {
  state::StateStore state(1024);
  auto journal = openJournal();
  Pipeline pipeline(1000, state, *journal, m_catalog, m_clock);
  auto first = pipeline.subscribe("first", 1000, {});
  auto second = pipeline.subscribe("second", 1000, {});
  auto gone = pipeline.subscribe("gone", 1000, {});
  gone->close();
  for (std::size_t n : {3, 1, 5}) {
    auto b = batchOf(n);
    ASSERT_TRUE(pipeline.tryPush(b));
  }
  pipeline.start();
  pipeline.stop();
  for (auto* sub : {first.get(), second.get()}) {
    std::vector<state::AppliedBatch> applied;
    ASSERT_EQ(sub->take(applied), 3u);
    EXPECT_EQ(applied[0].firstSequence, 1u);
    EXPECT_EQ(applied[1].firstSequence, 4u);
    EXPECT_EQ(applied[2].firstSequence, 5u);
    EXPECT_EQ(applied[2].batch->size(), 5u);
    EXPECT_EQ(applied[2].firstSequence + 5, state.nextSequence());
  }
  std::vector<state::AppliedBatch> none;
  EXPECT_EQ(gone->take(none), 0u);
  EXPECT_EQ(gone->stats().batches, 0u);
}

// journal.filter_duplicates: samples and events equal to their item's latest are left out
// before the state, the journal and the subscribers; conditions always pass.
TEST_F(PipelineTest, TheDuplicateFilterLeavesOutRepeatsBeforeAnythingSeesThem) {
  state::StateStore state(1024);
  auto journal = openJournal();
  Pipeline pipeline(1000, state, *journal, m_catalog, m_clock);
  pipeline.setDuplicateFilter(true);
  const auto cond = m_catalog.intern(m_machine, "system", model::Kind::kCondition).value();
  auto fault = model::Value(std::make_shared<const model::Condition>(
      model::Condition{model::Level::kFault, "1", "", "", "Hot"}));
  auto obs = [&](model::ItemId item, model::Value v, model::Kind kind = model::Kind::kSample) {
    return model::Observation{m_machine, item, 0, kind, 0, std::move(v)};
  };
  model::Batch first{obs(m_item, std::int64_t{1}), obs(m_item, std::int64_t{1}),
                     obs(m_item, std::int64_t{2}), obs(cond, fault, model::Kind::kCondition)};
  model::Batch second{obs(m_item, std::int64_t{2}), obs(cond, fault, model::Kind::kCondition),
                      obs(m_item, model::Unavailable{}), obs(m_item, std::int64_t{2})};
  ASSERT_TRUE(pipeline.tryPush(first));
  ASSERT_TRUE(pipeline.tryPush(second));
  pipeline.start();
  pipeline.stop();
  // 1, 2, the fault; then the fault again, UNAVAILABLE, 2: the repeats of 1 and 2 left out.
  EXPECT_EQ(pipeline.stats().duplicates, 2u);
  EXPECT_EQ(pipeline.stats().journaled, 6u);
  EXPECT_EQ(state.nextSequence(), 7u);
}

TEST_F(PipelineTest, ARefusedMachineIsCalledBackOnceItsBatchFits) {
  state::StateStore state(16);
  auto journal = openJournal();
  Pipeline pipeline(10, state, *journal, m_catalog, m_clock);  // not started: nothing drains
  const model::MachineId other = m_catalog.addMachine("other");
  std::atomic<int> removedCalls{0};
  std::promise<void> room;
  pipeline.setRoomListener(m_machine, [&] { ++removedCalls; });
  pipeline.setRoomListener(other, [&] { room.set_value(); });

  auto first = batchOf(8);
  ASSERT_TRUE(pipeline.tryPush(first));
  auto refused = batchOf(5);
  ASSERT_FALSE(pipeline.tryPush(refused));
  auto otherBatch = batchOf(other, 5);
  ASSERT_TRUE(pipeline.tryPush(otherBatch));  // nothing queued: always one batch
  auto second = batchOf(other, 5);
  ASSERT_FALSE(pipeline.tryPush(second));  // over the bound: `other` waits too
  // `m_machine` stops listening before the worker frees room: it is never called.
  pipeline.setRoomListener(m_machine, {});

  pipeline.start();
  auto called = room.get_future();
  ASSERT_EQ(called.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  pipeline.setRoomListener(other, {});  // returns once no listener runs
  EXPECT_EQ(removedCalls.load(), 0);
  EXPECT_TRUE(pipeline.tryPush(second));
  pipeline.stop();
  EXPECT_EQ(pipeline.stats().journaled, 18u);
}

TEST_F(PipelineTest, HoldsBatchesWhileTheJournalIsFullAndResumes) {
  state::StateStore state(16);
  journal::Settings s;
  s.policy = journal::FullPolicy::kBlock;
  s.segmentSize = 4096;
  s.maxSize = 8192;
  auto journal = openJournal(s);
  const std::size_t consumer = journal->addConsumer("slow", 1);
  Pipeline pipeline(1000, state, *journal, m_catalog, m_clock);
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

TEST_F(PipelineTest, ScriptsTransformBatchesAndTheirTimersFireBetweenBatches) {
  auto script = transform::compileScript(R"(version: 2
keys: [x]
variables:
  held:
    - source: x > 0
    - on-delay: 100ms
data-items:
  - doubled: {source: x * 2}
  - held
)",
                                         "test-script");
  ASSERT_TRUE(script.ok()) << script.error().describe();
  journal::testing::ManualClock clock(1'000'000'000);
  state::StateStore state(64);
  auto journal = openJournal();
  Pipeline pipeline(1000, state, *journal, m_catalog, clock);
  pipeline.setScript(
      m_machine, std::make_unique<transform::ScriptRunner>(*script, m_catalog, m_machine, clock));
  std::atomic<std::uint8_t> flags{model::kFlagUntrustedClock};
  pipeline.setFlagSource([&] { return flags.load(); });
  pipeline.start();
  auto b = batchOf(1);
  b[0].value = std::int64_t{21};
  b[0].timestamp = clock.now();
  ASSERT_TRUE(pipeline.tryPush(b));
  const model::ItemId doubled = m_catalog.intern(m_machine, "doubled").value();
  const model::ItemId held = m_catalog.intern(m_machine, "held").value();
  auto waitFor = [&](model::ItemId item, const model::Value& want) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto obs = state.latest(item); obs && obs->value == want) return *obs;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ADD_FAILURE() << "item " << item << " never took the expected value";
    return model::Observation{};
  };
  const auto d = waitFor(doubled, model::Value{std::int64_t{42}});
  EXPECT_EQ(d.flags & model::kFlagUntrustedClock, model::kFlagUntrustedClock);
  const auto before = state.latest(held);
  EXPECT_TRUE(!before || before->value != model::Value{true});  // 100 ms have not passed
  // No new batch arrives: the on-delay fires from the worker's timer once the clock passes it.
  flags = 0;
  clock.advance(std::chrono::milliseconds(150));
  const auto h = waitFor(held, model::Value{true});
  EXPECT_EQ(h.flags & model::kFlagUntrustedClock, 0);
  pipeline.stop();
  ASSERT_TRUE(pipeline.scriptStats(m_machine).has_value());
  EXPECT_EQ(pipeline.scriptStats(m_machine)->errors, 0u);
  EXPECT_FALSE(pipeline.scriptStats(m_machine + 1).has_value());
  // The raw key x is not passed through (no passthrough in this script): only outputs are kept.
  EXPECT_FALSE(state.latest(m_item).has_value());
}

TEST_F(PipelineTest, RawKeysAreKeptBeforeTheScriptOnlyWhileWatched) {
  auto script = transform::compileScript(
      "version: 2\nkeys: [x]\ndata-items:\n  - doubled: {source: x * 2}\n", "test-script");
  ASSERT_TRUE(script.ok()) << script.error().describe();
  journal::testing::ManualClock clock(1'000'000'000);
  state::StateStore state(64);
  auto journal = openJournal();
  Pipeline pipeline(1000, state, *journal, m_catalog, clock);
  pipeline.setScript(
      m_machine, std::make_unique<transform::ScriptRunner>(*script, m_catalog, m_machine, clock));
  const auto other = m_catalog.addMachine("other");
  pipeline.start();
  const model::ItemId doubled = m_catalog.intern(m_machine, "doubled").value();
  auto push = [&](std::int64_t value) {
    auto b = batchOf(1);
    b[0].value = value;
    b[0].timestamp = clock.now();
    ASSERT_TRUE(pipeline.tryPush(b));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto obs = state.latest(doubled); obs && obs->value == model::Value{value * 2}) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ADD_FAILURE() << "value " << value << " never went through";
  };
  push(1);
  EXPECT_TRUE(pipeline.rawValues(m_machine).empty()) << "recorded while nobody watched";
  pipeline.watchRaw(m_machine, std::chrono::seconds(60));
  push(2);
  push(3);
  auto raw = pipeline.rawValues(m_machine);
  ASSERT_EQ(raw.size(), 1u) << "one key, its latest value";
  EXPECT_EQ(raw[0].item, m_item);
  EXPECT_EQ(raw[0].value, model::Value{std::int64_t{3}}) << "the value before the script";
  EXPECT_TRUE(pipeline.rawValues(other).empty());
  // The watch ends: the next batch closes the capture and what it held goes.
  clock.advance(std::chrono::seconds(61));
  push(4);
  EXPECT_TRUE(pipeline.rawValues(m_machine).empty());
  pipeline.stop();
}

}  // namespace
}  // namespace spindle::app
