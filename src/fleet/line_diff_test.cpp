// The line diff of `fleet config diff`: equal texts, insertions, deletions, changes, hunks with
// context, and the line numbers in the @@ headers.

#include "fleet/line_diff.hpp"

#include <gtest/gtest.h>

namespace spindle::fleet {
namespace {

std::string ops(const std::vector<DiffLine>& lines) {
  std::string out;
  for (const auto& l : lines) out += l.op == ' ' ? '=' : l.op;
  return out;
}

TEST(LineDiff, EqualTextsHaveNoDiff) {
  EXPECT_EQ(unifiedDiff("a\nb\n", "a\nb\n", "old", "new"), "");
  EXPECT_EQ(unifiedDiff("", "", "old", "new"), "");
  EXPECT_EQ(ops(diffLines("a\nb", "a\nb\n")), "==");  // a last line without '\n' is a line
}

TEST(LineDiff, MarksTheLongestCommonSubsequence) {
  EXPECT_EQ(ops(diffLines("a\nb\nc\n", "a\nx\nc\n")), "=-+=");
  EXPECT_EQ(ops(diffLines("a\nb\nc\n", "a\nc\n")), "=-=");
  EXPECT_EQ(ops(diffLines("a\nc\n", "a\nb\nc\n")), "=+=");
  EXPECT_EQ(ops(diffLines("", "a\nb\n")), "++");
  EXPECT_EQ(ops(diffLines("a\nb\n", "")), "--");
  EXPECT_EQ(ops(diffLines("x\na\nb\nc\n", "a\nb\nc\ny\n")), "-===+");
}

TEST(LineDiff, UnifiedWithContextAndLineNumbers) {
  const std::string a = "edge:\n  id: e1\nmachines:\n  - id: m1\n    port: 7878\n";
  const std::string b = "edge:\n  id: e1\nmachines:\n  - id: m1\n    port: 7879\n";
  EXPECT_EQ(
      unifiedDiff(a, b, "spindle_config/e1 (revision 3)", "new.yaml"),
      "--- spindle_config/e1 (revision 3)\n+++ new.yaml\n"
      "@@ -2,4 +2,4 @@\n   id: e1\n machines:\n   - id: m1\n-    port: 7878\n+    port: 7879\n");
}

TEST(LineDiff, FarApartChangesMakeTwoHunks) {
  std::string a, b;
  for (int i = 1; i <= 20; ++i) {
    a += "line " + std::to_string(i) + "\n";
    b += (i == 2 || i == 18 ? "changed " : "line ") + std::to_string(i) + "\n";
  }
  const std::string d = unifiedDiff(a, b, "a", "b");
  EXPECT_NE(d.find("@@ -1,5 +1,5 @@\n line 1\n-line 2\n+changed 2\n line 3\n"), std::string::npos)
      << d;
  EXPECT_NE(d.find("@@ -15,6 +15,6 @@\n line 15\n"), std::string::npos) << d;
  EXPECT_EQ(unifiedDiff("", "a\n", "old", "new"), "--- old\n+++ new\n@@ -0,0 +1,1 @@\n+a\n");
}

}  // namespace
}  // namespace spindle::fleet
