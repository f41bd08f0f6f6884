#include "collectors/host_syntax.hpp"

#include <gtest/gtest.h>

namespace spindle::collectors {
namespace {

TEST(HostSyntax, AddressesAndNamesPass) {
  for (const char* host : {"10.0.0.3", "192.168.1.20", "255.255.255.255", "::1", "fd00::20",
                           "localhost", "mill-1.plant.local", "mill_2", "cnc7.", "1.2.3.example"}) {
    EXPECT_EQ(hostProblem(host), "") << host;
  }
}

TEST(HostSyntax, InvalidAddressesAreRefused) {
  for (const char* host :
       {"10.0.0.300", "10.0.0", "1.2.3.4.5", "256.1.1.1", "10..0.1", "::g", "[::1]", "1:2:3"}) {
    EXPECT_NE(hostProblem(host), "") << host;
  }
  EXPECT_NE(hostProblem("10.0.0.300").find("IPv4"), std::string::npos);
}

TEST(HostSyntax, MalformedNamesAreRefused) {
  for (const char* host : {"", "mill 1", "-mill", "mill-", "a..b", ".a", "http://mill", "mill/1"}) {
    EXPECT_NE(hostProblem(host), "") << host;
  }
  EXPECT_NE(hostProblem(std::string(64, 'a') + ".local"), "");
  EXPECT_EQ(hostProblem(std::string(63, 'a') + ".local"), "");
}

}  // namespace
}  // namespace spindle::collectors
