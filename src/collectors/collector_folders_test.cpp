// The folder convention (docs/architecture.md, "Collector kit"): every folder under
// src/collectors/ but testing/ is one collector, and has every part a newcomer expects to find.
// The folders are discovered, so a new protocol is held to the convention the day it lands.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include "collectors/registry.hpp"

namespace spindle::collectors {
namespace {

namespace fs = std::filesystem;

const fs::path kRoot(SPINDLE_SOURCE_DIR);

/// Folders that hold support for every collector, not a collector.
const std::set<std::string> kNotCollectors{"testing"};

std::vector<fs::path> collectorFolders() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(kRoot / "src/collectors")) {
    if (e.is_directory() && !kNotCollectors.count(e.path().filename().string())) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// Whether `dir` has a file whose name ends with `suffix`.
bool hasFileEnding(const fs::path& dir, const std::string& suffix) {
  if (!fs::is_directory(dir)) return false;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().ends_with(suffix)) return true;
  }
  return false;
}

/// What the folder lacks, one line each; empty when it follows the convention.
std::vector<std::string> missingParts(const fs::path& dir) {
  const std::string name = dir.filename().string();
  std::vector<std::string> missing;
  auto need = [&](bool present, const std::string& what) {
    if (!present) missing.push_back(what);
  };
  for (const char* file : {"_collector.hpp", "_collector.cpp", "_options.hpp", "_options.cpp",
                           "_default_script.yaml", ".sample.yaml"}) {
    need(fs::exists(dir / (name + file)), name + file);
  }
  need(hasFileEnding(dir, "_codec.cpp") || hasFileEnding(dir, "_parser.cpp"),
       "a codec (*_codec.cpp or *_parser.cpp)");
  need(hasFileEnding(dir, "_session.cpp"), "a session (*_session.cpp)");
  need(fs::exists(dir / "README.md"), "README.md");
  need(fs::exists(dir / "CMakeLists.txt"), "CMakeLists.txt");
  need(hasFileEnding(dir / "testdata", ".pass.case"), "testdata/<form>.pass.case");
  need(hasFileEnding(dir / "testdata", ".fail.case"), "testdata/<form>.fail.case");
  need(hasFileEnding(dir, "_test.cpp"), "tests beside the code (*_test.cpp)");
  need(fs::exists(kRoot / "docs/collectors" / (name + ".md")), "docs/collectors/" + name + ".md");
  return missing;
}

TEST(CollectorFolders, EveryCollectorFolderHasEveryPart) {
  const auto folders = collectorFolders();
  ASSERT_GE(folders.size(), 2u);
  for (const auto& dir : folders) {
    for (const auto& part : missingParts(dir)) {
      ADD_FAILURE() << "src/collectors/" << dir.filename().string() << " lacks " << part;
    }
  }
}

TEST(CollectorFolders, AFolderWithoutItsPartsIsCaught) {
  const fs::path dir = fs::temp_directory_path() / ("spindle_folder_" + std::to_string(getpid()));
  // A protocol no folder will ever be named after, so its docs page never exists.
  const fs::path folder = dir / "no_such_protocol";
  fs::create_directories(folder / "testdata");
  std::ofstream(folder / "no_such_protocol_collector.cpp") << "";
  std::ofstream(folder / "testdata/read.pass.case") << "";
  const auto missing = missingParts(folder);
  fs::remove_all(dir);
  EXPECT_EQ(std::count(missing.begin(), missing.end(), "testdata/<form>.fail.case"), 1);
  EXPECT_EQ(std::count(missing.begin(), missing.end(), "README.md"), 1);
  EXPECT_EQ(std::count(missing.begin(), missing.end(), "no_such_protocol_collector.cpp"), 0);
  EXPECT_EQ(std::count(missing.begin(), missing.end(), "docs/collectors/no_such_protocol.md"), 1);
}

TEST(CollectorFolders, EachSampleConfigurationValidatesWithItsCollector) {
  Registry registry;
  registerBuiltinCollectors(registry);
  for (const auto& dir : collectorFolders()) {
    const std::string name = dir.filename().string();
    const CollectorInfo* info = registry.find(name);
    if (info == nullptr) {
      // Built with SPINDLE_COLLECTOR_<NAME>=OFF: the folder is still checked above.
      std::cout << "[ NOTE ] collector '" << name << "' is not compiled in; sample not checked\n";
      continue;
    }
    SCOPED_TRACE(name);
    const fs::path sample = dir / (name + ".sample.yaml");
    ASSERT_TRUE(fs::exists(sample));
    const YAML::Node root = YAML::LoadFile(sample.string());
    ASSERT_TRUE(root["machines"].IsSequence());
    std::size_t own = 0;
    for (const auto& block : root["machines"]) {
      if (block["type"].as<std::string>() != name) continue;
      ++own;
      config::Diagnostics diags;
      EXPECT_NE(info->create(block, block["id"].as<std::string>(), diags), nullptr)
          << diags.describe();
    }
    EXPECT_GE(own, 1u) << sample << " has no machine of type " << name;
  }
}

TEST(CollectorFolders, EveryRegisteredCollectorHasItsFolder) {
  Registry registry;
  registerBuiltinCollectors(registry);
  for (const auto& name : registry.names()) {
    EXPECT_TRUE(fs::is_directory(kRoot / "src/collectors" / name)) << name;
    EXPECT_NE(registry.find(name)->defaultPort, 0) << name << " declares no default port";
  }
}

}  // namespace
}  // namespace spindle::collectors
