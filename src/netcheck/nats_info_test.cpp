#include "netcheck/nats_info.hpp"

#include <gtest/gtest.h>

namespace spindle::netcheck {
namespace {

TEST(NetcheckNatsInfo, ReadsTheLeafnodeGreeting) {
  auto info = parseNatsInfo(
      "INFO {\"server_id\":\"N1\",\"server_name\":\"hub\",\"version\":\"2.9.10\",\"proto\":1,"
      "\"tls_required\":true,\"auth_required\":true,\"max_payload\":1048576,"
      "\"leafnode_urls\":[\"127.0.0.1:7422\"]} \r\n");
  ASSERT_TRUE(info.ok()) << info.error().describe();
  EXPECT_EQ(info->serverName, "hub");
  EXPECT_EQ(info->version, "2.9.10");
  EXPECT_TRUE(info->tlsRequired);
  EXPECT_TRUE(info->authRequired);
  EXPECT_TRUE(info->leafnode);
  EXPECT_EQ(info->maxPayload, 1048576u);
}

TEST(NetcheckNatsInfo, ExplainsWhatElseAnswered) {
  auto http = parseNatsInfo("HTTP/1.1 400 Bad Request\r\n");
  ASSERT_FALSE(http.ok());
  EXPECT_NE(http.error().message().find("sent 'HTTP/1.1 400"), std::string::npos);
  auto tls = parseNatsInfo(std::string("\x16\x03\x01\x00", 4));
  ASSERT_FALSE(tls.ok());
  EXPECT_NE(tls.error().message().find("TLS first"), std::string::npos);
  EXPECT_FALSE(parseNatsInfo("INFO {not json}\r\n").ok());
  EXPECT_FALSE(parseNatsInfo("INFO {\"tls_required\":\"yes\"}\r\n").ok());
}

}  // namespace
}  // namespace spindle::netcheck
