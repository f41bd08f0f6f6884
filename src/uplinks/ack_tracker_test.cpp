#include "uplinks/ack_tracker.hpp"

#include <gtest/gtest.h>

namespace spindle::uplinks {
namespace {

TEST(NatsAckTracker, InOrderAcksMoveTheWatermark) {
  AckTracker t(10);
  t.markAcked(10, 20);
  t.markAcked(20, 25);
  EXPECT_EQ(t.watermark(), 25u);
  EXPECT_TRUE(t.ranges().empty());
}

TEST(NatsAckTracker, OutOfOrderAcksWaitForTheGap) {
  AckTracker t(0);
  t.markAcked(30, 40);  // live lane
  t.markAcked(10, 20);
  EXPECT_EQ(t.watermark(), 0u);
  EXPECT_EQ(t.ranges().size(), 2u);
  EXPECT_FALSE(t.isAcked(5));
  EXPECT_TRUE(t.isAcked(15));
  EXPECT_FALSE(t.isAcked(25));
  EXPECT_TRUE(t.isAcked(39));
  EXPECT_FALSE(t.isAcked(40));
  EXPECT_EQ(t.nextUnacked(10), 20u);
  EXPECT_EQ(t.nextUnacked(32), 40u);
  EXPECT_EQ(t.nextAcked(0), std::optional<std::uint64_t>(10));
  EXPECT_EQ(t.nextAcked(15), std::optional<std::uint64_t>(30));
  EXPECT_EQ(t.nextAcked(35), std::nullopt);
  t.markAcked(20, 30);
  t.markAcked(0, 10);
  EXPECT_EQ(t.watermark(), 40u);
  EXPECT_TRUE(t.ranges().empty());
}

TEST(NatsAckTracker, OverlappingAndRepeatedAcksMerge) {
  AckTracker t(0);
  t.markAcked(10, 20);
  t.markAcked(15, 30);
  t.markAcked(12, 14);
  t.markAcked(40, 50);
  t.markAcked(30, 40);
  ASSERT_EQ(t.ranges().size(), 1u);
  EXPECT_EQ(t.ranges().begin()->first, 10u);
  EXPECT_EQ(t.ranges().begin()->second, 50u);
  t.markAcked(5, 5);  // empty
  t.markAcked(0, 3);
  EXPECT_EQ(t.watermark(), 3u);
}

TEST(NatsAckTracker, SkipToFoldsRangesIn) {
  AckTracker t(0);
  t.markAcked(10, 20);
  t.markAcked(30, 40);
  t.skipTo(12);
  EXPECT_EQ(t.watermark(), 20u);
  t.skipTo(35);
  EXPECT_EQ(t.watermark(), 40u);
  EXPECT_TRUE(t.ranges().empty());
  t.skipTo(1);
  EXPECT_EQ(t.watermark(), 40u);
}

TEST(NatsAckTracker, SerializesAndParses) {
  AckTracker t(100);
  t.markAcked(200, 300);
  t.markAcked(400, 450);
  const std::string text = t.serialize();
  EXPECT_EQ(text, "v1 100 200-300 400-450");
  auto back = AckTracker::parse(text);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->watermark(), 100u);
  EXPECT_EQ(back->ranges(), t.ranges());
  EXPECT_EQ(t.serialize(1), "v1 100 200-300");
  EXPECT_TRUE(AckTracker::parse("v1 7\n").has_value());
}

TEST(NatsAckTracker, RejectsMalformedCursors) {
  for (const char* bad : {"", "v2 1", "v1 x", "v1 1 5", "v1 1 5-", "v1 1 9-3", "v1 1,2-3"}) {
    EXPECT_FALSE(AckTracker::parse(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace spindle::uplinks
