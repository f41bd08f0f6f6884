// The `adapter_store:` section and `script: store:NAME@VERSION` in a configuration: checks,
// and machines compiled from what the store gives (a fake store here; the real one over HTTPS
// is tests/integration/store_test.cpp).

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "app/remote_config.hpp"
#include "app/spindle_config.hpp"
#include "transform/store/testing/test_publisher.hpp"

namespace spindle::app {
namespace {

namespace store = transform::store;

/// Gives every script the same text, counting the calls.
class FakeSource final : public store::ScriptSource {
 public:
  explicit FakeSource(std::string text) : m_text(std::move(text)) {}
  Result<store::StoreScript> script(const store::ScriptRef& ref) override {
    asked.push_back(ref.text());
    return store::StoreScript{m_text, ref.version ? ref.version->text() : "7", ""};
  }
  std::vector<std::string> warnings() const override { return {"a warning"}; }
  std::vector<std::string> notes() const override { return {"a note"}; }
  std::vector<std::string> asked;

 private:
  std::string m_text;
};

class AdapterStoreConfigTest : public ::testing::Test {
 protected:
  AdapterStoreConfigTest() { collectors::registerBuiltinCollectors(m_registry); }

  LoadResult load(const std::string& yaml, store::ScriptSource* source = nullptr) {
    LoadOptions options;
    options.store = source;
    return loadConfigRoot(YAML::Load(yaml), yaml, "spindle.yaml", m_registry, options);
  }

  static std::string machine(const std::string& id, const std::string& script) {
    return "  - {id: " + id + ", type: shdr, host: 127.0.0.1, script: '" + script + "'}\n";
  }

  std::string section(const std::string& extra = "") const {
    return "adapter_store:\n  url: https://store.test/adapters/\n  keys: [" + m_key + "]\n" + extra;
  }

  collectors::Registry m_registry;
  std::string m_key = update::base64Encode(update::generateKeyPair().publicKey.raw);
};

TEST_F(AdapterStoreConfigTest, AStoreScriptNeedsAnAdapterStore) {
  auto r = load("machines:\n" + machine("mill-1", "store:haas-ngc@3"));
  ASSERT_FALSE(r.config);
  EXPECT_EQ(r.diagnostics.describe(),
            "spindle.yaml:2:55: machine 'mill-1' names the store script store:haas-ngc@3, and no "
            "adapter store is configured (add an adapter_store: section with the store's url "
            "and keys (docs/configuration.md))\n");
}

TEST_F(AdapterStoreConfigTest, AMalformedReferenceSaysWhatIsWrong) {
  FakeSource source(transform::store::testing::versionedScript("v1"));
  auto r = load(section() + "machines:\n" + machine("mill-1", "store:haas ngc@3"), &source);
  ASSERT_FALSE(r.config);
  const std::string text = r.diagnostics.describe();
  EXPECT_NE(text.find("'script' in machine 'mill-1': 'store:haas ngc@3': the script name must "
                      "be 1-64 letters"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("e.g. store:haas-ngc@3"), std::string::npos) << text;
  EXPECT_TRUE(source.asked.empty());
}

TEST_F(AdapterStoreConfigTest, TheSectionIsCheckedStrictly) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"adapter_store:\n  url: http://store.test/\n  keys: [" + m_key + "]\n",
       "adapter_store.url must be an https:// URL, not http://"},
      {"adapter_store:\n  url: https://user:pw@store.test/\n  keys: [" + m_key + "]\n",
       "must not carry credentials"},
      {"adapter_store:\n  url: https://store.test/?sig=1\n  keys: [" + m_key + "]\n",
       "must not carry credentials, a query or a fragment"},
      {"adapter_store:\n  url: https://store.test/\n  keys: []\n", "adapter_store.keys is empty"},
      {"adapter_store:\n  url: https://store.test/\n  keys: [bm90IGEga2V5]\n",
       "adapter_store.keys: not a public key"},
      {"adapter_store:\n  keys: [" + m_key + "]\n", "missing required key 'url'"},
      {section("  refersh: 1h\n"), "unknown key 'refersh'"},
      {section("  fetch_timeout: 1h\n"), "fetch_timeout"},
      {"adapter_stor:\n  url: https://store.test/\n", "did you mean 'adapter_store'?"},
  };
  for (const auto& [yaml, expected] : cases) {
    auto r = load(yaml + "machines:\n" + machine("mill-1", "store:haas-ngc@3"));
    ASSERT_FALSE(r.config) << yaml;
    const std::string text = r.diagnostics.describe();
    EXPECT_NE(text.find(expected), std::string::npos) << yaml << "\n" << text;
  }
  // The machine says why it has no script, without blaming a missing section.
  auto r = load("adapter_store:\n  url: http://store.test/\n  keys: [" + m_key + "]\nmachines:\n" +
                machine("mill-1", "store:haas-ngc@3"));
  EXPECT_NE(r.diagnostics.describe().find("cannot get script store:haas-ngc@3 of machine "
                                          "'mill-1': the adapter_store section has problems"),
            std::string::npos)
      << r.diagnostics.describe();
}

TEST_F(AdapterStoreConfigTest, AValidSectionWithoutStoreScriptsNeedsNoNetwork) {
  auto r = load(section("  refresh: 10m\n  fetch_timeout: 3s\n") + "machines:\n" +
                machine("mill-1", "none"));
  ASSERT_TRUE(r.config) << r.diagnostics.describe();
  ASSERT_TRUE(r.config->adapterStore);
  EXPECT_EQ(r.config->adapterStore->url, "https://store.test/adapters/");
  EXPECT_EQ(r.config->adapterStore->refresh, std::chrono::minutes(10));
  EXPECT_EQ(r.config->adapterStore->fetchTimeout, std::chrono::seconds(3));
  EXPECT_TRUE(r.config->notes.empty());
}

TEST_F(AdapterStoreConfigTest, ABase64KeyWithASlashIsAKeyNotAFile) {
  std::string key;
  while (key.find('/') == std::string::npos) {
    key = update::base64Encode(update::generateKeyPair().publicKey.raw);
  }
  auto r = load("adapter_store:\n  url: https://store.test/\n  keys: ['" + key + "']\nmachines:\n" +
                machine("mill-1", "none"));
  ASSERT_TRUE(r.config) << r.diagnostics.describe();
  EXPECT_EQ(r.config->adapterStore->keys, std::vector<std::string>{key});
}

TEST_F(AdapterStoreConfigTest, MachinesRunTheStoreScriptCompiledOnce) {
  FakeSource source(transform::store::testing::versionedScript("v7"));
  auto r = load(section() + "machines:\n" + machine("mill-1", "store:haas-ngc") +
                    machine("mill-2", "store:haas-ngc") + machine("mill-3", "store:haas-ngc@3"),
                &source);
  ASSERT_TRUE(r.config) << r.diagnostics.describe();
  const auto& machines = r.config->machines;
  ASSERT_EQ(machines.size(), 3u);
  ASSERT_NE(machines[0].script, nullptr);
  ASSERT_EQ(machines[0].script->dataItems().size(), 1u);
  EXPECT_EQ(machines[0].script->dataItems()[0].key, "v7_load");
  EXPECT_EQ(machines[0].scriptName, "store:haas-ngc@7");  // the version it resolved to
  EXPECT_EQ(machines[1].script, machines[0].script);
  EXPECT_EQ(machines[2].scriptName, "store:haas-ngc@3");
  EXPECT_EQ(source.asked, (std::vector<std::string>{"store:haas-ngc", "store:haas-ngc@3"}));
  EXPECT_EQ(r.config->notes, (std::vector<std::string>{"a note"}));
  EXPECT_EQ(r.config->warnings, (std::vector<std::string>{"a warning"}));
}

TEST_F(AdapterStoreConfigTest, ProblemsInAStoreScriptNameIt) {
  FakeSource source("version: 2\nkeys: [a]\ndata-items:\n  - out: 'a + ('\n");
  auto r = load(section() + "machines:\n" + machine("mill-1", "store:broken@2"), &source);
  ASSERT_FALSE(r.config);
  EXPECT_NE(r.diagnostics.describe().find("store:broken@2:4:"), std::string::npos)
      << r.diagnostics.describe();
}

TEST_F(AdapterStoreConfigTest, TheStoreIsLocalOnly) {
  control::ControlOptions control;
  auto rules = remoteRules(control, "").value();
  const std::string local = section() + "machines:\n  - {id: m1, type: shdr, host: 10.0.0.5}\n";
  const std::string remote = "adapter_store:\n  url: https://evil.test/\n  keys: [" + m_key +
                             "]\nmachines:\n  - {id: m1, type: shdr, host: 10.0.0.5}\n";
  auto r = loadRemoteConfig(local, remote, "spindle_config/e1", m_registry, rules, "");
  ASSERT_EQ(r.refused.size(), 1u);
  EXPECT_EQ(r.refused[0].key, "adapter_store");
  ASSERT_TRUE(r.loaded.config) << r.loaded.diagnostics.describe();
  EXPECT_EQ(r.loaded.config->adapterStore->url, "https://store.test/adapters/");
}

}  // namespace
}  // namespace spindle::app
