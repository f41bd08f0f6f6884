#include "base/flat_text_index.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace spindle {
namespace {

struct Keys {
  std::vector<std::string> texts;
  FlatTextIndex index;
  static std::size_t hash(std::string_view s) { return std::hash<std::string_view>{}(s); }
  std::uint32_t find(std::string_view key) const {
    return index.find(hash(key), [&](std::uint32_t id) { return texts[id] == key; });
  }
  void add(std::string key) {
    texts.push_back(std::move(key));
    index.insert(hash(texts.back()), static_cast<std::uint32_t>(texts.size() - 1),
                 [&](std::uint32_t id) { return hash(texts[id]); });
  }
};

TEST(FlatTextIndex, FindsEveryKeyThroughGrowthAndNoOther) {
  Keys k;
  EXPECT_EQ(k.find("x"), FlatTextIndex::kNone);
  for (int i = 0; i < 5000; ++i) k.add("key" + std::to_string(i));
  EXPECT_EQ(k.index.size(), 5000u);
  for (int i = 0; i < 5000; ++i) ASSERT_EQ(k.find("key" + std::to_string(i)), std::uint32_t(i));
  EXPECT_EQ(k.find("key5000"), FlatTextIndex::kNone);
  EXPECT_EQ(k.find(""), FlatTextIndex::kNone);
  // Half full at most: 8 bytes per key or less (16384 slots of 4 bytes for 5000 keys).
  EXPECT_LE(k.index.bytes(), 16384u * 4);
}

TEST(FlatTextIndex, KeysOfOneHashAreTold) {
  FlatTextIndex index;
  std::vector<std::string> texts{"a", "b", "c"};
  for (std::uint32_t id = 0; id < texts.size(); ++id)
    index.insert(7, id, [](std::uint32_t) { return std::size_t{7}; });  // all collide
  for (std::uint32_t id = 0; id < texts.size(); ++id)
    EXPECT_EQ(index.find(7, [&](std::uint32_t o) { return texts[o] == texts[id]; }), id);
  EXPECT_EQ(index.find(7, [](std::uint32_t) { return false; }), FlatTextIndex::kNone);
}

}  // namespace
}  // namespace spindle
