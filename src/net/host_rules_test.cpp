#include "net/host_rules.hpp"

#include <gtest/gtest.h>

namespace spindle::net {
namespace {

TEST(HostRules, NetworksAllowAddressesInsideThem) {
  auto rules = HostRules::parse({"10.20.0.0/16", "192.168.1.20", "fd00::/8"});
  ASSERT_TRUE(rules.ok()) << rules.error().describe();
  EXPECT_TRUE(rules->allows("10.20.3.4"));
  EXPECT_TRUE(rules->allows("192.168.1.20"));
  EXPECT_TRUE(rules->allows("fd12::1"));
  EXPECT_TRUE(rules->allows("[fd12::1]"));
  EXPECT_TRUE(rules->allows("::ffff:10.20.9.9"));
  EXPECT_FALSE(rules->allows("10.21.0.1"));
  EXPECT_FALSE(rules->allows("192.168.1.21"));
  EXPECT_FALSE(rules->allows("127.0.0.1"));
  EXPECT_FALSE(rules->allows("169.254.169.254"));
  EXPECT_FALSE(rules->allows("::1"));
}

TEST(HostRules, NamesMustBeListedAndAreNeverResolved) {
  auto rules = HostRules::parse({"mill-3.plant.local", "*.cells.plant.local", "10.0.0.0/8"});
  ASSERT_TRUE(rules.ok());
  EXPECT_TRUE(rules->allows("MILL-3.plant.local"));
  EXPECT_TRUE(rules->allows("a.cells.plant.local"));
  EXPECT_FALSE(rules->allows("cells.plant.local"));
  EXPECT_FALSE(rules->allows("mill-4.plant.local"));
  EXPECT_FALSE(rules->allows("localhost"));  // even if it resolves into an allowed network
  EXPECT_FALSE(rules->allows("evil.example.com"));
  EXPECT_FALSE(rules->allows("a b"));
}

TEST(HostRules, NoRulesAllowEverything) {
  auto rules = HostRules::parse({});
  ASSERT_TRUE(rules.ok());
  EXPECT_TRUE(rules->empty());
  EXPECT_TRUE(rules->allows("anything.example.com"));
}

TEST(HostRules, RefusesEntriesThatAreNoneOfTheKinds) {
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0/", "mill/3", "a b", "*", "*.", "fd00::/129"}) {
    EXPECT_FALSE(HostRules::parse({bad}).ok()) << bad;
  }
}

}  // namespace
}  // namespace spindle::net
