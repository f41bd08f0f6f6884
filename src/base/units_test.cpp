#include "base/units.hpp"

#include <gtest/gtest.h>

namespace spindle {
namespace {

TEST(Units, ParsesDurationsWithUnits) {
  EXPECT_EQ(parseDuration("250ms").value(), std::chrono::milliseconds(250));
  EXPECT_EQ(parseDuration("1.5s").value(), std::chrono::milliseconds(1500));
  EXPECT_EQ(parseDuration(" 2m ").value(), std::chrono::minutes(2));
  EXPECT_EQ(parseDuration("1h").value(), std::chrono::hours(1));
  EXPECT_EQ(parseDuration("10us").value(), std::chrono::microseconds(10));
}

TEST(Units, RejectsDurationsWithoutOrWithUnknownUnits) {
  auto bare = parseDuration("5");
  ASSERT_FALSE(bare.ok());
  EXPECT_NE(bare.error().message().find("no unit"), std::string::npos);
  EXPECT_FALSE(parseDuration("5 fortnights").ok());
  EXPECT_FALSE(parseDuration("fast").ok());
  EXPECT_FALSE(parseDuration("-1s").ok());
}

TEST(Units, RefusesSizesAndDurationsTooLargeToHold) {
  auto size = parseByteSize("99999999999 TB");
  ASSERT_FALSE(size.ok());
  EXPECT_NE(size.error().message().find("too large"), std::string::npos);
  EXPECT_FALSE(parseByteSize("20000000000000000000").ok());
  EXPECT_FALSE(parseByteSize("1e300GiB").ok());
  EXPECT_EQ(parseByteSize("1TiB").value().bytes, 1ULL << 40);
  auto duration = parseDuration("999999999d");
  ASSERT_FALSE(duration.ok());
  EXPECT_NE(duration.error().message().find("too long"), std::string::npos);
  EXPECT_EQ(parseDuration("36500d").value(), std::chrono::hours(24 * 36500));
}

TEST(Units, ParsesSizes) {
  EXPECT_EQ(parseByteSize("512").value().bytes, 512u);
  EXPECT_EQ(parseByteSize("64KiB").value().bytes, 65536u);
  EXPECT_EQ(parseByteSize("2GiB").value().bytes, 2ULL << 30);
  EXPECT_EQ(parseByteSize("10MB").value().bytes, 10'000'000u);
  EXPECT_FALSE(parseByteSize("10 parsecs").ok());
}

TEST(Units, FormatsRoundTrip) {
  EXPECT_EQ(formatDuration(std::chrono::milliseconds(1500)), "1500ms");
  EXPECT_EQ(formatDuration(std::chrono::seconds(120)), "2m");
  EXPECT_EQ(formatByteSize(ByteSize{1ULL << 20}), "1MiB");
  EXPECT_EQ(formatByteSize(ByteSize{1000}), "1000B");
}

}  // namespace
}  // namespace spindle
