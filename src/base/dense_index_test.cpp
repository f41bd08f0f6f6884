#include "base/dense_index.hpp"

#include <random>
#include <unordered_map>

#include <gtest/gtest.h>

namespace spindle {
namespace {

TEST(DenseIndex, NumbersIdsInTheOrderTheyFirstAppear) {
  DenseIndex index;
  EXPECT_EQ(index.find(7), DenseIndex::kNone);
  EXPECT_EQ(index.intern(4'000'000), 0u);
  EXPECT_EQ(index.intern(7), 1u);
  EXPECT_EQ(index.intern(4'000'000), 0u);
  EXPECT_EQ(index.find(7), 1u);
  EXPECT_EQ(index.find(8), DenseIndex::kNone);
  EXPECT_EQ(index.size(), 2u);
}

TEST(DenseIndex, AgreesWithAMapOverManyIdsAndGrowths) {
  DenseIndex index;
  std::unordered_map<std::uint32_t, std::uint32_t> expected;
  std::mt19937 rng(42);
  for (int i = 0; i < 20000; ++i) {
    // Runs of consecutive ids (a machine's items) and scattered ones.
    const std::uint32_t id = i % 3 == 0 ? static_cast<std::uint32_t>(rng()) : 1000u + (i % 5000);
    const auto [it, added] = expected.emplace(id, static_cast<std::uint32_t>(expected.size()));
    ASSERT_EQ(index.intern(id), it->second) << id;
    (void)added;
  }
  EXPECT_EQ(index.size(), expected.size());
  for (const auto& [id, n] : expected) ASSERT_EQ(index.find(id), n);
  // Half full at most: memory stays proportional to the ids seen.
  EXPECT_LE(index.bytes(), expected.size() * 4 * 8);
}

}  // namespace
}  // namespace spindle
