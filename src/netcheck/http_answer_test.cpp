#include "netcheck/http_answer.hpp"

#include <gtest/gtest.h>

namespace spindle::netcheck {
namespace {

TEST(NetcheckHttpAnswer, ReadsStatusAndHeaders) {
  auto a = parseHttpHead(
      "HTTP/1.1 403 Forbidden\r\nx-amz-request-id: 4F2\r\nServer:AmazonS3\r\n\r\n<Error/>");
  ASSERT_TRUE(a.ok()) << a.error().describe();
  EXPECT_EQ(a->status, 403);
  EXPECT_EQ(a->reason, "Forbidden");
  EXPECT_EQ(a->header("X-Amz-Request-Id"), "4F2");
  EXPECT_EQ(a->header("server"), "AmazonS3");
  EXPECT_FALSE(a->header("docker-distribution-api-version").has_value());
}

TEST(NetcheckHttpAnswer, AShortHeadStillGivesItsStatus) {
  auto a = parseHttpHead("HTTP/1.0 200 ok\r\nContent-type: text/html");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(a->header("content-type"), "text/html");
}

TEST(NetcheckHttpAnswer, SomethingElseIsNotHttp) {
  auto a = parseHttpHead("SSH-2.0-OpenSSH_9.2\r\n");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message().find("starts with 'SSH-2.0"), std::string::npos);
  EXPECT_FALSE(parseHttpHead("HTTP/1.1 abc nope\r\n").ok());
}

}  // namespace
}  // namespace spindle::netcheck
