#include "base/log_limiter.hpp"

#include <gtest/gtest.h>

namespace spindle {
namespace {

TEST(Printable, EscapesControlBytesSoNoLineCanBeForged) {
  EXPECT_EQ(printable("plain text, ünïcode"), "plain text, ünïcode");
  EXPECT_EQ(printable(std::string_view("a\r\nb\tc\x1b[31m\x7f\\", 13)),
            "a\\r\\nb\\tc\\x1b[31m\\x7f\\\\");
  EXPECT_EQ(printable(std::string_view("x\0y", 3)), "x\\x00y");
  EXPECT_EQ(printable(std::string(300, 'a'), 10), "aaaaaaaaaa...(290 more bytes)");
}

TEST(LogLimiter, LetsABurstThroughPerWindowAndCountsTheRest) {
  LogLimiter limiter(3, std::chrono::seconds(60));
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  std::uint64_t suppressed = 0;
  int allowed = 0;
  for (int i = 0; i < 100; ++i)
    allowed += limiter.allow(t0 + std::chrono::milliseconds(i), suppressed);
  EXPECT_EQ(allowed, 3);
  EXPECT_EQ(limiter.suppressedTotal(), 97u);
  // The next window opens: the first call learns how many were left out.
  EXPECT_TRUE(limiter.allow(t0 + std::chrono::seconds(61), suppressed));
  EXPECT_EQ(suppressed, 97u);
  EXPECT_TRUE(limiter.allow(t0 + std::chrono::seconds(62), suppressed));
  EXPECT_EQ(suppressed, 0u);
}

}  // namespace
}  // namespace spindle
