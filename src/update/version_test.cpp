#include "update/version.hpp"

#include <gtest/gtest.h>

namespace spindle::update {
namespace {

Version v(const char* text) {
  auto parsed = Version::parse(text);
  EXPECT_TRUE(parsed) << text;
  return parsed ? *parsed : Version{};
}

TEST(UpdateVersion, OrdersAsSemanticVersioningDoes) {
  EXPECT_LT(v("1.9.0"), v("1.10.0"));
  EXPECT_LT(v("1.0.0"), v("2.0.0"));
  EXPECT_LT(v("2.0.0-rc.1"), v("2.0.0"));
  EXPECT_LT(v("2.0.0-alpha"), v("2.0.0-alpha.1"));
  EXPECT_LT(v("2.0.0-alpha.2"), v("2.0.0-alpha.10"));
  EXPECT_LT(v("2.0.0-1"), v("2.0.0-alpha"));
  EXPECT_EQ(v("0.1.0"), v("0.1.0"));
  EXPECT_EQ(v("3.4.5-rc.1").text(), "3.4.5-rc.1");
}

TEST(UpdateVersion, RefusesWhatIsNotAVersionOrCouldEscapeItsFolder) {
  for (const char* bad : {"", "1", "1.2", "1.2.3.4", "01.2.3", "1.2.x", "1.2.3-", "1.2.3+build",
                          "../1.2.3", "1.2.3-a/b", "1.2.3-a..b"}) {
    EXPECT_FALSE(Version::parse(bad)) << bad;
  }
}

}  // namespace
}  // namespace spindle::update
