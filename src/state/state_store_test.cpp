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

model::Observation text(model::ItemId item, std::size_t bytes) {
  return model::Observation{0, item, 0, model::Kind::kEvent, 0, std::string(bytes, 'x')};
}

TEST(StateStore, RingHoldsNoMoreThanItsMemory) {
  // 100 slots, 16 KiB: numbers fill the slots, 4 KiB texts only a few of them.
  StateStore store(100, 16 << 10);
  for (int i = 0; i < 100; ++i) store.apply({obs(0, i)});
  EXPECT_EQ(store.firstSequence(), 1u);  // 100 numbers: 7 KiB
  EXPECT_LE(store.ringBytes(), 16u << 10);
  for (int i = 0; i < 20; ++i) store.apply({text(1, 4096)});
  EXPECT_LE(store.ringBytes(), 16u << 10);
  const auto held = store.since(1, 1000);
  ASSERT_FALSE(held.empty());
  EXPECT_EQ(held.front().sequence, store.firstSequence());
  EXPECT_EQ(held.back().sequence, 120u);
  EXPECT_LE(held.size(), 4u);  // a 4 KiB text holds more than 4 KiB
  EXPECT_GE(held.size(), 3u);
  for (const auto& s : held) EXPECT_EQ(std::get<std::string>(s.observation.value).size(), 4096u);
  // The latest value stays whatever the ring let go.
  EXPECT_EQ(std::get<std::string>(store.latest(1)->value).size(), 4096u);
  EXPECT_EQ(std::get<std::int64_t>(store.latest(0)->value), 99);

  // The newest stays even when it alone is over the memory; numbers then fill the ring again.
  store.apply({text(1, 64 << 10)});
  EXPECT_EQ(store.firstSequence(), 121u);
  EXPECT_EQ(store.since(1, 1000).size(), 1u);
  for (int i = 0; i < 100; ++i) store.apply({obs(0, i)});
  EXPECT_EQ(store.firstSequence(), 122u);
  EXPECT_LE(store.ringBytes(), 16u << 10);
  EXPECT_EQ(store.since(1, 1000).size(), 100u);
}

TEST(HeldBytes, CountsWhatAValueHoldsOnTheHeap) {
  const model::Observation number = obs(0, 1);
  EXPECT_EQ(model::heldBytes(number), sizeof(model::Observation));
  EXPECT_EQ(model::heldBytes(text(0, 10)), sizeof(model::Observation));  // a short text: inline
  EXPECT_GE(model::heldBytes(text(0, 1000)), sizeof(model::Observation) + 1000);
  auto asset = std::make_shared<const model::Asset>(
      model::Asset{model::Asset::Action::kAdd, "id", "CuttingTool", std::string(5000, 'a')});
  EXPECT_GE(model::heapBytes(model::Value{asset}), 5000u);
  model::Batch batch{number, text(0, 1000)};
  EXPECT_GE(model::heldBytes(batch), 2 * sizeof(model::Observation) + 1000);
}

}  // namespace
}  // namespace spindle::state
