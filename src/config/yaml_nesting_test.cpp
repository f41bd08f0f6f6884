#include "config/yaml_nesting.hpp"

#include <string>

#include <gtest/gtest.h>

namespace spindle::config {
namespace {

TEST(YamlNesting, OrdinaryDocumentsPass) {
  EXPECT_FALSE(findDeepNesting(R"(edge:
  id: plant-1   # a comment with [ and {
machines:
  - id: mill-1
    type: shdr
    kinds: {a: sample, b: [x, "y]", 'z{']}
    note: "a [quoted
      string] over lines"
    script: |
      [[[[[[[[ literal text, not nesting
      - - - - - -
  - id: lathe
)",
                               6));
}

TEST(YamlNesting, EachFormOfNestingIsCounted) {
  EXPECT_FALSE(findDeepNesting("a: [[[x]]]", 4));
  const auto flow = findDeepNesting("a: [[[[x]]]]", 4);
  ASSERT_TRUE(flow);
  EXPECT_EQ(flow->line, 1);
  EXPECT_EQ(flow->column, 7);
  EXPECT_TRUE(findDeepNesting("a:\n  - - - - x\n", 4));
  EXPECT_FALSE(findDeepNesting("a:\n  - - x\n", 4));
  const auto block = findDeepNesting("a:\n b:\n  c:\n   d:\n    e: 1\n", 4);
  ASSERT_TRUE(block);
  EXPECT_EQ(block->line, 5);
  // Brackets inside a plain scalar are text.
  EXPECT_FALSE(findDeepNesting("a: x[[[[[[1]]]]]]", 4));
}

}  // namespace
}  // namespace spindle::config
