#include "base/time.hpp"

#include <gtest/gtest.h>

namespace spindle {
namespace {

TEST(Time, ParsesIso8601WithAndWithoutZ) {
  EXPECT_EQ(parseTimestamp("1970-01-01T00:00:00Z").value(), 0);
  EXPECT_EQ(parseTimestamp("2024-01-01T00:00:00Z").value(), 1704067200LL * 1'000'000'000);
  EXPECT_EQ(parseTimestamp("2024-01-01T00:00:00.25").value(),
            1704067200LL * 1'000'000'000 + 250'000'000);
  // More than nine fraction digits are truncated, never rounded into the next second.
  EXPECT_EQ(parseTimestamp("2024-01-01T00:00:00.9999999999Z").value(),
            1704067200LL * 1'000'000'000 + 999'999'999);
}

TEST(Time, RejectsMalformedTimestamps) {
  for (const char* bad : {"", "2024-01-01", "2024-1-01T00:00:00Z", "2024-01-01T25:00:00Z",
                          "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00Zjunk", "avail"}) {
    EXPECT_FALSE(parseTimestamp(bad).has_value()) << bad;
  }
}

TEST(Time, FormatsWithMicroseconds) {
  EXPECT_EQ(formatTimestamp(1704067200LL * 1'000'000'000 + 123'456'789),
            "2024-01-01T00:00:00.123456Z");
  const auto t = parseTimestamp("2022-08-08T13:51:34.716714Z").value();
  EXPECT_EQ(formatTimestamp(t), "2022-08-08T13:51:34.716714Z");
}

}  // namespace
}  // namespace spindle

namespace spindle {
namespace {

TEST(Time, CachedParsingMatchesUncachedAcrossDays) {
  TimestampCache cache;
  for (const char* t : {"2024-02-28T23:59:59.5Z", "2024-02-28T00:00:01Z", "2024-02-29T12:00:00Z",
                        "2024-03-01T00:00:00Z", "2023-12-31T23:59:59Z", "2024-13-01T00:00:00Z",
                        "2024-03-01T25:00:00Z"}) {
    EXPECT_EQ(parseTimestamp(t, cache), parseTimestamp(t)) << t;
  }
}

}  // namespace
}  // namespace spindle
