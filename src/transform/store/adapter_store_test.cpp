#include "transform/store/adapter_store.hpp"

#include <gtest/gtest.h>

#include "base/log.hpp"
#include "transform/store/testing/test_publisher.hpp"

namespace spindle::transform::store {
namespace {

using testing::TempDir;
using testing::TestPublisher;
using testing::versionedScript;
using Scripts = std::map<std::string, std::map<std::string, std::string>>;

const std::string kUrl = "https://store.test/adapters/";

/// The store's side: files by path, and what was asked.
struct FakeBucket {
  std::map<std::string, std::string> files;
  bool offline = false;
  std::vector<std::string> requests;
};

class FakeFetcher final : public StoreFetcher {
 public:
  explicit FakeFetcher(std::shared_ptr<FakeBucket> bucket) : m_bucket(std::move(bucket)) {}
  Result<std::string> get(const std::string& url, std::uint64_t maxBytes, Duration) override {
    EXPECT_EQ(url.rfind(kUrl, 0), 0u) << url;
    const std::string path = url.substr(kUrl.size());
    m_bucket->requests.push_back(path);
    if (m_bucket->offline) return Error(ErrorCode::kUnavailable, "connection refused");
    const auto it = m_bucket->files.find(path);
    if (it == m_bucket->files.end()) return Error(ErrorCode::kNotFound, "HTTP 404 for " + url);
    if (it->second.size() > maxBytes) return Error(ErrorCode::kUnavailable, "too large");
    return it->second;
  }

 private:
  std::shared_ptr<FakeBucket> m_bucket;
};

class AdapterStoreTest : public ::testing::Test {
 protected:
  AdapterStoreTest()
      : m_dir(::testing::UnitTest::GetInstance()->current_test_info()->name()),
        m_publisher(m_dir / "keys") {}

  void publish(const Scripts& scripts, const std::string& published = "") {
    m_bucket->files.clear();
    for (const auto& [name, versions] : scripts) {
      for (const auto& [version, text] : versions) {
        m_bucket->files[name + "/" + version + ".yaml"] = text;
      }
    }
    m_bucket->files["index.json"] = m_publisher.sign(TestPublisher::index(scripts, published));
  }

  std::unique_ptr<AdapterStore> open(StoreAccess access = StoreAccess::kRefreshWhenDue,
                                     Duration refresh = Duration(0),
                                     std::vector<update::PublicKey> keys = {}) {
    m_bucket->requests.clear();
    StoreOptions options;
    options.url = "https://store.test/adapters";  // the trailing '/' is implied
    options.keys = {m_publisher.keyText()};
    options.refresh = refresh;
    if (keys.empty()) keys = {m_publisher.key()};
    return std::make_unique<AdapterStore>(
        AdapterStore::Setup{options, std::move(keys), m_dir / "cache", access},
        std::make_unique<FakeFetcher>(m_bucket), makeLogger("adapter_store"));
  }

  static ScriptRef ref(const std::string& text) { return parseScriptRef(text).value(); }

  static bool contains(const std::vector<std::string>& lines, const std::string& part) {
    for (const auto& line : lines) {
      if (line.find(part) != std::string::npos) return true;
    }
    return false;
  }

  TempDir m_dir;
  TestPublisher m_publisher;
  std::shared_ptr<FakeBucket> m_bucket = std::make_shared<FakeBucket>();
  const std::string m_v3 = versionedScript("v3");
  const std::string m_v4 = versionedScript("v4");
};

TEST_F(AdapterStoreTest, FetchesVerifiesAndCaches) {
  publish({{"haas-ngc", {{"3", m_v3}}}});
  auto store = open();
  auto got = store->script(ref("store:haas-ngc@3"));
  ASSERT_TRUE(got) << got.error().describe();
  EXPECT_EQ(got->text, m_v3);
  EXPECT_EQ(got->version, "3");
  EXPECT_EQ(m_bucket->requests, (std::vector<std::string>{"index.json", "haas-ngc/3.yaml"}));
  EXPECT_TRUE(store->warnings().empty());
  EXPECT_EQ(store->notes(), (std::vector<std::string>{"store:haas-ngc@3: version 3 fetched from " +
                                                      kUrl + "haas-ngc/3.yaml"}));
  StoreCache cache(m_dir / "cache");
  EXPECT_EQ(cache.script(got->sha256), m_v3);
  EXPECT_TRUE(cache.index());
  EXPECT_EQ(cache.lastGood("store:haas-ngc@3")->sha256, got->sha256);
}

TEST_F(AdapterStoreTest, WithoutAVersionTakesTheHighest) {
  publish({{"haas-ngc", {{"3", m_v3}, {"4", m_v4}}}});
  auto got = open()->script(ref("store:haas-ngc"));
  ASSERT_TRUE(got) << got.error().describe();
  EXPECT_EQ(got->version, "4");
  EXPECT_EQ(got->text, m_v4);
}

TEST_F(AdapterStoreTest, UsesTheCacheWhenTheStoreIsUnreachableAndSaysSoOnce) {
  publish({{"haas-ngc", {{"3", m_v3}, {"4", m_v4}}}});
  ASSERT_TRUE(open()->script(ref("store:haas-ngc@3")));
  ASSERT_TRUE(open()->script(ref("store:haas-ngc@4")));
  m_bucket->offline = true;
  auto store = open();
  auto three = store->script(ref("store:haas-ngc@3"));
  auto four = store->script(ref("store:haas-ngc"));
  ASSERT_TRUE(three) << three.error().describe();
  ASSERT_TRUE(four) << four.error().describe();
  EXPECT_EQ(three->text, m_v3);
  EXPECT_EQ(four->text, m_v4);
  EXPECT_EQ(m_bucket->requests, (std::vector<std::string>{"index.json"}));  // asked once
  ASSERT_EQ(store->warnings().size(), 1u);
  EXPECT_NE(store->warnings()[0].find("store " + kUrl + ": cannot fetch index.json: "),
            std::string::npos)
      << store->warnings()[0];
  EXPECT_NE(store->warnings()[0].find("using the cached index (fetched "), std::string::npos)
      << store->warnings()[0];
  EXPECT_TRUE(contains(store->notes(), "store:haas-ngc@3: version 3 from the cache"));
}

TEST_F(AdapterStoreTest, DoesNotAskTheStoreWhileTheCachedIndexIsYoung) {
  publish({{"haas-ngc", {{"3", m_v3}}}});
  ASSERT_TRUE(open()->script(ref("store:haas-ngc@3")));
  auto got =
      open(StoreAccess::kRefreshWhenDue, std::chrono::hours(1))->script(ref("store:haas-ngc@3"));
  ASSERT_TRUE(got) << got.error().describe();
  EXPECT_EQ(got->text, m_v3);
  EXPECT_TRUE(m_bucket->requests.empty());
}

TEST_F(AdapterStoreTest, CacheFirstUsesAnOldIndexAndFetchesOnlyWhatIsMissing) {
  publish({{"haas-ngc", {{"3", m_v3}}}});
  ASSERT_TRUE(open()->script(ref("store:haas-ngc@3")));
  publish({{"haas-ngc", {{"3", m_v3}, {"4", m_v4}}}});
  auto store = open(StoreAccess::kCacheFirst);
  auto three = store->script(ref("store:haas-ngc@3"));
  ASSERT_TRUE(three) << three.error().describe();
  EXPECT_TRUE(m_bucket->requests.empty());
  // Version 4 is not in the cached index: the store's is fetched for it.
  auto four = store->script(ref("store:haas-ngc@4"));
  ASSERT_TRUE(four) << four.error().describe();
  EXPECT_EQ(four->text, m_v4);
  EXPECT_EQ(m_bucket->requests, (std::vector<std::string>{"index.json", "haas-ngc/4.yaml"}));
}

TEST_F(AdapterStoreTest, RefusesATamperedScript) {
  publish({{"haas-ngc", {{"3", m_v3}}}});
  m_bucket->files["haas-ngc/3.yaml"] = versionedScript("x3");  // same size, other bytes
  auto store = open();
  auto got = store->script(ref("store:haas-ngc@3"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code(), ErrorCode::kProtocol);
  const std::string message = got.error().describe();
  EXPECT_NE(message.find("store " + kUrl + ": script store:haas-ngc@3 (haas-ngc/3.yaml) refused"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("its SHA-256 is "), std::string::npos) << message;
  EXPECT_NE(message.find("the signed index says "), std::string::npos) << message;
  EXPECT_NE(message.find("there is no good copy of store:haas-ngc@3 in the cache"),
            std::string::npos)
      << message;
  EXPECT_FALSE(StoreCache(m_dir / "cache").lastGood("store:haas-ngc@3"));
}

TEST_F(AdapterStoreTest, KeepsTheLastGoodCopyWhenTheNewOneIsRefused) {
  publish({{"haas-ngc", {{"3", m_v3}}}});
  ASSERT_TRUE(open()->script(ref("store:haas-ngc")));
  publish({{"haas-ngc", {{"3", m_v3}, {"4", m_v4}}}});
  m_bucket->files["haas-ngc/4.yaml"] = versionedScript("x4");  // not what the index signs
  auto store = open();
  auto got = store->script(ref("store:haas-ngc"));
  ASSERT_TRUE(got) << got.error().describe();
  EXPECT_EQ(got->text, m_v3);
  EXPECT_EQ(got->version, "3");
  ASSERT_EQ(store->warnings().size(), 1u);
  EXPECT_NE(store->warnings()[0].find("script store:haas-ngc (haas-ngc/4.yaml) refused: its "
                                      "SHA-256 is "),
            std::string::npos)
      << store->warnings()[0];
  EXPECT_NE(store->warnings()[0].find("the last good copy (version 3, sha256 "), std::string::npos)
      << store->warnings()[0];
  EXPECT_TRUE(contains(store->notes(), "store:haas-ngc: version 3, the last good copy"));
  // A size the index gives is checked too.
  m_bucket->files["haas-ngc/4.yaml"] = m_v4 + " ";
  auto again = open()->script(ref("store:haas-ngc"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->text, m_v3);
}

TEST_F(AdapterStoreTest, RefusesATamperedIndexAndKeepsTheLastGoodOne) {
  publish({{"haas-ngc", {{"3", m_v3}}}});
  ASSERT_TRUE(open()->script(ref("store:haas-ngc@3")));
  // Version 3 pointed at other bytes, the old signature kept.
  auto envelope = parseSignedIndex(m_bucket->files["index.json"]).value();
  const std::string evil = versionedScript("evil");
  envelope.index = TestPublisher::index({{"haas-ngc", {{"3", evil}}}});
  m_bucket->files["index.json"] = signedIndexJson(envelope);
  m_bucket->files["haas-ngc/3.yaml"] = evil;
  auto store = open();
  auto got = store->script(ref("store:haas-ngc@3"));
  ASSERT_TRUE(got) << got.error().describe();
  EXPECT_EQ(got->text, m_v3);
  ASSERT_EQ(store->warnings().size(), 1u);
  EXPECT_NE(store->warnings()[0].find("store " + kUrl +
                                      ": index.json refused: the index "
                                      "signature by key " +
                                      m_publisher.key().id + " does not match the index"),
            std::string::npos)
      << store->warnings()[0];
  EXPECT_NE(store->warnings()[0].find("the last good index (fetched "), std::string::npos);
  // Without a cache there is nothing to fall back on.
  std::filesystem::remove_all(m_dir / "cache");
  auto fresh = open()->script(ref("store:haas-ngc@3"));
  ASSERT_FALSE(fresh);
  EXPECT_NE(fresh.error().describe().find("index.json refused"), std::string::npos);
  EXPECT_NE(fresh.error().describe().find("there is no earlier good index"), std::string::npos)
      << fresh.error().describe();
}

TEST_F(AdapterStoreTest, RefusesAnIndexSignedByAnUnknownKey) {
  TestPublisher stranger(m_dir / "keys", "stranger");
  m_bucket->files["haas-ngc/3.yaml"] = m_v3;
  m_bucket->files["index.json"] =
      stranger.sign(TestPublisher::index({{"haas-ngc", {{"3", m_v3}}}}));
  auto got = open()->script(ref("store:haas-ngc@3"));
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().describe().find("signed only by keys this edge does not trust (" +
                                        stranger.key().id),
            std::string::npos)
      << got.error().describe();
}

TEST_F(AdapterStoreTest, RefusesAnOlderIndexServedAgain) {
  publish({{"haas-ngc", {{"3", m_v3}, {"4", m_v4}}}}, "2024-06-02T00:00:00Z");
  ASSERT_TRUE(open()->script(ref("store:haas-ngc")));
  publish({{"haas-ngc", {{"3", m_v3}}}}, "2024-06-01T00:00:00Z");
  auto store = open();
  auto got = store->script(ref("store:haas-ngc"));
  ASSERT_TRUE(got) << got.error().describe();
  EXPECT_EQ(got->version, "4");
  EXPECT_TRUE(contains(store->warnings(), "an old index served again"));
}

TEST_F(AdapterStoreTest, OfflineWithoutACacheIsAClearError) {
  m_bucket->offline = true;
  auto got = open()->script(ref("store:haas-ngc@3"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(got.error().describe(), "store " + kUrl +
                                        ": cannot fetch index.json: connection refused; there "
                                        "is no cached index");
}

TEST_F(AdapterStoreTest, NamesAVersionTheIndexDoesNotHave) {
  publish({{"haas-ngc", {{"3", m_v3}}}});
  auto got = open()->script(ref("store:haas-ngc@5"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(got.error().describe(),
            "store " + kUrl + ": the store's index has no version 5 of 'haas-ngc' (it has 3)");
}

TEST_F(AdapterStoreTest, ACachedIndexThatNoLongerVerifiesIsNotUsed) {
  publish({{"haas-ngc", {{"3", m_v3}}}});
  ASSERT_TRUE(open()->script(ref("store:haas-ngc@3")));
  m_bucket->offline = true;
  TestPublisher rotated(m_dir / "keys", "rotated");
  auto store = open(StoreAccess::kCacheFirst, Duration(0), {rotated.key()});
  auto got = store->script(ref("store:haas-ngc@3"));
  ASSERT_FALSE(got);
  EXPECT_TRUE(contains(store->warnings(),
                       "the cached index is not used: the index is signed "
                       "only by keys this edge does not trust"));
}

TEST_F(AdapterStoreTest, AsksAnUnreachableStoreOnlyOnce) {
  publish({{"haas-ngc", {{"3", m_v3}, {"4", m_v4}}}});
  ASSERT_TRUE(open()->script(ref("store:haas-ngc@3")));  // 4 is listed, never fetched
  m_bucket->offline = true;
  auto store = open();
  auto four = store->script(ref("store:haas-ngc@4"));
  ASSERT_FALSE(four);
  EXPECT_NE(four.error().describe().find("cannot fetch haas-ngc/4.yaml: connection refused"),
            std::string::npos)
      << four.error().describe();
  EXPECT_FALSE(store->script(ref("store:haas-ngc@4")));
  EXPECT_EQ(m_bucket->requests, (std::vector<std::string>{"index.json"}));
}

}  // namespace
}  // namespace spindle::transform::store
