#include "uplinks/registry.hpp"

#include <gtest/gtest.h>

#include "uplinks/file/file_uplink.hpp"

namespace spindle::uplinks {
namespace {

struct Loaded {
  std::vector<UplinkEntry> entries;
  std::vector<std::string> warnings;
  std::string problems;
};

Loaded load(const std::string& yaml) {
  Loaded out;
  config::Diagnostics diags("spindle.yaml");
  out.entries = loadUplinks(YAML::Load(yaml), builtinUplinks(), diags, out.warnings);
  out.problems = diags.describe();
  return out;
}

std::vector<std::string> names(const Loaded& l) {
  std::vector<std::string> out;
  for (const auto& e : l.entries) out.push_back(e.name);
  return out;
}

TEST(UplinkRegistry, EveryBuiltinUplinkRegistersItselfWithItsOptions) {
  const auto& r = builtinUplinks();
  ASSERT_NE(r.find("file"), nullptr);
  ASSERT_NE(r.find("nats"), nullptr);
  EXPECT_EQ(r.find("nats")->defaultPort, 7422);
  for (const auto& name : r.names()) {
    const UplinkType& t = *r.find(name);
    EXPECT_FALSE(t.description.empty()) << name;
    EXPECT_FALSE(t.options.empty()) << name;
    EXPECT_TRUE(t.load && t.create) << name;
  }
}

TEST(UplinkRegistry, TheFileUplinkRunsByDefaultAndCanBeTurnedOff) {
  auto l = load("edge: {id: e1}\n");
  EXPECT_EQ(names(l), (std::vector<std::string>{"file"}));
  EXPECT_EQ(std::any_cast<const file::FileOptions&>(l.entries[0].options).path,
            "observations.jsonl");
  l = load("uplinks:\n  file: {enabled: false}\n");
  EXPECT_TRUE(l.entries.empty()) << l.problems;
  EXPECT_TRUE(l.problems.empty()) << l.problems;
}

TEST(UplinkRegistry, OutputIsTheDeprecatedNameOfUplinksFile) {
  auto l = load("output:\n  path: a.jsonl\n");
  ASSERT_EQ(names(l), (std::vector<std::string>{"file"}));
  EXPECT_EQ(std::any_cast<const file::FileOptions&>(l.entries[0].options).path, "a.jsonl");
  ASSERT_EQ(l.warnings.size(), 1u);
  EXPECT_NE(l.warnings[0].find("uplinks: file:"), std::string::npos) << l.warnings[0];
  l = load("output:\n  path: a.jsonl\nuplinks:\n  file:\n    path: b.jsonl\n");
  EXPECT_NE(l.problems.find("output: and uplinks: file: both configure the file uplink"),
            std::string::npos)
      << l.problems;
}

TEST(UplinkRegistry, UnknownUplinksAndKeysAreNamed) {
  auto l = load("uplinks:\n  kafka: {}\n  file:\n    rotate: 5\n");
  EXPECT_NE(l.problems.find("spindle.yaml:2:3: unknown uplink 'kafka'"), std::string::npos)
      << l.problems;
  EXPECT_NE(l.problems.find("available: file, https, nats"), std::string::npos) << l.problems;
  EXPECT_NE(l.problems.find("unknown key 'rotate' in uplinks.file"), std::string::npos)
      << l.problems;
}

TEST(UplinkRegistry, TheNatsUplinkNeedsTheCloudLinksConnection) {
  auto l = load("uplinks:\n  nats:\n    servers: [nats://127.0.0.1:4222]\n");
  ASSERT_TRUE(l.problems.empty()) << l.problems;
  ASSERT_EQ(names(l), (std::vector<std::string>{"file", "nats"}));
  model::ItemCatalog catalog;
  UplinkEnv env;
  env.catalog = &catalog;
  auto made = builtinUplinks().find("nats")->create(l.entries[1].options, env);
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.error().describe().find("no NATS connection"), std::string::npos);
}

}  // namespace
}  // namespace spindle::uplinks
