#include "sim/shdr_writer.hpp"

#include <algorithm>

#include <gtest/gtest.h>

namespace spindle::sim {
namespace {

constexpr std::string_view kTs = "2026-11-24T10:00:00.123456Z";

TEST(ShdrWriterTest, ValuesShareOneLine) {
  const std::vector<Update> updates = {{"execution", "ACTIVE"}, {"Sspeed", "1200.5"}};
  EXPECT_EQ(formatShdrLines(kTs, updates),
            "2026-11-24T10:00:00.123456Z|execution|ACTIVE|Sspeed|1200.5\n");
}

TEST(ShdrWriterTest, ConditionsAndMessagesGetTheirOwnLines) {
  const std::vector<Update> updates = {
      {"system", "FAULT|E1002|2|HIGH|Spindle overload", UpdateKind::kCondition},
      {"line", "12"},
      {"message", "M100|Tool change required", UpdateKind::kMessage},
      {"Fact", "0.0"},
  };
  EXPECT_EQ(formatShdrLines(kTs, updates),
            "2026-11-24T10:00:00.123456Z|line|12|Fact|0.0\n"
            "2026-11-24T10:00:00.123456Z|system|FAULT|E1002|2|HIGH|Spindle overload\n"
            "2026-11-24T10:00:00.123456Z|message|M100|Tool change required\n");
}

TEST(ShdrWriterTest, ClearedConditionAndUnavailableValues) {
  const std::vector<Update> updates = {{"system", "NORMAL||||", UpdateKind::kCondition},
                                       {"program", "UNAVAILABLE"}};
  EXPECT_EQ(formatShdrLines("T", updates), "T|program|UNAVAILABLE\nT|system|NORMAL||||\n");
}

TEST(ShdrWriterTest, NothingToSayIsEmpty) { EXPECT_EQ(formatShdrLines(kTs, {}), ""); }

TEST(ShdrWriterTest, LineBreaksInsideTextBecomeSpaces) {
  const std::vector<Update> updates = {{"message", "M1|two\r\nlines", UpdateKind::kMessage}};
  EXPECT_EQ(formatShdrLines("T", updates), "T|message|M1|two  lines\n");
}

TEST(ShdrWriterTest, SnapshotOfAModelIsOneValueLineThenConditionThenMessage) {
  const MachineModel model({.name = "m"});
  const std::string text = formatShdrLines("T", model.snapshot());
  EXPECT_TRUE(text.starts_with("T|avail|AVAILABLE|mode|")) << text;
  EXPECT_NE(text.find("\nT|system|NORMAL||||\nT|message||UNAVAILABLE\n"), std::string::npos)
      << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3);
}

}  // namespace
}  // namespace spindle::sim
