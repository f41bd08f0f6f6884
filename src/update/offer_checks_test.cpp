// The checks before a download, each refusal on its own, with the free space injected.

#include "update/offer_checks.hpp"

#include <gtest/gtest.h>

#include "update/refusal.hpp"
#include "update/update_options.hpp"

namespace spindle::update {
namespace {

constexpr std::uint64_t kMiB = 1 << 20;

struct Case {
  Manifest manifest;
  UpdateState state;
  OfferContext context;
  Case() {
    manifest.version = Version::parse("2.0.0").value();
    manifest.size = 10 * kMiB;
    context.running = Version::parse("1.0.0").value();
    context.state = &state;
    context.freeBytes = 1000 * kMiB;
    context.maxSize = 256 * kMiB;
    context.margin = 64 * kMiB;
  }
  std::optional<Reason> check() const {
    auto s = checkOffer(manifest, context);
    return s ? std::nullopt : reasonOf(s.error());
  }
};

TEST(UpdateOfferChecks, ANewerVersionWithRoomIsTaken) { EXPECT_EQ(Case().check(), std::nullopt); }

TEST(UpdateOfferChecks, ADowngradeOnlyWhenSignedAsARollback) {
  Case c;
  c.manifest.version = Version::parse("0.9.0").value();
  EXPECT_EQ(c.check(), Reason::kDowngrade);
  c.manifest.rollback = true;
  EXPECT_EQ(c.check(), std::nullopt);
}

TEST(UpdateOfferChecks, MinVersionAboveTheRunningOneIsRefused) {
  Case c;
  c.manifest.minVersion = Version::parse("1.5.0").value();
  EXPECT_EQ(c.check(), Reason::kMinVersion);
  c.context.running = Version::parse("1.5.0").value();
  EXPECT_EQ(c.check(), std::nullopt);
}

TEST(UpdateOfferChecks, AVersionThatFailedHereIsNeverTakenAgain) {
  Case c;
  c.state.failed = {"2.0.0"};
  EXPECT_EQ(c.check(), Reason::kFailedBefore);
}

TEST(UpdateOfferChecks, DiskSpaceNeedsTwiceTheSizePlusTheMargin) {
  Case c;
  c.context.freeBytes = 2 * 10 * kMiB + 64 * kMiB;  // exactly enough
  EXPECT_EQ(c.check(), std::nullopt);
  c.context.freeBytes -= 1;
  EXPECT_EQ(c.check(), Reason::kDiskFull);
  auto s = checkOffer(c.manifest, c.context);
  EXPECT_NE(s.error().message().find("disk_margin"), std::string::npos) << s.error().message();
}

TEST(UpdateOfferChecks, LargerThanMaxSizeIsRefused) {
  Case c;
  c.manifest.size = 300 * kMiB;
  c.context.freeBytes = 10000 * kMiB;
  EXPECT_EQ(c.check(), Reason::kTooLarge);
}

TEST(UpdateWindow, ContainsItsMinutesAndWrapsPastMidnight) {
  const auto night = Window::parse("02:00-04:00");
  ASSERT_TRUE(night);
  EXPECT_TRUE(night->contains(2 * 60));
  EXPECT_TRUE(night->contains(3 * 60 + 59));
  EXPECT_FALSE(night->contains(4 * 60));
  EXPECT_FALSE(night->contains(1 * 60 + 59));
  const auto wrap = Window::parse("22:00-04:00");
  ASSERT_TRUE(wrap);
  EXPECT_TRUE(wrap->contains(23 * 60));
  EXPECT_TRUE(wrap->contains(60));
  EXPECT_FALSE(wrap->contains(12 * 60));
  for (const char* bad : {"2-4", "25:00-04:00", "02:00-04:60", "02:00-04:00x", ""}) {
    EXPECT_FALSE(Window::parse(bad)) << bad;
  }
}

}  // namespace
}  // namespace spindle::update
