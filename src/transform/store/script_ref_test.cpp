#include "transform/store/script_ref.hpp"

#include <gtest/gtest.h>

namespace spindle::transform::store {
namespace {

TEST(StoreScriptRef, ParsesNameAndVersion) {
  auto ref = parseScriptRef("store:haas-ngc@3.1");
  ASSERT_TRUE(ref) << ref.error().describe();
  EXPECT_EQ(ref->name, "haas-ngc");
  ASSERT_TRUE(ref->version);
  EXPECT_EQ(ref->version->parts, (std::vector<std::uint32_t>{3, 1}));
  EXPECT_EQ(ref->text(), "store:haas-ngc@3.1");
}

TEST(StoreScriptRef, WithoutAVersionMeansTheLatest) {
  auto ref = parseScriptRef("store:okuma_osp.v2");
  ASSERT_TRUE(ref) << ref.error().describe();
  EXPECT_EQ(ref->name, "okuma_osp.v2");
  EXPECT_FALSE(ref->version);
  EXPECT_EQ(ref->text(), "store:okuma_osp.v2");
}

TEST(StoreScriptRef, RefusesMalformedReferences) {
  for (const char* bad :
       {"store:", "store:@3", "store:../etc@1", "store:.hidden", "store:-x", "store:a b@1",
        "store:a/b@1", "store:x@", "store:x@3.", "store:x@.3", "store:x@03", "store:x@v3",
        "store:x@1.2.3.4.5", "store:x@1234567890", "store:x@3@4", "haas-ngc@3"}) {
    auto ref = parseScriptRef(bad);
    EXPECT_FALSE(ref) << bad << " parsed as " << ref->text();
    if (!ref) {
      EXPECT_EQ(ref.error().code(), ErrorCode::kInvalidArgument) << bad;
    }
  }
  EXPECT_FALSE(parseScriptRef("store:" + std::string(65, 'a')));
  EXPECT_TRUE(parseScriptRef("store:" + std::string(64, 'a')));
}

TEST(StoreScriptRef, MessagesSayWhatIsWrong) {
  auto ref = parseScriptRef("store:haas-ngc@3x");
  ASSERT_FALSE(ref);
  EXPECT_NE(ref.error().describe().find("store:haas-ngc@3x"), std::string::npos)
      << ref.error().describe();
  EXPECT_NE(ref.error().describe().find("only digits and dots"), std::string::npos)
      << ref.error().describe();
}

TEST(StoreScriptRef, VersionsCompareNumberByNumber) {
  auto v = [](const char* text) { return StoreVersion::parse(text).value(); };
  EXPECT_LT(v("3"), v("3.0"));
  EXPECT_LT(v("3.0"), v("3.1"));
  EXPECT_LT(v("3.1"), v("10"));
  EXPECT_LT(v("9.99"), v("10.0"));
  EXPECT_EQ(v("0"), v("0"));
  EXPECT_EQ(v("2024.6.1").text(), "2024.6.1");
}

TEST(StoreScriptRef, RecognizesStoreValues) {
  EXPECT_TRUE(namesStoreScript("store:x@1"));
  EXPECT_TRUE(namesStoreScript("store:"));
  EXPECT_FALSE(namesStoreScript("scripts/store:x.yaml"));
  EXPECT_FALSE(namesStoreScript("none"));
}

}  // namespace
}  // namespace spindle::transform::store
