#include "state/batch_feed.hpp"

#include <atomic>
#include <future>
#include <thread>

#include <gtest/gtest.h>

namespace spindle::state {
namespace {

/// `n` observations whose values count on from `first`.
model::Batch batchFrom(std::int64_t first, std::size_t n) {
  model::Batch b;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t v = first + static_cast<std::int64_t>(i);
    b.push_back(model::Observation{0, 0, v, model::Kind::kSample, 0, v});
  }
  return b;
}

/// The values of every observation taken from `sub`, in order, checking that each batch's
/// sequences follow on from the previous one's when `contiguous`.
std::vector<std::int64_t> values(BatchSubscription& sub, bool contiguous) {
  std::vector<AppliedBatch> taken;
  sub.take(taken);
  std::vector<std::int64_t> out;
  std::uint64_t expected = taken.empty() ? 0 : taken.front().firstSequence;
  for (const auto& a : taken) {
    if (contiguous) {
      EXPECT_EQ(a.firstSequence, expected);
    }
    expected = a.firstSequence + a.batch->size();
    for (const auto& o : *a.batch) out.push_back(std::get<std::int64_t>(o.value));
  }
  return out;
}

TEST(BatchFeed, SeveralSubscribersSeeEveryBatchInOrder) {
  BatchFanout feed;
  std::atomic<int> readyA{0}, readyB{0};
  auto a = feed.subscribe("a", 1000, [&](BatchSubscription&) { ++readyA; });
  auto b = feed.subscribe("b", 1000, [&](BatchSubscription&) { ++readyB; });
  std::uint64_t sequence = 1;
  for (int i = 0; i < 50; ++i) {
    feed.publish(sequence, batchFrom(i * 4, 4));
    sequence += 4;
  }
  // One call per transition from empty: the subscriber has not taken anything yet.
  EXPECT_EQ(readyA, 1);
  EXPECT_EQ(readyB, 1);
  std::vector<std::int64_t> expected(200);
  for (int i = 0; i < 200; ++i) expected[i] = i;
  EXPECT_EQ(values(*a, true), expected);
  EXPECT_EQ(values(*b, true), expected);
  feed.publish(sequence, batchFrom(200, 1));
  EXPECT_EQ(readyA, 2);  // told again once it took what was queued
  EXPECT_EQ(a->stats().batches, 51u);
  EXPECT_EQ(a->stats().dropped, 0u);
}

TEST(BatchFeed, ASubscribersQueueHoldsNoMoreThanItsMemory) {
  BatchFanout feed;
  auto sub = feed.subscribe("texts", QueueLimit{1000, 32 << 10}, {});
  for (std::int64_t i = 0; i < 10; ++i) {
    feed.publish(
        static_cast<std::uint64_t>(1 + i),
        model::Batch{model::Observation{0, 0, i, model::Kind::kEvent, 0, std::string(10000, 'a')}});
    EXPECT_LE(sub->stats().queuedBytes, 32u << 10);
  }
  std::vector<AppliedBatch> taken;
  sub->take(taken);
  // Three 10 KB texts fit in 32 KiB, not four: the oldest went, counted.
  ASSERT_EQ(taken.size(), 3u);
  EXPECT_EQ(taken.front().firstSequence, 8u);
  EXPECT_GT(taken.front().bytes, 10000u);
  EXPECT_EQ(sub->stats().dropped, 7u);
  EXPECT_EQ(sub->stats().queuedBytes, 0u);
  // The newest batch stays whatever its size.
  feed.publish(11, model::Batch{model::Observation{0, 0, 11, model::Kind::kEvent, 0,
                                                   std::string(40000, 'b')}});
  EXPECT_EQ(sub->stats().queued, 1u);
  sub->close();
}

TEST(BatchFeed, ASlowSubscriberLosesItsOldestBatchesCountedAndOthersLoseNothing) {
  BatchFanout feed;
  auto fast = feed.subscribe("fast", 10, {});
  auto slow = feed.subscribe("slow", 10, {});
  std::vector<std::int64_t> fastSaw;
  for (int i = 0; i < 10; ++i) {
    feed.publish(1 + i * 3, batchFrom(i * 3, 3));
    EXPECT_LE(slow->stats().queued, 10u);
    for (auto v : values(*fast, true)) fastSaw.push_back(v);
  }
  EXPECT_EQ(fastSaw.size(), 30u);
  EXPECT_EQ(fast->stats().dropped, 0u);
  // Three batches of three fit in ten; the seven before them went, oldest first.
  EXPECT_EQ(values(*slow, true), (std::vector<std::int64_t>{21, 22, 23, 24, 25, 26, 27, 28, 29}));
  const SubscriptionStats s = slow->stats();
  EXPECT_EQ(s.batches, 10u);
  EXPECT_EQ(s.dropped, 7u);
  EXPECT_EQ(s.droppedObservations, 21u);
  EXPECT_EQ(s.queued, 0u);
  // The fan-out reports every open subscriber's figures (what health shows), by name.
  const auto all = feed.stats();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].first, "fast");
  EXPECT_EQ(all[0].second.dropped, 0u);
  EXPECT_EQ(all[1].first, "slow");
  EXPECT_EQ(all[1].second.droppedObservations, 21u);
  fast->close();
  ASSERT_EQ(feed.stats().size(), 1u);
}

TEST(BatchFeed, TheNewestBatchIsKeptEvenWhenLargerThanTheBound) {
  BatchFanout feed;
  auto sub = feed.subscribe("small", 2, {});
  feed.publish(1, batchFrom(0, 1));
  feed.publish(2, batchFrom(1, 5));
  EXPECT_EQ(values(*sub, true), (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(sub->stats().dropped, 1u);
}

TEST(BatchFeed, CloseWaitsForARunningCallbackAndEndsDelivery) {
  BatchFanout feed;
  std::promise<void> entered, release;
  auto released = release.get_future().share();
  std::atomic<bool> inside{false};
  std::atomic<int> calls{0};
  auto sub = feed.subscribe("closing", 100, [&](BatchSubscription&) {
    inside = true;
    if (++calls == 1) {
      entered.set_value();
      released.wait();
    }
    inside = false;
  });
  std::thread publisher([&] { feed.publish(1, batchFrom(0, 1)); });
  entered.get_future().wait();
  std::atomic<bool> insideAfterClose{true};
  std::thread closer([&] {
    sub->close();
    insideAfterClose = inside.load();
  });
  release.set_value();
  closer.join();
  publisher.join();
  EXPECT_FALSE(insideAfterClose);  // close() returned only once the callback had finished
  EXPECT_TRUE(sub->closed());
  feed.publish(2, batchFrom(1, 1));
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(feed.empty());  // the feed forgot the closed subscription
  std::vector<AppliedBatch> taken;
  EXPECT_EQ(sub->take(taken), 0u);
}

TEST(BatchFeed, SubscribersShareThePublishedBatchAndJoinOrLeaveWhilePublishing) {
  BatchFanout feed;
  auto a = feed.subscribe("a", 100000, nullptr);
  auto b = feed.subscribe("b", 100000, nullptr);
  const auto batch = std::make_shared<const model::Batch>(batchFrom(0, 3));
  feed.publish(1, batch);
  std::vector<AppliedBatch> fromA, fromB;
  a->take(fromA);
  b->take(fromB);
  ASSERT_EQ(fromA.size(), 1u);
  ASSERT_EQ(fromB.size(), 1u);
  EXPECT_EQ(fromA[0].batch, batch);  // the same batch, not a copy each
  EXPECT_EQ(fromB[0].batch, batch);

  // Subscribing and closing while another thread publishes: each subscriber sees a gapless
  // run of batches from when it joined until it left.
  std::atomic<bool> done{false};
  std::thread publisher([&] {
    for (std::int64_t i = 3; i < 20003; ++i)
      feed.publish(static_cast<std::uint64_t>(i + 1), batchFrom(i, 1));
    done = true;
  });
  std::vector<std::shared_ptr<BatchSubscription>> joined;
  while (!done && joined.size() < 200) {
    joined.push_back(feed.subscribe("late", 100000, nullptr));
    if (joined.size() % 2 == 0) joined[joined.size() / 2]->close();
    std::this_thread::yield();
  }
  publisher.join();
  for (auto& sub : joined) {
    const auto seen = values(*sub, true);
    for (std::size_t i = 1; i < seen.size(); ++i) ASSERT_EQ(seen[i], seen[i - 1] + 1);
  }
  EXPECT_EQ(values(*a, true).size(), 20000u);  // the first batch was taken above
  a->close();
  b->close();
  for (auto& sub : joined) sub->close();
  feed.publish(20004, batchFrom(20003, 1));
  EXPECT_TRUE(feed.empty());
}

}  // namespace
}  // namespace spindle::state
