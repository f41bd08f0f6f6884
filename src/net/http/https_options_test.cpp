#include "net/http/https_options.hpp"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace spindle::net::http {
namespace {

struct Loaded {
  HttpsOptions options;
  config::Diagnostics diags{"test.yaml"};
  bool valid = false;
};

Loaded load(const std::string& yaml) {
  Loaded l;
  const YAML::Node block = YAML::Load(yaml);
  httpsOptionTable().load(block, l.options, l.diags, "https");
  l.valid = l.diags.empty() && validate(l.options, block, l.diags);
  return l;
}

std::string messages(const config::Diagnostics& d) { return d.describe(); }

const char* kPin = "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

TEST(HttpClientOptions, DefaultsMatchTheDocumentedOnes) {
  const auto l = load("{}");
  ASSERT_TRUE(l.valid) << messages(l.diags);
  EXPECT_EQ(l.options.connectTimeout, std::chrono::seconds(10));
  EXPECT_EQ(l.options.timeout, std::chrono::seconds(60));
  EXPECT_EQ(l.options.retries, 5);
  EXPECT_EQ(l.options.retryMin, std::chrono::seconds(1));
  EXPECT_EQ(l.options.retryMax, std::chrono::seconds(60));
  EXPECT_EQ(l.options.maxResponse.bytes, 16u * 1024 * 1024);
  EXPECT_TRUE(l.options.api.empty());
}

TEST(HttpClientOptions, AcceptsAFullSection) {
  const auto l = load(std::string("{api: 'https://api.example.com/v1', pinned_keys: [") + kPin +
                      "], retries: 2, retry_min: 200ms, retry_max: 5s, max_response: 1MiB}");
  ASSERT_TRUE(l.valid) << messages(l.diags);
  const auto c = clientOptions(l.options, "edge-7", std::nullopt, nullptr);
  EXPECT_EQ(c.edgeId, "edge-7");
  EXPECT_EQ(c.retries, 2);
  EXPECT_EQ(c.maxResponse, 1024u * 1024);
  EXPECT_EQ(c.pinnedKeys.size(), 1u);
  EXPECT_EQ(c.retryMin, std::chrono::milliseconds(200));
}

TEST(HttpClientOptions, RefusesAPlainHttpApi) {
  const auto l = load("{api: 'http://api.example.com/v1'}");
  EXPECT_FALSE(l.valid);
  EXPECT_NE(messages(l.diags).find("https.api must be an https:// URL, not http://"),
            std::string::npos)
      << messages(l.diags);
}

TEST(HttpClientOptions, RefusesCredentialsInTheApiUrl) {
  const auto l = load("{api: 'https://edge:s3cret@api.example.com/'}");
  EXPECT_FALSE(l.valid);
  EXPECT_NE(messages(l.diags).find("must not carry credentials"), std::string::npos);
  EXPECT_EQ(messages(l.diags).find("s3cret"), std::string::npos) << messages(l.diags);
}

TEST(HttpClientOptions, RefusesBadPins) {
  EXPECT_TRUE(checkPinnedKey(kPin));
  EXPECT_FALSE(checkPinnedKey("sha1//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="));
  EXPECT_FALSE(checkPinnedKey("sha256//AAAA"));  // 3 bytes
  EXPECT_FALSE(checkPinnedKey("sha256//not base64!"));
  const auto l = load("{pinned_keys: ['sha256//AAAA']}");
  EXPECT_FALSE(l.valid);
  EXPECT_NE(messages(l.diags).find("https.pinned_keys: after sha256// a pin holds"),
            std::string::npos)
      << messages(l.diags);
}

TEST(HttpClientOptions, RefusesAMissingCaFileAndInvertedRetryBounds) {
  auto l = load("{ca_file: /nonexistent/ca.pem}");
  EXPECT_FALSE(l.valid);
  EXPECT_NE(messages(l.diags).find("cannot read /nonexistent/ca.pem"), std::string::npos);
  l = load("{retry_min: 10s, retry_max: 1s}");
  EXPECT_FALSE(l.valid);
  EXPECT_NE(messages(l.diags).find("retry_min must not exceed"), std::string::npos);
}

TEST(HttpClientOptions, RefusesUnknownKeysAndOutOfRangeValues) {
  EXPECT_FALSE(load("{verify: false}").valid);
  EXPECT_FALSE(load("{retries: -1}").valid);
  EXPECT_FALSE(load("{max_response: 2GiB}").valid);
}

// docs/configuration.md's `## https` table has a row per key with its type, default and range
// (the same shape configuration_doc_test checks for the sections registered there).
TEST(HttpClientOptions, EveryKeyIsDocumented) {
  std::ifstream in(std::string(SPINDLE_SOURCE_DIR) + "/docs/configuration.md");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string doc = buffer.str();
  const auto section = doc.find("\n## https\n");
  ASSERT_NE(section, std::string::npos);
  const std::string table = doc.substr(section, doc.find("\n## ", section + 1) - section);
  for (const auto& o : httpsOptionTable().describe()) {
    const std::string row = "| `" + o.key + "` | " + o.type + " | `" + o.defaultText + "` | ";
    const auto at = table.find(row);
    ASSERT_NE(at, std::string::npos) << "missing row: " << row;
    const std::string line = table.substr(at, table.find('\n', at) - at);
    if (!o.bounds.describe().empty()) {
      EXPECT_NE(line.find("(" + o.bounds.describe() + ")"), std::string::npos) << line;
    }
  }
}

}  // namespace
}  // namespace spindle::net::http
