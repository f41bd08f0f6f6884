#include "config/yaml_checks.hpp"

#include <gtest/gtest.h>

namespace spindle::config {
namespace {

TEST(DuplicateKeys, AreReportedWithTheLinesOfBoth) {
  Diagnostics d("spindle.yaml");
  const std::string text =
      "edge:\n"
      "  id: e1\n"
      "machines:\n"
      "  - id: mill-1\n"
      "    host: 10.0.0.1\n"
      "    port: 7878\n"
      "    host: 10.0.0.2\n"
      "edge: {}\n";
  checkDuplicateKeys(YAML::Load(text), d, text.size() * 16);
  ASSERT_EQ(d.size(), 2u) << d.describe();
  EXPECT_EQ(d.items()[0].describe(),
            "spindle.yaml:7:5: duplicate key 'host' (first at spindle.yaml:5) (YAML keeps only "
            "one of the two; remove or rename one)");
  EXPECT_EQ(d.items()[1].line, 8);
  EXPECT_NE(d.items()[1].message.find("first at spindle.yaml:1"), std::string::npos);
}

TEST(DuplicateKeys, SameKeysInDifferentMapsAreFine) {
  Diagnostics d;
  const std::string text = "a: {x: 1}\nb: {x: 2}\nc: [{x: 1}, {x: 2}]\n";
  checkDuplicateKeys(YAML::Load(text), d, text.size() * 16);
  EXPECT_TRUE(d.empty()) << d.describe();
}

TEST(DuplicateKeys, ADocumentOfAliasesLargerThanItsTextIsNotWalked) {
  std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    const char prev = static_cast<char>(c - 1);
    text += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev + ", *" +
            prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev +
            ", *" + prev + "]\n";
  }
  Diagnostics d;
  checkDuplicateKeys(YAML::Load(text), d, text.size() * 16);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d.items()[0].message.find("more nodes"), std::string::npos);
}

}  // namespace
}  // namespace spindle::config
