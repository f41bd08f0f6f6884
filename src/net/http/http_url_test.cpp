#include "net/http/http_url.hpp"

#include <gtest/gtest.h>

namespace spindle::net::http {
namespace {

TEST(HttpClientUrl, SplitsHostPortAndPath) {
  auto u = parseUrl("https://api.example.com:8443/v1/batches?x=1#top");
  ASSERT_TRUE(u) << u.error().describe();
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "api.example.com");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->path, "/v1/batches");
}

TEST(HttpClientUrl, DefaultsThePortByScheme) {
  EXPECT_EQ(parseUrl("https://a.example")->port, 443);
  EXPECT_EQ(parseUrl("HTTP://a.example")->port, 80);
  EXPECT_EQ(parseUrl("HTTP://a.example")->scheme, "http");
  EXPECT_EQ(parseUrl("https://a.example")->path, "/");
}

TEST(HttpClientUrl, TakesIpv6InBracketsAndDropsUserinfo) {
  auto u = parseUrl("https://user:p%40ss@[fd00::1]:9000/x");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "fd00::1");
  EXPECT_EQ(u->port, 9000);
}

TEST(HttpClientUrl, RefusesWhatIsNotAUrl) {
  EXPECT_FALSE(parseUrl("api.example.com/v1"));
  EXPECT_FALSE(parseUrl("https:///path"));
  EXPECT_FALSE(parseUrl("https://host:0/"));
  EXPECT_FALSE(parseUrl("https://host:65536/"));
  EXPECT_FALSE(parseUrl("https://host:8x/"));
  EXPECT_FALSE(parseUrl("https://[::1/"));
}

TEST(HttpClientUrl, RedactionDropsQueryFragmentAndCredentials) {
  EXPECT_EQ(redactUrlForMessage("https://bucket.s3.example/key?X-Amz-Signature=abc&X-Amz-Credential"
                                "=AKIA#frag"),
            "https://bucket.s3.example:443/key");
  EXPECT_EQ(redactUrlForMessage("https://edge:s3cret@api.example:8443/v1?token=t0ken"),
            "https://api.example:8443/v1");
  EXPECT_EQ(redactUrlForMessage("https://[::1]:9/p"), "https://[::1]:9/p");
  EXPECT_EQ(redactUrlForMessage("not a url s3cret"), "<unparsable URL>");
}

TEST(HttpClientUrl, KnowsIpLiterals) {
  EXPECT_TRUE(isIpLiteral("127.0.0.1"));
  EXPECT_TRUE(isIpLiteral("::1"));
  EXPECT_FALSE(isIpLiteral("localhost"));
  EXPECT_FALSE(isIpLiteral("[::1]"));
}

}  // namespace
}  // namespace spindle::net::http
