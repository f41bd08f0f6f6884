// The endpoints netcheck takes from a configuration (app/netcheck_targets.hpp): which ones,
// their URLs, and the client options they are requested with.

#include "app/netcheck_targets.hpp"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include "update/signing.hpp"
#include "uplinks/registry.hpp"

namespace spindle::app {
namespace {

using netcheck::HttpTarget;
using netcheck::HttpTargetRole;

SpindleConfig edge(const std::string& api) {
  SpindleConfig c;
  c.edge.id = "plant-7";
  c.https.api = api;
  return c;
}

/// An adapter store key as base64: one without '/', which adapter_store.keys would take for a
/// file's path.
std::string storeKey() {
  while (true) {
    std::string key = update::base64Encode(update::generateKeyPair().publicKey.raw);
    if (key.find('/') == std::string::npos) return key;
  }
}

const HttpTarget* find(const std::vector<HttpTarget>& targets, HttpTargetRole role) {
  for (const auto& t : targets) {
    if (t.role == role) return &t;
  }
  return nullptr;
}

TEST(NetcheckTargets, NothingConfiguredChecksNothing) {
  EXPECT_TRUE(configuredHttpTargets(edge("")).empty());
}

TEST(NetcheckTargets, TheApiIsPingedAtItsBaseUrl) {
  for (const char* api : {"https://api.example.com", "https://api.example.com/"}) {
    const auto targets = configuredHttpTargets(edge(api));
    ASSERT_EQ(targets.size(), 1u) << api;
    EXPECT_EQ(targets[0].role, HttpTargetRole::kApi);
    EXPECT_EQ(targets[0].url, "https://api.example.com/v1/ping");
    EXPECT_EQ(targets[0].setting, "https.api");
    EXPECT_TRUE(targets[0].problem.empty());
  }
}

class NetcheckTargetsLoaded : public ::testing::Test {
 protected:
  NetcheckTargetsLoaded() { collectors::registerBuiltinCollectors(m_registry); }

  /// `yaml` loaded as spindle run loads it (no machines).
  SpindleConfig load(const std::string& yaml) {
    const std::string text = yaml + "machines: []\n";
    auto loaded = loadConfigRoot(YAML::Load(text), text, "spindle.yaml", m_registry, {});
    EXPECT_TRUE(loaded.config) << loaded.diagnostics.describe();
    return loaded.config ? std::move(*loaded.config) : SpindleConfig{};
  }

  static bool httpsUplinkBuilt() { return uplinks::builtinUplinks().find("https") != nullptr; }

  collectors::Registry m_registry;
};

TEST_F(NetcheckTargetsLoaded, TheUplinkGoesWhereTheUplinkSends) {
  if (!httpsUplinkBuilt()) GTEST_SKIP() << "the https uplink is not in this build";
  auto targets = configuredHttpTargets(load(
      "edge: {id: plant-7}\nhttps: {api: 'https://api.example.com/'}\nuplinks: {https: {}}\n"));
  const HttpTarget* uplink = find(targets, HttpTargetRole::kUplink);
  ASSERT_NE(uplink, nullptr);
  EXPECT_EQ(uplink->url, "https://api.example.com/v1/edges/plant-7/data");
  EXPECT_EQ(uplink->setting, "https.api");

  targets = configuredHttpTargets(
      load("edge: {id: plant-7}\nhttps: {api: 'https://api.example.com/'}\n"
           "uplinks: {https: {url: 'https://ingest.example.com/{edge}/in'}}\n"));
  uplink = find(targets, HttpTargetRole::kUplink);
  ASSERT_NE(uplink, nullptr);
  EXPECT_EQ(uplink->url, "https://ingest.example.com/plant-7/in");
  EXPECT_EQ(uplink->setting, "uplinks.https.url");

  // Turned off: no row.
  targets =
      configuredHttpTargets(load("edge: {id: plant-7}\nhttps: {api: 'https://api.example.com'}\n"
                                 "uplinks: {https: {enabled: false}}\n"));
  EXPECT_EQ(find(targets, HttpTargetRole::kUplink), nullptr);
  EXPECT_EQ(targets.size(), 1u);
}

TEST_F(NetcheckTargetsLoaded, AnUplinkWithNowhereToSendIsAProblemRow) {
  if (!httpsUplinkBuilt()) GTEST_SKIP() << "the https uplink is not in this build";
  const auto targets = configuredHttpTargets(load("uplinks: {https: {}}\n"));
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_EQ(targets[0].role, HttpTargetRole::kUplink);
  EXPECT_TRUE(targets[0].url.empty());
  EXPECT_NE(targets[0].problem.find("no destination"), std::string::npos) << targets[0].problem;
}

TEST(NetcheckTargets, TheUploadsBucketIsAskedWithTheEdgesSignature) {
  SpindleConfig c = edge("");
  c.uploads = upload::UploadOptions{};  // presigned URLs only: no endpoint, no row
  EXPECT_EQ(find(configuredHttpTargets(c), HttpTargetRole::kUploads), nullptr);
  c.uploads->endpoint = "https://s3.example.test:9000";
  c.uploads->bucket = "edge-uploads";
  const auto unsigned_ = configuredHttpTargets(c);
  const HttpTarget* bucket = find(unsigned_, HttpTargetRole::kUploads);
  ASSERT_NE(bucket, nullptr);
  EXPECT_EQ(bucket->url, "https://s3.example.test:9000/edge-uploads");
  EXPECT_FALSE(bucket->signedRequest);
  EXPECT_TRUE(bucket->headers.empty());

  const auto secret =
      std::filesystem::temp_directory_path() / ("nc-secret-" + std::to_string(::getpid()));
  std::ofstream(secret) << "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
  c.uploads->accessKeyId = "AKIAIOSFODNN7EXAMPLE";
  c.uploads->secretAccessKeyFile = secret.string();
  const auto targets = configuredHttpTargets(c);
  std::filesystem::remove(secret);
  bucket = find(targets, HttpTargetRole::kUploads);
  ASSERT_NE(bucket, nullptr);
  EXPECT_TRUE(bucket->signedRequest);
  std::string authorization;
  for (const auto& [name, value] : bucket->headers) {
    if (name == "Authorization") authorization = value;
  }
  EXPECT_EQ(authorization.rfind("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/", 0), 0u)
      << authorization;
}

TEST(NetcheckTargets, CrashReportsCountOnlyWhenTheyAreSent) {
  SpindleConfig c = edge("");
  EXPECT_EQ(find(configuredHttpTargets(c), HttpTargetRole::kCrashReports), nullptr);
  c.crashReports.apiKeyFile = "/etc/spindle/bugsnag.key";
  const auto targets = configuredHttpTargets(c);
  const HttpTarget* crash = find(targets, HttpTargetRole::kCrashReports);
  ASSERT_NE(crash, nullptr);
  EXPECT_EQ(crash->url, "https://notify.bugsnag.com");
  EXPECT_EQ(crash->setting, "crash_reports.endpoint");
}

TEST(NetcheckTargets, TheAdapterStoreIsAskedForItsIndex) {
  SpindleConfig c = edge("");
  c.adapterStore = transform::store::StoreOptions{};
  c.adapterStore->url = "https://scripts.example.com/adapters";
  const auto targets = configuredHttpTargets(c);
  const HttpTarget* store = find(targets, HttpTargetRole::kAdapterStore);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->url, "https://scripts.example.com/adapters/index.json");
}

TEST_F(NetcheckTargetsLoaded, EveryEndpointComesOnceWithTheClientsOptions) {
  const std::string key = storeKey();
  const SpindleConfig config = load(
      "edge: {id: plant-9}\n"
      "https:\n  api: https://api.example.com\n  connect_timeout: 3s\n"
      "  pinned_keys: ['sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=']\n"
      "adapter_store:\n  url: https://store.example.com/a/\n  keys: [" +
      key + "]\n");
  netcheck::NetcheckRequest request;
  addConfiguredEndpoints(config, request);
  ASSERT_EQ(request.httpTargets.size(), 2u);
  EXPECT_EQ(request.httpTargets[0].url, "https://api.example.com/v1/ping");
  EXPECT_EQ(request.httpTargets[1].url, "https://store.example.com/a/index.json");
  EXPECT_EQ(request.httpTargets[1].role, HttpTargetRole::kAdapterStore);
  ASSERT_TRUE(request.httpClient);
  EXPECT_EQ(request.httpClient->edgeId, "plant-9");
  EXPECT_EQ(request.httpClient->connectTimeout, std::chrono::seconds(3));
  ASSERT_EQ(request.httpClient->pinnedKeys.size(), 1u);
  EXPECT_FALSE(request.httpClient->proxy);  // netcheck's own (request.proxy) is used
}

}  // namespace
}  // namespace spindle::app
