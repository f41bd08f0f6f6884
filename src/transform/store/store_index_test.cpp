#include "transform/store/store_index.hpp"

#include <gtest/gtest.h>

#include "transform/store/testing/test_publisher.hpp"

namespace spindle::transform::store {
namespace {

using testing::TempDir;
using testing::TestPublisher;

const std::string kHash(64, 'a');

std::string indexWith(const std::string& entry) {
  return R"({"schema": "spindle.store.v1", "scripts": {"haas-ngc": {"3": )" + entry + "}}}";
}

TEST(StoreIndex, ParsesWhatSignIndexWrites) {
  const std::string bytes =
      TestPublisher::index({{"haas-ngc", {{"3", "three"}, {"10", "ten"}, {"3.1", "three one"}}},
                            {"okuma", {{"1", "o"}}}},
                           "2024-06-01T12:00:00Z");
  auto index = parseIndex(bytes);
  ASSERT_TRUE(index) << index.error().describe();
  EXPECT_EQ(index->bytes, bytes);
  EXPECT_EQ(index->published, "2024-06-01T12:00:00Z");
  ASSERT_EQ(index->scripts.size(), 2u);
  ASSERT_EQ(index->scripts["haas-ngc"].size(), 3u);
  const auto& three = index->scripts["haas-ngc"][StoreVersion::parse("3").value()];
  EXPECT_EQ(three.path, "haas-ngc/3.yaml");
  update::Sha256 h;
  h.update("three", 5);
  EXPECT_EQ(three.sha256, h.hex());
  EXPECT_EQ(three.size, 5u);
}

TEST(StoreIndex, FindsAVersionOrTheHighest) {
  auto index = parseIndex(
      TestPublisher::index({{"haas-ngc", {{"3", "a"}, {"10", "b"}, {"3.1", "c"}, {"9.9", "d"}}}}));
  ASSERT_TRUE(index) << index.error().describe();
  auto latest = index->find(parseScriptRef("store:haas-ngc").value());
  ASSERT_TRUE(latest) << latest.error().describe();
  EXPECT_EQ(latest->version.text(), "10");  // numbers, not text: 10 > 9.9 > 3.1
  EXPECT_EQ(latest->entry.path, "haas-ngc/10.yaml");
  auto exact = index->find(parseScriptRef("store:haas-ngc@3.1").value());
  ASSERT_TRUE(exact) << exact.error().describe();
  EXPECT_EQ(exact->entry.path, "haas-ngc/3.1.yaml");
  auto missing = index->find(parseScriptRef("store:haas-ngc@4").value());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message(),
            "the store's index has no version 4 of 'haas-ngc' (it has 3, 3.1, 9.9, 10)");
  auto other = index->find(parseScriptRef("store:fanuc@1").value());
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().message(), "the store's index has no script 'fanuc'");
}

TEST(StoreIndex, RefusesMalformedIndexes) {
  const std::string good = R"({"path": "haas-ngc/3.yaml", "sha256": ")" + kHash + R"("})";
  ASSERT_TRUE(parseIndex(indexWith(good))) << parseIndex(indexWith(good)).error().describe();
  const std::vector<std::pair<std::string, std::string>> bad{
      {"[]", "not a JSON object"},
      {R"({"schema": "spindle.store.v2", "scripts": {}})", "schema must be"},
      {R"({"schema": "spindle.store.v1"})", "scripts must be an object"},
      {R"({"schema": "spindle.store.v1", "scripts": {"../x": {}}})", "script name '../x'"},
      {R"({"schema": "spindle.store.v1", "scripts": {"x": {"03": {}}}})", "leading zero"},
      {indexWith(R"({"path": "../../etc/passwd", "sha256": ")" + kHash + R"("})"),
       "must be relative"},
      {indexWith(R"({"path": "/haas.yaml", "sha256": ")" + kHash + R"("})"), "must be relative"},
      {indexWith(R"({"path": "a?b=1", "sha256": ")" + kHash + R"("})"), "must be relative"},
      {indexWith(R"({"path": "a.yaml", "sha256": "ABC"})"), "sha256 must be 64 lowercase hex"},
      {indexWith(R"({"sha256": ")" + kHash + R"("})"), "has no path"},
      {indexWith(R"({"path": "a.yaml", "sha256": ")" + kHash + R"(", "size": 99999999})"),
       "size must be"},
  };
  for (const auto& [text, expected] : bad) {
    auto index = parseIndex(text);
    ASSERT_FALSE(index) << text;
    EXPECT_NE(index.error().message().find(expected), std::string::npos)
        << text << " -> " << index.error().message();
  }
}

TEST(StoreIndex, VerifiesTheSignatureOfTheBytesAsWritten) {
  TempDir dir("index_sig");
  TestPublisher publisher(dir.path());
  const std::string bytes = TestPublisher::index({{"haas-ngc", {{"3", "x"}}}});
  auto envelope = parseSignedIndex(publisher.sign(bytes));
  ASSERT_TRUE(envelope) << envelope.error().describe();
  auto index = verifySignedIndex(*envelope, {publisher.key()});
  ASSERT_TRUE(index) << index.error().describe();
  EXPECT_EQ(index->bytes, bytes);
  EXPECT_EQ(index->scripts.count("haas-ngc"), 1u);
}

TEST(StoreIndex, RefusesAChangedIndex) {
  TempDir dir("index_changed");
  TestPublisher publisher(dir.path());
  auto envelope = parseSignedIndex(publisher.sign(TestPublisher::index({{"a", {{"1", "x"}}}})));
  ASSERT_TRUE(envelope);
  // Someone points version 1 at other bytes: the JSON still parses, the signature fails.
  const auto at = envelope->index.find("\"sha256\": \"") + 11;
  envelope->index[at] = envelope->index[at] == '0' ? '1' : '0';
  auto index = verifySignedIndex(*envelope, {publisher.key()});
  ASSERT_FALSE(index);
  EXPECT_EQ(index.error().code(), ErrorCode::kProtocol);
  EXPECT_NE(index.error().message().find("signature by key " + publisher.key().id +
                                         " does not match the index"),
            std::string::npos)
      << index.error().message();
}

TEST(StoreIndex, RefusesAnIndexSignedByAnotherKey) {
  TempDir dir("index_unknown");
  TestPublisher publisher(dir.path(), "ours");
  TestPublisher stranger(dir.path(), "theirs");
  auto envelope = parseSignedIndex(stranger.sign(TestPublisher::index({{"a", {{"1", "x"}}}})));
  ASSERT_TRUE(envelope);
  auto index = verifySignedIndex(*envelope, {publisher.key()});
  ASSERT_FALSE(index);
  EXPECT_NE(index.error().message().find("signed only by keys this edge does not trust (" +
                                         stranger.key().id),
            std::string::npos)
      << index.error().message();
  // A good signature beside it is enough (key rotation), a bad one by a trusted key is not.
  envelope->signatures.push_back(
      parseSignedIndex(publisher.sign(envelope->index)).value().signatures[0]);
  EXPECT_TRUE(verifySignedIndex(*envelope, {publisher.key()}));
  envelope->signatures.back().sig[0] ^= 1;
  EXPECT_FALSE(verifySignedIndex(*envelope, {publisher.key()}));
}

TEST(StoreIndex, RefusesMalformedEnvelopes) {
  EXPECT_FALSE(parseSignedIndex("not json"));
  EXPECT_FALSE(parseSignedIndex(R"({"manifest": "eA==", "signatures": []})"));
  EXPECT_FALSE(parseSignedIndex(R"({"index": "***", "signatures": []})"));
  auto unsigned_ = parseSignedIndex(R"({"index": "eA==", "signatures": []})");
  ASSERT_TRUE(unsigned_);
  auto index = verifySignedIndex(*unsigned_, {});
  ASSERT_FALSE(index);
  EXPECT_EQ(index.error().message(), "the index carries no signature");
}

}  // namespace
}  // namespace spindle::transform::store
