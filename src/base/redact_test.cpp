#include "base/redact.hpp"

#include <gtest/gtest.h>

namespace spindle {
namespace {

TEST(RedactUrl, HidesThePasswordAndKeepsTheRest) {
  EXPECT_EQ(redactUrl("nats://edge:s3cret@hub.example.com:4222"),
            "nats://edge:<redacted>@hub.example.com:4222");
  EXPECT_EQ(redactUrl("http://admin:pa:ss@10.0.0.5:5000/mtconnect/current"),
            "http://admin:<redacted>@10.0.0.5:5000/mtconnect/current");
}

TEST(RedactUrl, HidesALoneToken) {
  EXPECT_EQ(redactUrl("tls://t0kenXYZ@hub:4222"), "tls://<redacted>@hub:4222");
}

TEST(RedactUrl, LeavesUrlsWithoutCredentialsAndOtherTextAlone) {
  for (const char* text : {"nats://127.0.0.1:4222", "http://host/path?a=b@c", "plain text",
                           "mail me@example.com", "://x@y", ""}) {
    EXPECT_EQ(redactUrl(text), text) << text;
    EXPECT_FALSE(hasUrlCredentials(text)) << text;
  }
}

TEST(RedactUrl, HidesEveryUrlInALongerText) {
  const std::string line =
      "cloud link: NATS uplink to nats://a:pw1@h1:4222, tls://b:pw2@h2:4222 as edge e1; "
      "[nats://c:pw3@[::1]:4222] \"http://d:pw4@agent:5000\"";
  const std::string out = redactUrl(line);
  for (const char* secret : {"pw1", "pw2", "pw3", "pw4"}) {
    EXPECT_EQ(out.find(secret), std::string::npos) << out;
  }
  EXPECT_NE(out.find("nats://a:<redacted>@h1:4222, tls://b:<redacted>@h2:4222"), std::string::npos)
      << out;
  EXPECT_NE(out.find("[::1]:4222]"), std::string::npos) << out;
  EXPECT_TRUE(hasUrlCredentials(line));
  EXPECT_FALSE(hasUrlCredentials(out));
}

TEST(RedactUrl, IsIdempotent) {
  const std::string once = redactUrl("nats://edge:s3cret@hub:4222 nats://tok@hub2");
  EXPECT_EQ(redactUrl(once), once);
}

}  // namespace
}  // namespace spindle
