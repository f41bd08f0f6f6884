#include "state/state_store.hpp"

#include <gtest/gtest.h>

namespace spindle::state {
namespace {

model::Observation obs(model::ItemId item, std::int64_t v) {
  return model::Observation{0, item, v, model::Kind::kSample, 0, v};
}

TEST(StateStore, KeepsLatestValuesAndSequences) {
  StateStore store(4);
  store.apply({obs(0, 1), obs(1, 2), obs(0, 3)});
  EXPECT_EQ(std::get<std::int64_t>(store.latest(0)->value), 3);
  EXPECT_EQ(std::get<std::int64_t>(store.latest(1)->value), 2);
  EXPECT_FALSE(store.latest(7).has_value());
  EXPECT_EQ(store.firstSequence(), 1u);
  EXPECT_EQ(store.nextSequence(), 4u);
  EXPECT_EQ(store.machineStats(0).observations, 3u);
}

TEST(StateStore, RingDropsTheOldestAndClampsReads) {
  StateStore store(4);
  for (int i = 0; i < 10; ++i) store.apply({obs(0, i)});
  EXPECT_EQ(store.firstSequence(), 7u);
  EXPECT_EQ(store.nextSequence(), 11u);
  auto recent = store.since(1, 100);
  ASSERT_EQ(recent.size(), 4u);
  EXPECT_EQ(recent.front().sequence, 7u);
  EXPECT_EQ(std::get<std::int64_t>(recent.back().observation.value), 9);
  EXPECT_EQ(store.since(9, 1).size(), 1u);
  EXPECT_TRUE(store.since(11, 10).empty());
}

}  // namespace
}  // namespace spindle::state
