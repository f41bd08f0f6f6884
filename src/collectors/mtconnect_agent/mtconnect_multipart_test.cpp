// The multipart splitter: both agent generations' framing, any piece size.

#include "collectors/mtconnect_agent/mtconnect_multipart.hpp"

#include <gtest/gtest.h>

namespace spindle::collectors::mtconnect_agent {
namespace {

std::string part(const std::string& body, bool withLength, bool legacyCase) {
  std::string p = "--xyz\r\n";
  p += legacyCase ? "Content-type: text/xml\r\n" : "Content-Type: text/xml\r\n";
  if (withLength) {
    p += (legacyCase ? "Content-length: " : "Content-Length: ") + std::to_string(body.size()) +
         "\r\n";
  }
  return p + "\r\n" + body + "\r\n";
}

TEST(MtconnectMultipart, Boundary) {
  EXPECT_EQ(multipartBoundary("multipart/x-mixed-replace;boundary=abc"), "abc");
  EXPECT_EQ(multipartBoundary("multipart/mixed; boundary=\"a b\"; charset=x"), "a b");
  EXPECT_FALSE(multipartBoundary("text/xml").has_value());
  EXPECT_FALSE(multipartBoundary("multipart/mixed").has_value());
}

TEST(MtconnectMultipart, EveryPieceSizeGivesTheSameParts) {
  const std::vector<std::string> docs{"<a>1</a>", "<b>--xy</b>", std::string(5000, 'x')};
  for (bool withLength : {true, false}) {
    std::string stream;
    for (const auto& d : docs) stream += part(d, withLength, withLength);
    stream += "--xyz--\r\n";
    for (size_t piece : {1, 2, 7, 64, 100000}) {
      SCOPED_TRACE(piece);
      MultipartSplitter splitter("xyz", 1 << 20);
      std::vector<std::string> parts;
      for (size_t i = 0; i < stream.size(); i += piece) {
        ASSERT_TRUE(splitter.feed(std::string_view(stream).substr(i, piece), parts).ok());
      }
      EXPECT_EQ(parts, docs);
      EXPECT_TRUE(splitter.finished());
    }
  }
}

TEST(MtconnectMultipart, OversizedPartIsAnError) {
  MultipartSplitter splitter("xyz", 10);
  std::vector<std::string> parts;
  EXPECT_FALSE(splitter.feed(part(std::string(100, 'x'), true, false), parts).ok());
}

}  // namespace
}  // namespace spindle::collectors::mtconnect_agent
