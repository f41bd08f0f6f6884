#include "app/spindle_config.hpp"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace spindle::app {
namespace {

class SpindleConfigTest : public ::testing::Test {
 protected:
  SpindleConfigTest() { collectors::registerBuiltinCollectors(m_registry); }
  LoadResult load(const std::string& yaml) {
    return loadConfigText(yaml, "spindle.yaml", m_registry);
  }
  collectors::Registry m_registry;
};

TEST_F(SpindleConfigTest, TheEmbeddedDemoIsValid) {
  auto r = loadConfigText(demoConfigText(), "<demo>", m_registry);
  ASSERT_TRUE(r.config.has_value()) << r.diagnostics.describe();
  EXPECT_GE(r.config->machines.size(), 3u);
  EXPECT_TRUE(r.config->simulator.enabled);
}

TEST_F(SpindleConfigTest, ShippedSamplesAndExamplesAreValid) {
  namespace fs = std::filesystem;
  const fs::path root(SPINDLE_SOURCE_DIR);
  std::vector<fs::path> files;
  // Configurations only: examples/scripts/ holds adapter-script templates (their own tests).
  for (const auto& e : fs::directory_iterator(root / "examples")) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  for (const auto& dir : fs::directory_iterator(root / "src/collectors")) {
    if (!dir.is_directory()) continue;
    for (const auto& e : fs::directory_iterator(dir.path())) {
      if (e.path().string().ends_with(".sample.yaml")) files.push_back(e.path());
    }
  }
  ASSERT_GE(files.size(), 2u);
  for (const auto& f : files) {
    auto r = loadConfigFile(f.string(), m_registry);
    EXPECT_TRUE(r.config.has_value()) << r.diagnostics.describe();
  }
}

TEST_F(SpindleConfigTest, UnknownKeyIsRefusedWithFileLineAndHint) {
  auto r = load(
      "edge:\n"
      "  id: e1\n"
      "machines:\n"
      "  - id: mill-1\n"
      "    type: shdr\n"
      "    host: 10.0.0.5\n"
      "    prot: 7878\n");
  ASSERT_FALSE(r.config.has_value());
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics.items()[0].describe(),
            "spindle.yaml:7:5: unknown key 'prot' in machine 'mill-1' (shdr) (did you mean "
            "'port'?)");
}

TEST_F(SpindleConfigTest, WrongTypeIsRefused) {
  auto r = load(
      "machines:\n"
      "  - id: mill-1\n"
      "    type: shdr\n"
      "    host: 10.0.0.5\n"
      "    port: seventy-eight\n"
      "    heartbeat: 10\n");
  ASSERT_EQ(r.diagnostics.size(), 2u) << r.diagnostics.describe();
  EXPECT_EQ(r.diagnostics.items()[0].describe(),
            "spindle.yaml:5:11: 'port' in machine 'mill-1' (shdr) must be an integer, not "
            "'seventy-eight'");
  EXPECT_NE(r.diagnostics.items()[1].describe().find("spindle.yaml:6:16: 'heartbeat' in machine "
                                                     "'mill-1' (shdr): '10' has no unit"),
            std::string::npos)
      << r.diagnostics.items()[1].describe();
}

TEST_F(SpindleConfigTest, MissingMachineAddressIsRefused) {
  auto r = load(
      "machines:\n"
      "  - id: mill-1\n"
      "    type: shdr\n"
      "    port: 7878\n");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_NE(r.diagnostics.items()[0].describe().find(
                "spindle.yaml:2:5: missing required key 'host' in machine 'mill-1' (shdr)"),
            std::string::npos)
      << r.diagnostics.items()[0].describe();
}

TEST_F(SpindleConfigTest, EveryProblemIsListedAtOnce) {
  auto r = load(
      "egde: {}\n"
      "machines:\n"
      "  - id: a\n"
      "    type: shdrr\n"
      "  - id: a\n"
      "    type: shdr\n"
      "    host: h\n"
      "  - type: shdr\n"
      "    host: h\n");
  const std::string all = r.diagnostics.describe();
  EXPECT_NE(all.find("unknown section 'egde' (did you mean 'edge'?)"), std::string::npos) << all;
  EXPECT_NE(all.find("unknown collector type 'shdrr' in machine 'a' (did you mean 'shdr'?)"),
            std::string::npos);
  EXPECT_NE(all.find("duplicate machine id 'a'"), std::string::npos);
  EXPECT_NE(all.find("missing required key 'id' in machines[2]"), std::string::npos);
  EXPECT_EQ(r.diagnostics.size(), 4u) << all;
}

TEST_F(SpindleConfigTest, YamlSyntaxErrorHasItsPosition) {
  auto r = load("machines:\n  - id: [unclosed\n");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_NE(r.diagnostics.items()[0].message.find("YAML syntax error"), std::string::npos);
  EXPECT_GT(r.diagnostics.items()[0].line, 0);
}

TEST_F(SpindleConfigTest, DeeplyNestedConfigurationIsAClearErrorNotACrash) {
  // Flow collections, block sequences on one line, and block maps by indentation.
  std::string block = "machines:\n";
  for (int i = 0; i < 300; ++i) block += std::string(i + 2, ' ') + "k:\n";
  for (const std::string& yaml : {"machines: " + std::string(100000, '['),
                                  "machines:\n  - " +
                                      [] {
                                        std::string s;
                                        for (int i = 0; i < 50000; ++i) s += "- ";
                                        return s + "x\n";
                                      }(),
                                  block}) {
    auto r = load(yaml);
    ASSERT_FALSE(r.config);
    ASSERT_EQ(r.diagnostics.size(), 1u) << r.diagnostics.describe();
    EXPECT_NE(r.diagnostics.items()[0].message.find("nests deeper than 64 levels"),
              std::string::npos)
        << r.diagnostics.describe();
    EXPECT_GT(r.diagnostics.items()[0].line, 0);
  }
}

TEST_F(SpindleConfigTest, JournalSectionDefaultsAndResolves) {
  auto r = load("edge:\n  data_dir: /var/lib/spindle\nmachines: []\n");
  ASSERT_TRUE(r.config.has_value()) << r.diagnostics.describe();
  auto settings = journal::resolveSettings(r.config->journal, r.config->edge.dataDir);
  ASSERT_TRUE(settings.ok()) << settings.error().describe();
  EXPECT_EQ(settings->dir, "/var/lib/spindle/journal");
  EXPECT_EQ(settings->sync.mode, journal::SyncMode::kInterval);
  EXPECT_EQ(settings->sync.interval, std::chrono::milliseconds(50));
  EXPECT_EQ(settings->policy, journal::FullPolicy::kDropOldest);
  EXPECT_EQ(settings->maxSize, 1ULL << 30);

  r = load(
      "journal:\n"
      "  dir: buffer\n"
      "  fsync: always\n"
      "  max_size: 64MiB\n"
      "  max_age: 2h\n"
      "  policy: block\n"
      "  segment_size: 8MiB\n"
      "  compression: zstd\n"
      "machines: []\n");
  ASSERT_TRUE(r.config.has_value()) << r.diagnostics.describe();
  settings = journal::resolveSettings(r.config->journal, "data");
  ASSERT_TRUE(settings.ok());
  EXPECT_EQ(settings->dir, "data/buffer");
  EXPECT_EQ(settings->sync.mode, journal::SyncMode::kAlways);
  EXPECT_EQ(settings->policy, journal::FullPolicy::kBlock);
  EXPECT_EQ(settings->segmentSize, 8ULL << 20);
  EXPECT_EQ(settings->maxAge, std::chrono::hours(2));
  EXPECT_TRUE(settings->compress);
}

TEST_F(SpindleConfigTest, JournalMistakesPointAtTheirKey) {
  auto r = load(
      "journal:\n"
      "  fsync: sometimes\n"
      "machines: []\n");
  ASSERT_EQ(r.diagnostics.size(), 1u) << r.diagnostics.describe();
  EXPECT_NE(r.diagnostics.items()[0].describe().find(
                "spindle.yaml:2:10: journal.fsync: 'sometimes' is not a duration, 'always' or "
                "'never'"),
            std::string::npos)
      << r.diagnostics.describe();

  r = load(
      "journal:\n"
      "  segment_size: 64MiB\n"
      "  max_size: 100MiB\n"
      "machines: []\n");
  ASSERT_EQ(r.diagnostics.size(), 1u) << r.diagnostics.describe();
  EXPECT_NE(r.diagnostics.items()[0].describe().find(
                "spindle.yaml:3:13: journal.max_size must be at least twice"),
            std::string::npos)
      << r.diagnostics.describe();

  r = load(
      "journal:\n"
      "  policy: drop_newest\n"
      "  fsync_interval: 1s\n"
      "machines: []\n");
  const std::string all = r.diagnostics.describe();
  EXPECT_NE(all.find("'drop_newest' is not allowed for 'policy' in journal"), std::string::npos)
      << all;
  EXPECT_NE(all.find("unknown key 'fsync_interval' in journal"), std::string::npos) << all;
}

TEST_F(SpindleConfigTest, MachinesRunTheirTypesDefaultScriptOrTheirOwn) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("spindle_cfg_script_" + std::to_string(getpid()));
  fs::create_directories(dir / "scripts");
  std::ofstream(dir / "scripts" / "good.yaml")
      << "version: 2\nkeys: [S1load]\ndata-items:\n  - spindle_load: {source: S1load}\n";
  std::ofstream(dir / "scripts" / "bad.yaml")
      << "version: 2\nkeys: [a]\ndata-items:\n  - out: {source: a +* 2}\n";
  const std::string machines =
      "machines:\n"
      "  - {id: m1, type: shdr, host: 127.0.0.1}\n"
      "  - {id: m2, type: shdr, host: 127.0.0.1, script: scripts/good.yaml}\n"
      "  - {id: m3, type: shdr, host: 127.0.0.1, script: none}\n";
  std::ofstream(dir / "good.yaml") << machines;
  auto good = loadConfigFile((dir / "good.yaml").string(), m_registry);
  ASSERT_TRUE(good.config.has_value()) << good.diagnostics.describe();
  const auto& m = good.config->machines;
  ASSERT_EQ(m.size(), 3u);
  EXPECT_NE(m[0].script, nullptr);
  EXPECT_EQ(m[0].scriptName, "default shdr script");
  EXPECT_NE(m[1].script, nullptr);  // relative to the configuration file's folder
  EXPECT_EQ(m[1].scriptName, (dir / "scripts" / "good.yaml").string());
  EXPECT_EQ(m[2].script, nullptr);
  EXPECT_EQ(m[2].scriptName, "none");

  std::ofstream(dir / "bad.yaml") << "machines:\n"
                                     "  - {id: m1, type: shdr, host: 127.0.0.1, script: "
                                     "scripts/bad.yaml}\n"
                                     "  - {id: m2, type: shdr, host: 127.0.0.1, script: "
                                     "scripts/missing.yaml}\n";
  auto bad = loadConfigFile((dir / "bad.yaml").string(), m_registry);
  EXPECT_FALSE(bad.config.has_value());
  const std::string text = bad.diagnostics.describe();
  // The script's own problem at its own file:line, and the missing file at the config's line.
  EXPECT_NE(text.find((dir / "scripts" / "bad.yaml").string() + ":4:"), std::string::npos) << text;
  EXPECT_NE(text.find("bad.yaml:3:"), std::string::npos) << text;
  EXPECT_NE(text.find("cannot read script"), std::string::npos) << text;
  fs::remove_all(dir);
}

TEST_F(SpindleConfigTest, NetAndWebSectionsAreChecked) {
  auto ok = load(
      "net: {dns_preferred: [], dns_servers: ['127.0.0.1:5353'], ntp_servers: []}\n"
      "web: {bind: 127.0.0.1, port: 8080}\n"
      "machines:\n  - {id: m1, type: shdr, host: 127.0.0.1}\n");
  ASSERT_TRUE(ok.config.has_value()) << ok.diagnostics.describe();
  EXPECT_TRUE(ok.config->net.dnsPreferred.empty());
  EXPECT_EQ(ok.config->web.port.value, 8080);
  auto bad = load(
      "web: {bind: not-an-address}\nnett: {}\n"
      "machines:\n  - {id: m1, type: shdr, host: 127.0.0.1}\n");
  EXPECT_FALSE(bad.config.has_value());
  const std::string text = bad.diagnostics.describe();
  EXPECT_NE(text.find("bind must be an IP address"), std::string::npos) << text;
  EXPECT_NE(text.find("did you mean 'net'"), std::string::npos) << text;
}

TEST_F(SpindleConfigTest, DuplicateKeysAreRefusedWithBothLines) {
  auto r = load(
      "edge:\n"
      "  id: e1\n"
      "machines:\n"
      "  - id: mill-1\n"
      "    type: shdr\n"
      "    host: 10.0.0.5\n"
      "    host: 10.0.0.6\n");
  ASSERT_FALSE(r.config.has_value());
  ASSERT_EQ(r.diagnostics.size(), 1u) << r.diagnostics.describe();
  EXPECT_EQ(r.diagnostics.items()[0].line, 7);
  EXPECT_NE(r.diagnostics.items()[0].message.find("duplicate key 'host' (first at spindle.yaml:6)"),
            std::string::npos)
      << r.diagnostics.describe();
}

TEST_F(SpindleConfigTest, NumbersOutOfRangeAreRefused) {
  const std::string machine = "machines:\n  - {id: m1, type: shdr, host: 10.0.0.5, max_line: 0}\n";
  auto r = load("journal:\n  max_size: 99999999999 TB\noutput:\n  keep_files: -3\n" + machine);
  ASSERT_FALSE(r.config.has_value());
  const std::string text = r.diagnostics.describe();
  EXPECT_EQ(r.diagnostics.size(), 3u) << text;
  EXPECT_NE(text.find("spindle.yaml:2:13: 'max_size' in journal: '99999999999 TB' is too large"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("spindle.yaml:4:15: 'keep_files' in output must be 0 to 1000, not -3"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("'max_line' in machine 'm1' (shdr) must be 1KiB to 1GiB, not 0"),
            std::string::npos)
      << text;
}

// The catalog's bound per machine holds at least the collector's own items.
TEST_F(SpindleConfigTest, MaxKeysBelowMaxItemsIsRefused) {
  for (const char* type : {"shdr", "mtconnect_agent"}) {
    SCOPED_TRACE(type);
    const std::string host =
        std::string(type) == "shdr" ? "host: 10.0.0.5" : "url: http://10.0.0.5";
    auto r = load(std::string("machines:\n  - {id: m1, type: ") + type + ", " + host +
                  ", max_items: 500, max_keys: 100}\n");
    ASSERT_FALSE(r.config.has_value());
    const std::string text = r.diagnostics.describe();
    EXPECT_NE(text.find("max_keys (100) must be at least max_items (500)"), std::string::npos)
        << text;
    auto ok = load(std::string("machines:\n  - {id: m1, type: ") + type + ", " + host +
                   ", max_items: 500, max_keys: 500}\n");
    EXPECT_TRUE(ok.config.has_value()) << ok.diagnostics.describe();
  }
}

TEST_F(SpindleConfigTest, MachinesShareOneCompiledScript) {
  auto r = load(
      "machines:\n"
      "  - {id: m1, type: shdr, host: 10.0.0.5}\n"
      "  - {id: m2, type: shdr, host: 10.0.0.6}\n"
      "  - {id: m3, type: mtconnect_agent, url: 'http://10.0.0.7:5000'}\n"
      "  - {id: m4, type: mtconnect_agent, url: 'http://10.0.0.8:5000'}\n");
  ASSERT_TRUE(r.config.has_value()) << r.diagnostics.describe();
  const auto& m = r.config->machines;
  ASSERT_EQ(m.size(), 4u);
  ASSERT_NE(m[0].script, nullptr);
  EXPECT_EQ(m[0].script, m[1].script);  // compiled once, not once per machine
  ASSERT_NE(m[2].script, nullptr);
  EXPECT_EQ(m[2].script, m[3].script);
  EXPECT_NE(m[0].script, m[2].script);
}

TEST_F(SpindleConfigTest, AScriptThatItsCollectorWouldRefuseIsRefusedByValidate) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("spindle_cfg_writes_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "light.yaml") << "version: 2\nkeys: [alarm]\ncoils:\n  lamp: 3\n"
                                       "writes:\n  lamp: alarm == 'ON'\ndata-items: [lamp]\n";
  std::ofstream(dir / "goal.yaml")
      << "version: 2\nkeys: [part_count, macro_500]\ncoils:\n  lamp: 3\n"
         "writes:\n  macro_500: part_count + 1\n"
         "data-items: [part_count]\n";
  std::ofstream(dir / "run.yaml") << "version: 2\nkeys: [run]\nwrites:\n  run: 3\n";
  std::ofstream(dir / "spindle.yaml")
      << "machines:\n"
         "  - {id: p1, type: modbus_tcp, host: 127.0.0.1, script: none}\n"
         "  - {id: p2, type: modbus_tcp, host: 127.0.0.1, script: light.yaml}\n"
         "  - {id: p3, type: shdr, host: 127.0.0.1, script: light.yaml}\n"
         "  - {id: p4, type: modbus_tcp, host: 127.0.0.1, allow_write: true, script: light.yaml}\n"
         "  - {id: p5, type: modbus_tcp, host: 127.0.0.1, allow_write: true, script: goal.yaml}\n"
         "  - {id: p6, type: focas, host: 127.0.0.1, script: goal.yaml}\n"
         "  - {id: p7, type: focas, host: 127.0.0.1, allow_write: true, script: goal.yaml}\n"
         "  - {id: p8, type: focas, host: 127.0.0.1, allow_write: true, script: run.yaml}\n";
  auto loaded = loadConfigFile((dir / "spindle.yaml").string(), m_registry);
  EXPECT_FALSE(loaded.config.has_value());
  const std::string text = loaded.diagnostics.describe();
  EXPECT_NE(text.find("spindle.yaml:2:57: machine 'p1': a modbus_tcp machine reads the registers"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("machine 'p2': its script writes lamp and allow_write is off"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("the script of machine 'p3' has writes, and the shdr collector cannot write"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("machine 'p5': its script writes 'macro_500', which cannot be written: a "
                      "Modbus device is written through its holding registers and coils"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("machine 'p6': its script writes macro_500 and allow_write is off"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("machine 'p8': its script writes 'run', which cannot be written"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("'p4'"), std::string::npos) << text;
  EXPECT_EQ(text.find("'p7'"), std::string::npos) << text;
  EXPECT_EQ(loaded.diagnostics.size(), 6u) << text;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace spindle::app
