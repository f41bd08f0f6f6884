#include "upload/s3_xml.hpp"

#include <gtest/gtest.h>

#include "upload/s3_session.hpp"

namespace spindle::upload {
namespace {

TEST(S3Xml, ParsesInitiateMultipartUploadResult) {
  auto id = parseUploadId(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult "
      "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>example-bucket</Bucket>"
      "<Key>example-object</Key><UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9h"
      "ZA</UploadId></InitiateMultipartUploadResult>");
  ASSERT_TRUE(id) << id.error().describe();
  EXPECT_EQ(*id, "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");
  EXPECT_FALSE(parseUploadId("<InitiateMultipartUploadResult/>"));
  EXPECT_FALSE(parseUploadId("not xml"));
}

TEST(S3Xml, ParsesListPartsResult) {
  const auto page = parseListParts(
      "<ListPartsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>b</Bucket>"
      "<Key>k</Key><UploadId>u</UploadId><PartNumberMarker>1</PartNumberMarker>"
      "<NextPartNumberMarker>3</NextPartNumberMarker><MaxParts>2</MaxParts>"
      "<IsTruncated>true</IsTruncated>"
      "<Part><PartNumber>2</PartNumber><LastModified>2010-11-10T20:48:34.000Z</LastModified>"
      "<ETag>\"7778aef83f66abc1fa1e8477f296d394\"</ETag><Size>10485760</Size></Part>"
      "<Part><PartNumber>3</PartNumber><ETag>\"aaaa18db4cc2f85cedef654fccc4a4x8\"</ETag>"
      "<Size>10485760</Size></Part></ListPartsResult>");
  ASSERT_TRUE(page) << page.error().describe();
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->nextMarker, 3);
  ASSERT_EQ(page->parts.size(), 2u);
  EXPECT_EQ(page->parts[0].number, 2);
  EXPECT_EQ(page->parts[0].etag, "\"7778aef83f66abc1fa1e8477f296d394\"");
  EXPECT_EQ(page->parts[1].size, 10485760u);
  EXPECT_FALSE(
      parseListParts("<ListPartsResult><Part><PartNumber>0</PartNumber></Part>"
                     "</ListPartsResult>"));
  EXPECT_FALSE(parseListParts("<Error/>"));
}

TEST(S3Xml, ParsesErrorBodies) {
  const auto e = parseErrorBody(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The "
      "resource you requested does not exist</Message><Resource>/mybucket/myfoto.jpg</Resource>"
      "<RequestId>4442587FB7D0A2F9</RequestId></Error>");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "NoSuchKey");
  EXPECT_EQ(e->message, "The resource you requested does not exist");
  EXPECT_FALSE(parseErrorBody("<CompleteMultipartUploadResult/>"));
  EXPECT_FALSE(parseErrorBody(""));
}

TEST(S3Xml, BuildsTheCompleteBodyInPartOrder) {
  EXPECT_EQ(completeMultipartBody({{2, "\"b\""}, {1, "\"a&\""}}),
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Part><PartNumber>1</PartNumber><ETag>&quot;a&amp;&quot;</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>&quot;b&quot;</ETag></Part>"
            "</CompleteMultipartUpload>");
}

net::http::HttpResponse answer(int status, std::string body) {
  net::http::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(S3Classify, WrongCredentialsAreRefusedWithAClearMessage) {
  for (const char* code : {"InvalidAccessKeyId", "SignatureDoesNotMatch"}) {
    const S3Reply reply = classify(
        answer(403, std::string("<Error><Code>") + code + "</Code><Message>m</Message></Error>"),
        "PutObject b/k");
    EXPECT_EQ(reply.outcome, S3Outcome::kReject);
    ASSERT_TRUE(reply.error);
    EXPECT_NE(
        reply.error->describe().find(std::string("S3 refused the access key / signature (") + code +
                                     "): check uploads.access_key_id and the secret file"),
        std::string::npos)
        << reply.error->describe();
  }
}

TEST(S3Classify, SortsAnswersIntoRetryRestartRejectAndUnsupported) {
  EXPECT_EQ(classify(answer(200, ""), "x").outcome, S3Outcome::kOk);
  EXPECT_EQ(classify(answer(503, "<Error><Code>SlowDown</Code></Error>"), "x").outcome,
            S3Outcome::kRetry);
  EXPECT_EQ(classify(answer(200, "<Error><Code>InternalError</Code></Error>"), "x").outcome,
            S3Outcome::kRetry);
  EXPECT_EQ(classify(answer(404, "<Error><Code>NoSuchUpload</Code></Error>"), "x").outcome,
            S3Outcome::kRestart);
  EXPECT_EQ(classify(answer(404, "<Error><Code>NoSuchBucket</Code></Error>"), "x").outcome,
            S3Outcome::kReject);
  EXPECT_EQ(classify(answer(405, "<Error><Code>MethodNotAllowed</Code></Error>"), "x").outcome,
            S3Outcome::kUnsupported);
  EXPECT_EQ(classify(answer(400, "<Error><Code>BadDigest</Code></Error>"), "x").outcome,
            S3Outcome::kRetry);
  net::http::HttpResponse lost;
  lost.error = Error(ErrorCode::kUnavailable, "connection reset");
  EXPECT_EQ(classify(lost, "x").outcome, S3Outcome::kRetry);
}

}  // namespace
}  // namespace spindle::upload
