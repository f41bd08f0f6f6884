#include "upload/upload_store.hpp"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <unistd.h>

namespace spindle::upload {
namespace {

namespace fs = std::filesystem;

class UploadStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("spindle-upload-store-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }
  fs::path m_dir;
};

UploadRecord sample(const std::string& id) {
  UploadRecord r;
  r.id = id;
  r.path = "/var/lib/spindle/export.bin";
  r.key = "edges/e1/export.bin";
  r.metadata = {{"edge", "e1"}};
  r.size = 40u << 20;
  r.queuedAtMs = 1700000000000;
  r.partSize = 16u << 20;
  r.uploadId = "abc";
  r.parts = {{1, "\"etag-1\""}, {2, "\"etag-2\""}};
  r.attempts = 2;
  r.error = "UploadPart 3: connection reset";
  r.nextAttemptMs = 1700000005000;
  return r;
}

TEST_F(UploadStoreTest, RecordsSurviveAReload) {
  UploadStore store(m_dir.string());
  ASSERT_TRUE(store.open());
  ASSERT_TRUE(store.save(sample("0000000000002-000001")));
  UploadRecord failed = sample("0000000000001-000000");
  failed.state = UploadState::kFailed;
  failed.presignedUrl = "https://s3.example/b/k?X-Amz-Signature=x";
  failed.deleteAfter = true;
  ASSERT_TRUE(store.save(failed));

  UploadStore again(m_dir.string());
  ASSERT_TRUE(again.open());
  const auto records = again.loadAll();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].id, "0000000000001-000000");  // queue order
  EXPECT_EQ(records[0].state, UploadState::kFailed);
  EXPECT_EQ(records[0].presignedUrl, failed.presignedUrl);
  EXPECT_TRUE(records[0].deleteAfter);
  const UploadRecord& r = records[1];
  EXPECT_EQ(r.key, "edges/e1/export.bin");
  EXPECT_EQ(r.size, 40u << 20);
  EXPECT_EQ(r.uploadId, "abc");
  EXPECT_EQ(r.parts, (std::map<int, std::string>{{1, "\"etag-1\""}, {2, "\"etag-2\""}}));
  EXPECT_EQ(r.metadata.at("edge"), "e1");
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(r.nextAttemptMs, 1700000005000);
  EXPECT_EQ(fs::status(m_dir / "0000000000002-000001.json").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(UploadStoreTest, SkipsDamagedFilesAndLeftoverTemporaries) {
  UploadStore store(m_dir.string());
  ASSERT_TRUE(store.open());
  ASSERT_TRUE(store.save(sample("0000000000001-000000")));
  std::ofstream(m_dir / "0000000000003-000000.json") << "{ half a rec";
  std::ofstream(m_dir / "0000000000004-000000.json.tmp") << "{}";
  std::vector<std::string> problems;
  UploadStore again(m_dir.string());
  ASSERT_TRUE(again.open());
  EXPECT_FALSE(fs::exists(m_dir / "0000000000004-000000.json.tmp"));
  EXPECT_EQ(again.loadAll(&problems).size(), 1u);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("0000000000003-000000.json"), std::string::npos);
  ASSERT_TRUE(again.remove("0000000000001-000000"));
  EXPECT_TRUE(again.loadAll().empty());
  EXPECT_FALSE(again.remove("../escape"));
}

}  // namespace
}  // namespace spindle::upload
