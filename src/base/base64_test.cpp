#include "base/base64.hpp"

#include <gtest/gtest.h>

namespace spindle {
namespace {

TEST(Base64, EncodesAndDecodesTheRfcVectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64Encode(plain), encoded);
    auto decoded = base64Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
  const std::string bytes("\x00\xff\x10\x80", 4);
  EXPECT_EQ(base64Decode(base64Encode(bytes)).value(), bytes);
  EXPECT_EQ(base64Decode("Zm9v\nYmFy ").value(), "foobar");
}

TEST(Base64, RefusesWhatIsNotBase64) {
  for (const char* bad : {"Zm9", "Zm9v!", "Zg==Zm9v", "Z===", "Zm=v"}) {
    EXPECT_FALSE(base64Decode(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace spindle
