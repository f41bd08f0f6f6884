#include "transform/cron_schedule.hpp"

#include <filesystem>

#include <gtest/gtest.h>

#include "transform/datetime_format.hpp"
#include "transform/time_zone.hpp"

namespace spindle::transform {
namespace {

constexpr const char* kNewYorkRule = "EST5EDT,M3.2.0,M11.1.0";

std::int64_t utc(const char* iso) { return *parseTimestamp(iso) / 1'000'000'000; }

std::string iso(std::optional<std::int64_t> seconds) {
  if (!seconds) return "never";
  return formatTimestamp(*seconds * 1'000'000'000).substr(0, 19);
}

std::string next(const char* cron, const char* after, const TimeZone& zone = TimeZone()) {
  auto schedule = CronSchedule::parse(cron);
  EXPECT_TRUE(schedule.ok()) << cron << ": " << schedule.error().message();
  if (!schedule) return "";
  return iso(schedule->next(utc(after), zone));
}

TEST(TransformCron, FieldsRangesStepsAndNames) {
  EXPECT_EQ(next("0 6 * * 1-5", "2024-01-07T12:00:00Z"), "2024-01-08T06:00:00");
  EXPECT_EQ(next("*/15 * * * *", "2024-01-07T12:07:00Z"), "2024-01-07T12:15:00");
  EXPECT_EQ(next("0 6 * * MON-FRI", "2024-01-08T06:00:00Z"), "2024-01-09T06:00:00");
  EXPECT_EQ(next("0 0 1 JAN,jul *", "2024-02-01T00:00:00Z"), "2024-07-01T00:00:00");
  EXPECT_EQ(next("30 */10 * * * *", "2024-01-07T12:00:30Z"), "2024-01-07T12:10:30");
  EXPECT_EQ(next("0 0 0 1 1 ? 2030", "2024-01-01T00:00:00Z"), "2030-01-01T00:00:00");
  EXPECT_EQ(next("0 12 * * 0", "2024-01-01T00:00:00Z"), "2024-01-07T12:00:00");
  EXPECT_EQ(next("0 12 * * 7", "2024-01-01T00:00:00Z"), "2024-01-07T12:00:00");
  EXPECT_EQ(next("5-10/5 1 * * *", "2024-01-01T01:05:00Z"), "2024-01-01T01:10:00");
}

TEST(TransformCron, SpecialDays) {
  EXPECT_EQ(next("0 0 L * *", "2024-02-10T00:00:00Z"), "2024-02-29T00:00:00");
  EXPECT_EQ(next("0 0 L-1 * *", "2024-02-10T00:00:00Z"), "2024-02-28T00:00:00");
  EXPECT_EQ(next("0 0 15W * *", "2024-06-01T00:00:00Z"), "2024-06-14T00:00:00");  // Sat -> Fri
  EXPECT_EQ(next("0 0 1W * *", "2024-05-31T00:00:00Z"), "2024-06-03T00:00:00");   // Sat 1st -> Mon
  EXPECT_EQ(next("0 0 LW * *", "2024-03-01T00:00:00Z"), "2024-03-29T00:00:00");   // Sun 31st
  EXPECT_EQ(next("0 0 * * 5L", "2024-01-01T00:00:00Z"), "2024-01-26T00:00:00");
  EXPECT_EQ(next("0 0 * * MON#2", "2024-01-01T00:00:00Z"), "2024-01-08T00:00:00");
  // Both day fields restricted: either matches (the 13th, or a Friday).
  EXPECT_EQ(next("0 0 13 * 5", "2024-09-01T00:00:00Z"), "2024-09-06T00:00:00");
  EXPECT_EQ(next("0 0 30 2 *", "2024-01-01T00:00:00Z"), "never");
}

TEST(TransformCron, TimeZonesAndDaylightSaving) {
  auto ny = TimeZone::load(kNewYorkRule);
  ASSERT_TRUE(ny.ok()) << ny.error().message();
  EXPECT_EQ(next("0 6 * * *", "2024-01-01T00:00:00Z", *ny), "2024-01-01T11:00:00");
  EXPECT_EQ(next("0 6 * * *", "2024-07-01T00:00:00Z", *ny), "2024-07-01T10:00:00");
  // 02:30 does not exist on 2024-03-10 in New York: read with the offset before the change.
  EXPECT_EQ(next("30 2 * * *", "2024-03-10T00:00:00Z", *ny), "2024-03-10T07:30:00");
  // 01:30 happens twice on 2024-11-03: the job runs once, at the first.
  EXPECT_EQ(next("30 1 * * *", "2024-11-03T00:00:00Z", *ny), "2024-11-03T05:30:00");
  EXPECT_EQ(next("30 1 * * *", "2024-11-03T05:30:00Z", *ny), "2024-11-04T06:30:00");
  EXPECT_EQ(next("30 1 * * *", "2024-11-03T06:10:00Z", *ny), "2024-11-04T06:30:00");
}

TEST(TransformCron, RefusesMalformedSchedules) {
  for (const char* bad :
       {"* * * *", "* * * * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *",
        "* * * * 8", "*/0 * * * *", "5-1 * * * *", "a * * * *", "* * 32W * *", "* * * * 1#6"}) {
    EXPECT_FALSE(CronSchedule::parse(bad).ok()) << bad;
  }
  auto e = CronSchedule::parse("61 * * * *");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message(), "minute field '61': must be within 0-59");
}

TEST(TransformTimeZone, PosixRules) {
  auto berlin = TimeZone::load("CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_TRUE(berlin.ok());
  EXPECT_EQ(berlin->offsetAt(utc("2024-01-15T12:00:00Z")), 3600);
  EXPECT_EQ(berlin->offsetAt(utc("2024-07-15T12:00:00Z")), 7200);
  EXPECT_EQ(berlin->offsetAt(utc("2024-03-31T00:59:59Z")), 3600);
  EXPECT_EQ(berlin->offsetAt(utc("2024-03-31T01:00:00Z")), 7200);
  EXPECT_EQ(berlin->offsetAt(utc("2024-10-27T00:59:59Z")), 7200);
  EXPECT_EQ(berlin->offsetAt(utc("2024-10-27T01:00:00Z")), 3600);
  auto india = TimeZone::load("<+0530>-5:30");
  ASSERT_TRUE(india.ok());
  EXPECT_EQ(india->offsetAt(0), 19800);
  auto sydney = TimeZone::load("AEST-10AEDT,M10.1.0,M4.1.0/3");  // southern hemisphere
  ASSERT_TRUE(sydney.ok());
  EXPECT_EQ(sydney->offsetAt(utc("2024-01-15T00:00:00Z")), 11 * 3600);
  EXPECT_EQ(sydney->offsetAt(utc("2024-07-15T00:00:00Z")), 10 * 3600);
  EXPECT_FALSE(TimeZone::load("EST5EDT,M13.1.0,M11.1.0").ok());
  EXPECT_FALSE(TimeZone::load("../../etc/passwd").ok());
}

TEST(TransformTimeZone, ZoneFilesWhenInstalled) {
  const char* dir = std::getenv("TZDIR");
  const std::string base = dir && *dir ? dir : "/usr/share/zoneinfo";
  if (!std::filesystem::exists(base + "/America/New_York")) {
    GTEST_SKIP() << "no zone files in " << base << " (the tzdata package)";
  }
  auto ny = TimeZone::load("America/New_York");
  ASSERT_TRUE(ny.ok()) << ny.error().message();
  EXPECT_EQ(ny->offsetAt(utc("2024-01-15T12:00:00Z")), -5 * 3600);
  EXPECT_EQ(ny->offsetAt(utc("2024-07-15T12:00:00Z")), -4 * 3600);
  EXPECT_EQ(ny->offsetAt(utc("2060-07-15T12:00:00Z")), -4 * 3600);  // past the listed ones
  EXPECT_EQ(ny->offsetAt(utc("1960-07-15T12:00:00Z")), -4 * 3600);
  auto missing = TimeZone::load("Nowhere/Atlantis");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message().find("unknown time zone 'Nowhere/Atlantis'"),
            std::string::npos);
}

TEST(TransformDateTime, FormatTokens) {
  const TimestampNs t = *parseTimestamp("2024-03-05T14:07:09.123Z");
  const TimeZone utcZone;
  EXPECT_EQ(formatDateTime("YYYY-MM-DDTHH:mm:ss.SSSZ", t, utcZone),
            "2024-03-05T14:07:09.123+00:00");
  EXPECT_EQ(formatDateTime("YY/M/D h:m:s A", t, utcZone), "24/3/5 2:7:9 PM");
  EXPECT_EQ(formatDateTime("dddd, MMMM D [at] HH:mm", t, utcZone), "Tuesday, March 5 at 14:07");
  EXPECT_EQ(formatDateTime("ddd MMM", t, utcZone), "Tue Mar");
  EXPECT_EQ(formatDateTime("X x", t, utcZone), "1709647629 1709647629123");
  auto ny = TimeZone::load(kNewYorkRule);
  ASSERT_TRUE(ny.ok());
  EXPECT_EQ(formatDateTime("YYYY-MM-DD HH:mm ZZ", t, *ny), "2024-03-05 09:07 -0500");
}

}  // namespace
}  // namespace spindle::transform
