#include "app/cloud_servers.hpp"

#include <gtest/gtest.h>

namespace spindle::app {
namespace {

ResolveHost table(std::vector<std::string>* asked) {
  return [asked](const std::string& host, std::uint16_t) -> Result<std::string> {
    asked->push_back(host);
    if (host == "hub.example.com") return std::string("192.0.2.7");
    if (host == "hub2.example.com") return std::string("192.0.2.8");
    return Error(ErrorCode::kUnavailable, "no DNS server answered");
  };
}

TEST(CloudServers, NamedServersGetTheirChainAddressFirstAndKeepTheirName) {
  std::vector<std::string> asked;
  const auto r = resolveServers(
      {"nats://u:p@hub.example.com:7422", "nats://10.1.2.3:7422", "nats://gone.example.com"}, false,
      table(&asked));
  EXPECT_EQ(r.servers, (std::vector<std::string>{
                           "nats://u:p@192.0.2.7:7422", "nats://u:p@hub.example.com:7422",
                           "nats://10.1.2.3:7422", "nats://gone.example.com"}));
  EXPECT_EQ(asked, (std::vector<std::string>{"hub.example.com", "gone.example.com"}));
  EXPECT_EQ(r.expectedHostname, "");  // no TLS: nothing to check
  ASSERT_EQ(r.notes.size(), 2u);
  EXPECT_NE(r.notes[1].find("left to the system resolver"), std::string::npos);
}

TEST(CloudServers, TlsChecksTheCertificateAgainstTheName) {
  std::vector<std::string> asked;
  const auto r = resolveServers({"tls://hub.example.com:7422"}, false, table(&asked));
  EXPECT_EQ(r.servers.front(), "tls://192.0.2.7:7422");
  EXPECT_EQ(r.expectedHostname, "hub.example.com");
  // One expected name per connection: TLS servers of two names are left alone.
  const auto two = resolveServers({"nats://hub.example.com:7422", "nats://hub2.example.com:7422"},
                                  true, table(&asked));
  EXPECT_EQ(two.servers, (std::vector<std::string>{"nats://hub.example.com:7422",
                                                   "nats://hub2.example.com:7422"}));
  EXPECT_EQ(two.expectedHostname, "");
}

}  // namespace
}  // namespace spindle::app
