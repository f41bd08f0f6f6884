#include "web/mtconnect/observation_index.hpp"

#include <gtest/gtest.h>

namespace spindle::web::mtconnect {
namespace {

TEST(ObservationIndex, ActiveConditionsPerItemAreBounded) {
  state::StateStore store(4096);
  ObservationIndex index(store, 16);
  model::Batch batch;
  for (int i = 0; i < 1000; ++i) {
    auto c = std::make_shared<model::Condition>();
    c->level = model::Level::kFault;
    c->nativeCode = "C" + std::to_string(i);
    batch.push_back(model::Observation{0, 7, i, model::Kind::kCondition, 0,
                                       std::shared_ptr<const model::Condition>(std::move(c))});
  }
  store.apply(batch);
  index.refresh();
  std::vector<Entry> out;
  ASSERT_TRUE(index.current(
      std::nullopt, [](model::ItemId) { return true; }, out));
  ASSERT_EQ(out.size(), kMaxActiveConditions);
  // The newest codes are kept.
  const auto& last =
      std::get<std::shared_ptr<const model::Condition>>(out.back().observation.value);
  EXPECT_EQ(last->nativeCode, "C999");
}

/// Applies single-observation batches with values `from`..`to` to `store`, then offers each to
/// `feed`, as the pipeline's worker does.
void applyAndPublish(state::StateStore& store, state::BatchFanout& feed, int from, int to) {
  for (int v = from; v <= to; ++v) {
    model::Batch batch{model::Observation{0, 3, v, model::Kind::kSample, 0, std::int64_t(v)}};
    const std::uint64_t first = store.nextSequence();
    store.apply(batch);
    feed.publish(first, batch);
  }
}

std::vector<std::int64_t> sampledValues(const ObservationIndex& index) {
  std::vector<Entry> out;
  index.sample(
      index.firstSequence(), 100, [](model::ItemId) { return true; }, out);
  std::vector<std::int64_t> values;
  for (const auto& e : out) values.push_back(std::get<std::int64_t>(e.observation.value));
  return values;
}

TEST(ObservationIndex, FollowsASubscriptionAndReadsWhatItDroppedFromTheRing) {
  state::StateStore store(4096);
  state::BatchFanout feed;
  ObservationIndex index(store, 16);
  index.follow(feed.subscribe("index", 2, {}));  // keeps the newest two of five
  applyAndPublish(store, feed, 1, 5);
  index.refresh();
  EXPECT_EQ(sampledValues(index), (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(index.nextSequence(), 6u);
  EXPECT_EQ(index.missed(), 0u);
  applyAndPublish(store, feed, 6, 6);
  index.refresh();
  EXPECT_EQ(sampledValues(index), (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}));
}

TEST(ObservationIndex, CountsWhatNeitherTheSubscriptionNorTheRingHolds) {
  state::StateStore store(2);
  state::BatchFanout feed;
  ObservationIndex index(store, 16);
  index.follow(feed.subscribe("index", 1, {}));
  applyAndPublish(store, feed, 1, 5);
  index.refresh();
  EXPECT_EQ(sampledValues(index), (std::vector<std::int64_t>{4, 5}));
  EXPECT_EQ(index.missed(), 3u);
  EXPECT_EQ(index.nextSequence(), 6u);
}

}  // namespace
}  // namespace spindle::web::mtconnect
