#include "transform/store/store_cache.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "transform/store/testing/test_publisher.hpp"
#include "update/signing.hpp"

namespace spindle::transform::store {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::string sha(const std::string& text) {
  update::Sha256 h;
  h.update(text.data(), text.size());
  return h.hex();
}

TEST(StoreCache, KeepsScriptsByTheirHash) {
  TempDir dir("cache_scripts");
  StoreCache cache(dir / "store/abc");
  const std::string text = testing::versionedScript("v3");
  EXPECT_FALSE(cache.script(sha(text)));
  ASSERT_TRUE(cache.saveScript(sha(text), text));
  EXPECT_EQ(cache.script(sha(text)), text);
  EXPECT_TRUE(fs::exists(dir / ("store/abc/scripts/" + sha(text) + ".yaml")));
  // Nothing but the final file is left behind.
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir / "store/abc/scripts"))
    files += e.is_regular_file();
  EXPECT_EQ(files, 1u);
}

TEST(StoreCache, AScriptChangedOnDiskIsNotReturned) {
  TempDir dir("cache_changed");
  StoreCache cache(dir.path());
  const std::string text = "version: 2\n";
  ASSERT_TRUE(cache.saveScript(sha(text), text));
  std::ofstream(dir / ("scripts/" + sha(text) + ".yaml")) << "version: 2\nkeys: [evil]\n";
  EXPECT_FALSE(cache.script(sha(text)));
  EXPECT_FALSE(cache.script("../../etc/passwd"));
  EXPECT_FALSE(cache.saveScript("not-a-hash", text));
}

TEST(StoreCache, KeepsTheIndexAndWhenItWasFetched) {
  TempDir dir("cache_index");
  StoreCache cache(dir / "s");
  EXPECT_FALSE(cache.index());
  const auto before = fs::file_time_type::clock::now() - std::chrono::seconds(2);
  ASSERT_TRUE(cache.saveIndex("{\"index\": \"x\"}", "https://store.test/a/"));
  auto index = cache.index();
  ASSERT_TRUE(index);
  EXPECT_EQ(index->text, "{\"index\": \"x\"}");
  EXPECT_GE(index->written, before);
  std::ifstream url(dir / "s/url");
  std::string line;
  std::getline(url, line);
  EXPECT_EQ(line, "https://store.test/a/");
}

TEST(StoreCache, RemembersTheLastGoodCopyPerReference) {
  TempDir dir("cache_good");
  StoreCache cache(dir.path());
  EXPECT_FALSE(cache.lastGood("store:haas-ngc"));
  ASSERT_TRUE(cache.setLastGood("store:haas-ngc", {"3", std::string(64, 'a')}));
  ASSERT_TRUE(cache.setLastGood("store:haas-ngc@2", {"2", std::string(64, 'b')}));
  ASSERT_TRUE(cache.setLastGood("store:haas-ngc", {"4", std::string(64, 'c')}));
  auto latest = cache.lastGood("store:haas-ngc");
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->version, "4");
  EXPECT_EQ(latest->sha256, std::string(64, 'c'));
  EXPECT_EQ(StoreCache(dir.path()).lastGood("store:haas-ngc@2")->version, "2");
  std::ofstream(dir / "good.json") << "{ broken";
  EXPECT_FALSE(cache.lastGood("store:haas-ngc"));
  EXPECT_TRUE(cache.setLastGood("store:x", {"1", std::string(64, 'd')}));  // starts afresh
}

TEST(StoreCache, KeepsABoundedNumberOfScriptsButNeverTheLastGoodOnes) {
  TempDir dir("cache_prune");
  StoreCache cache(dir.path());
  const std::string first = "version: 2\n# 0\n";
  ASSERT_TRUE(cache.saveScript(sha(first), first));
  ASSERT_TRUE(cache.setLastGood("store:a", {"1", sha(first)}));
  const std::string second = "version: 2\n# 1\n";
  ASSERT_TRUE(cache.saveScript(sha(second), second));
  // File times may be coarse: make these two clearly the oldest.
  const auto now = fs::file_time_type::clock::now();
  fs::last_write_time(dir / ("scripts/" + sha(first) + ".yaml"), now - std::chrono::hours(2));
  fs::last_write_time(dir / ("scripts/" + sha(second) + ".yaml"), now - std::chrono::hours(1));
  for (std::size_t i = 2; i < kMaxCachedScripts + 10; ++i) {
    const std::string text = "version: 2\n# " + std::to_string(i) + "\n";
    ASSERT_TRUE(cache.saveScript(sha(text), text));
  }
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir / "scripts")) files += e.is_regular_file();
  EXPECT_EQ(files, kMaxCachedScripts);
  EXPECT_TRUE(cache.script(sha(first)));    // named by good.json
  EXPECT_FALSE(cache.script(sha(second)));  // the oldest of the others
}

}  // namespace
}  // namespace spindle::transform::store
