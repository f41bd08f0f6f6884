#include "base/time.hpp"

#include <chrono>
#include <cstdio>
#include <vector>

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

// Found by shdr_parser_fuzz and the MTConnect fuzz targets: a year such as 4048 overflowed the
// nanosecond arithmetic (undefined behaviour). Years int64 nanoseconds cannot hold are refused.
TEST(Time, YearsBeyondTheNanosecondRangeAreRefused) {
  for (const char* bad : {"4048-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
                          "2262-04-12T00:00:00Z", "0001-01-01T00:00:00Z", "1677-09-21T00:12:44Z"}) {
    EXPECT_FALSE(parseTimestamp(bad).has_value()) << bad;
    TimestampCache cache;
    EXPECT_FALSE(parseTimestamp(bad, cache).has_value()) << bad;
  }
  const auto last = parseTimestamp("2261-12-31T23:59:59.999999999Z");
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(formatTimestamp(*last), "2261-12-31T23:59:59.999999Z");
  const auto first = parseTimestamp("1678-01-01T00:00:00Z");
  ASSERT_TRUE(first.has_value());
  EXPECT_LT(*first, 0);
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

// The direct digit writer against the C library's formatting of the same fields.
TEST(Time, TimestampsFormatAsTheCalendarSays) {
  using namespace std::chrono;
  // Twice each, and neighbours in the same and the next second: the writer keeps the last
  // second's date and time.
  std::vector<TimestampNs> all;
  for (const TimestampNs ns :
       {TimestampNs{0}, TimestampNs{1704067200LL * 1'000'000'000 + 123'456'789},
        TimestampNs{-1'000}, TimestampNs{9'000'000'000LL * 1'000'000'000 + 999'999'000},
        TimestampNs{951782400LL * 1'000'000'000 + 7'000}, TimestampNs{-1'000'000'000},
        TimestampNs{-999'999'999}, TimestampNs{86'399'999'999'999}}) {
    for (const TimestampNs n : {ns, ns, ns + 1'000, ns + 1'000'000'000, ns - 1}) all.push_back(n);
  }
  for (const TimestampNs ns : all) {
    const sys_time<nanoseconds> tp{nanoseconds(ns)};
    const auto day = floor<days>(tp);
    const year_month_day ymd{day};
    const hh_mm_ss hms{floor<microseconds>(tp - day)};
    char expected[64];
    std::snprintf(expected, sizeof expected, "%04d-%02u-%02uT%02d:%02d:%02d.%06lldZ",
                  int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()),
                  int(hms.hours().count()), int(hms.minutes().count()), int(hms.seconds().count()),
                  static_cast<long long>(hms.subseconds().count()));
    EXPECT_EQ(formatTimestamp(ns), expected);
    std::string appended = "x";
    appendTimestamp(appended, ns);
    EXPECT_EQ(appended, "x" + std::string(expected)) << ns;
  }
  EXPECT_EQ(formatTimestamp(1704067200LL * 1'000'000'000 + 123'456'789),
            "2024-01-01T00:00:00.123456Z");
}

}  // namespace
}  // namespace spindle
