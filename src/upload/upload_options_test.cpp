#include "upload/upload_options.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <unistd.h>

namespace spindle::upload {
namespace {

struct Loaded {
  UploadOptions options;
  config::Diagnostics diags{"test.yaml"};
  bool valid = false;
};

Loaded load(const std::string& yaml) {
  Loaded out;
  const YAML::Node block = YAML::Load(yaml);
  const std::size_t before = out.diags.size();
  optionTable().load(block, out.options, out.diags, "uploads");
  out.valid = out.diags.size() == before && validate(out.options, block, out.diags);
  return out;
}

TEST(UploadOptions, DefaultsAndAFullSection) {
  const auto d = load("{}");
  EXPECT_TRUE(d.valid);
  EXPECT_EQ(d.options.partSize.bytes, 16u << 20);
  EXPECT_EQ(d.options.multipartThreshold.bytes, 16u << 20);
  const auto full = load(
      "endpoint: https://127.0.0.1:9000\nbucket: uploads\nregion: eu-central-1\n"
      "prefix: edges/e1/\naccess_key_id: AKID\nsecret_access_key_file: /etc/spindle/s3.secret\n"
      "part_size: 8MiB\nparallel_parts: 4\n");
  EXPECT_TRUE(full.valid);
  EXPECT_EQ(full.options.partSize.bytes, 8u << 20);
  EXPECT_EQ(full.options.parallelParts, 4);
}

TEST(UploadOptions, RefusesWhatCannotWork) {
  EXPECT_FALSE(load("endpoint: http://s3.example.com\n").valid);
  EXPECT_FALSE(load("endpoint: https://key:secret@s3.example.com\n").valid);
  EXPECT_FALSE(load("access_key_id: AKID\nendpoint: https://s3\nbucket: b\n").valid);
  EXPECT_FALSE(load("part_size: 1MiB\n").valid);
  EXPECT_FALSE(load("secret_access_key: inline\n").valid);
  EXPECT_FALSE(load("retry_min: 1m\nretry_max: 10s\n").valid);
}

TEST(UploadOptions, ReadsTheSecretFromItsFile) {
  const std::string file = std::filesystem::temp_directory_path() /
                           ("spindle-upload-secret-" + std::to_string(::getpid()));
  std::ofstream(file) << "  s3cr3t\n";
  UploadOptions o;
  o.accessKeyId = "AKID";
  o.secretAccessKeyFile = file;
  o.region = "eu-west-1";
  const auto c = loadCredentials(o);
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->secretAccessKey, "s3cr3t");
  EXPECT_EQ(c->region, "eu-west-1");
  std::ofstream(file) << "\n";
  const auto empty = loadCredentials(o);
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().describe().find("uploads.secret_access_key_file"), std::string::npos);
  std::filesystem::remove(file);
  EXPECT_FALSE(loadCredentials(UploadOptions{}));
}

// docs/configuration.md's `## uploads` section has a row per key with its default and range
// (the same check configuration_doc_test.cpp makes for the other sections).
TEST(UploadOptions, EveryKeyIsDocumented) {
  std::ifstream in(std::string(SPINDLE_SOURCE_DIR) + "/docs/configuration.md");
  std::stringstream s;
  s << in.rdbuf();
  const std::string doc = s.str();
  const auto section = doc.find("\n## uploads\n");
  ASSERT_NE(section, std::string::npos);
  const std::string text = doc.substr(section, doc.find("\n## ", section + 1) - section);
  for (const auto& o : optionTable().describe()) {
    const std::string row = "| `" + o.key + "` | " + o.type + " | ";
    const auto at = text.find(row);
    ASSERT_NE(at, std::string::npos) << "missing row: " << row;
    const std::string line = text.substr(at, text.find('\n', at) - at);
    const bool plain = o.defaultText.find(' ') == std::string::npos;
    EXPECT_NE(line.find(plain ? "`" + o.defaultText + "`" : o.defaultText), std::string::npos)
        << o.key;
    const std::string range = o.bounds.describe();
    if (!range.empty()) {
      EXPECT_NE(line.find("(" + range + ")"), std::string::npos) << o.key;
    }
  }
}

}  // namespace
}  // namespace spindle::upload
