#include "netcheck/target_map.hpp"

#include <gtest/gtest.h>

namespace spindle::netcheck {
namespace {

TEST(NetcheckTargetMap, MostSpecificRuleWins) {
  TargetMap map;
  ASSERT_TRUE(map.add("*=127.0.0.1:9000").ok());
  ASSERT_TRUE(map.add("*:443=127.0.0.1:8443").ok());
  ASSERT_TRUE(map.add("api.example.test=127.0.0.2:1443").ok());
  ASSERT_TRUE(map.add("API.example.test:7422=127.0.0.3:4222").ok());
  ASSERT_TRUE(map.add("8.8.8.8:53=127.0.0.1:5353").ok());
  ASSERT_TRUE(map.add("ntp.example.test=127.0.0.4").ok());
  EXPECT_EQ(map.find("api.example.test", 7422)->toString(), "127.0.0.3:4222");
  EXPECT_EQ(map.find("api.example.test", 443)->toString(), "127.0.0.2:1443");
  EXPECT_EQ(map.find("other.example.test", 443)->toString(), "127.0.0.1:8443");
  EXPECT_EQ(map.find("other.example.test", 80)->toString(), "127.0.0.1:9000");
  EXPECT_EQ(map.find("8.8.8.8", 53)->toString(), "127.0.0.1:5353");
  EXPECT_EQ(map.find("ntp.example.test", 123)->toString(), "127.0.0.4:123");
}

TEST(NetcheckTargetMap, NoRuleNoMapping) {
  TargetMap map;
  EXPECT_TRUE(map.empty());
  ASSERT_TRUE(map.add("a.test:443=[::1]:8443").ok());
  EXPECT_FALSE(map.find("a.test", 80).has_value());
  EXPECT_EQ(map.find("a.test", 443)->toString(), "[::1]:8443");
}

TEST(NetcheckTargetMap, RejectsMalformedRules) {
  TargetMap map;
  for (const char* bad : {"", "a.test", "=127.0.0.1:1", "a.test=", "a.test=host.test:1",
                          "a.test=127.0.0.1:0", "a.test:99999=127.0.0.1:1"}) {
    auto r = map.add(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.error().message().find("HOST=ADDR:PORT"), std::string::npos) << bad;
    }
  }
  EXPECT_TRUE(map.empty());
}

}  // namespace
}  // namespace spindle::netcheck
