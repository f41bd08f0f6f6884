// SigV4 against the example values AWS documents for S3 (access key AKIAIOSFODNN7EXAMPLE,
// 2013-05-24, bucket examplebucket) and for the signing key (IAM, 2012-02-15).

#include "upload/sigv4.hpp"

#include <gtest/gtest.h>

#include "upload/s3_digest.hpp"

namespace spindle::upload {
namespace {

const S3Credentials kAws{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                         "us-east-1", "s3"};
constexpr const char* kDate = "20130524T000000Z";
const std::string kEmptySha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(SigV4, SigningKeyMatchesTheDocumentedExample) {
  EXPECT_EQ(
      toHex(signingKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")),
      "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(SigV4, GetObjectMatchesTheDocumentedExample) {
  SigV4Request r;
  r.method = "GET";
  r.path = "/test.txt";
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"Range", "bytes=0-9"},
               {"x-amz-content-sha256", kEmptySha},
               {"x-amz-date", kDate}};
  r.payloadHash = kEmptySha;
  std::string names;
  const std::string canonical = canonicalRequest(r, &names);
  EXPECT_EQ(names, "host;range;x-amz-content-sha256;x-amz-date");
  EXPECT_EQ(sha256Hex(canonical),
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(authorization(kAws, r, kDate),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
            "aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature="
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, PutObjectMatchesTheDocumentedExample) {
  const std::string body = "Welcome to Amazon S3.";
  SigV4Request r;
  r.method = "PUT";
  r.path = "/test$file.text";
  r.payloadHash = sha256Hex(body);
  EXPECT_EQ(r.payloadHash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
               {"x-amz-date", kDate},
               {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
               {"x-amz-content-sha256", r.payloadHash}};
  EXPECT_NE(canonicalRequest(r).find("\n/test%24file.text\n"), std::string::npos);
  EXPECT_EQ(authorization(kAws, r, kDate),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
            "aws4_request,SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;"
            "x-amz-storage-class,Signature="
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4, ListObjectsQueryMatchesTheDocumentedExample) {
  SigV4Request r;
  r.method = "GET";
  r.path = "/";
  r.query = {{"prefix", "J"}, {"max-keys", "2"}};
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"x-amz-date", kDate},
               {"x-amz-content-sha256", kEmptySha}};
  r.payloadHash = kEmptySha;
  EXPECT_EQ(canonicalQuery(r.query), "max-keys=2&prefix=J");
  EXPECT_NE(authorization(kAws, r, kDate)
                .find("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
            std::string::npos);
}

TEST(SigV4, PresignedUrlMatchesTheDocumentedExample) {
  SigV4Request r;
  r.method = "GET";
  r.path = "/test.txt";
  const std::string url =
      presignUrl(kAws, "https://examplebucket.s3.amazonaws.com", "examplebucket.s3.amazonaws.com",
                 r, std::chrono::seconds(86400), kDate);
  EXPECT_EQ(url,
            "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&"
            "X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&"
            "X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&"
            "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(SigV4, EncodesPathsAndQueriesTheS3Way) {
  EXPECT_EQ(uriEncode("/bucket/a b/ü+x~y_z-.", false), "/bucket/a%20b/%C3%BC%2Bx~y_z-.");
  EXPECT_EQ(uriEncode("a/b=c", true), "a%2Fb%3Dc");
  EXPECT_EQ(canonicalQuery({{"uploadId", "x/y z"}, {"partNumber", "10"}, {"uploads", ""}}),
            "partNumber=10&uploadId=x%2Fy%20z&uploads=");
}

TEST(SigV4, TrimsHeaderValuesAndJoinsRepeatedHeaders) {
  SigV4Request r;
  r.headers = {{"X-Amz-Meta-A", "  one   two  "}, {"host", "h"}, {"x-amz-meta-a", "three"}};
  std::string names;
  const std::string canonical = canonicalRequest(r, &names);
  EXPECT_EQ(names, "host;x-amz-meta-a");
  EXPECT_NE(canonical.find("x-amz-meta-a:one two,three\n"), std::string::npos);
}

TEST(SigV4, SignHeadersAddsDateAndPayloadHash) {
  SigV4Request r;
  r.method = "PUT";
  r.path = "/b/k";
  r.headers = {{"host", "127.0.0.1:9000"}};
  r.payloadHash = kEmptySha;
  const auto added = signHeaders(kAws, r, kDate);
  ASSERT_EQ(added.size(), 3u);
  EXPECT_EQ(added[0].first, "x-amz-date");
  EXPECT_EQ(added[1], (std::pair<std::string, std::string>{"x-amz-content-sha256", kEmptySha}));
  EXPECT_NE(added[2].second.find("SignedHeaders=host;x-amz-content-sha256;x-amz-date,"),
            std::string::npos);
}

TEST(SigV4, AmzDateIsUtc) {
  EXPECT_EQ(amzDate(std::chrono::system_clock::time_point(std::chrono::seconds(1369353600))),
            kDate);
}

TEST(S3Digest, Md5AndSha256OfKnownText) {
  EXPECT_EQ(md5Base64(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
  EXPECT_EQ(sha256Hex(""), kEmptySha);
}

}  // namespace
}  // namespace spindle::upload
