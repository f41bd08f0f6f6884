// Golden cases: every file in testdata/ is one line form, with input lines, the observations
// expected (as JSON lines), the commands expected and the rejections expected (substrings).
// Plus a replay of a real Okuma adapter log when the shared fixtures are present.

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "base/testing/fixtures.hpp"
#include "collectors/shdr/shdr_parser.hpp"
#include "model/json_encoder.hpp"

namespace spindle::collectors::shdr {
namespace {

namespace fs = std::filesystem;

constexpr TimestampNs kArrival = 1704067200LL * 1'000'000'000;  // 2024-01-01T00:00:00Z

// okuma.txt counted independently of this codec (a short script splitting lines on '|' and
// skipping multiline asset bodies): 25,659 observations over 90 keys, 9 '*' command lines.
constexpr std::size_t kOkumaObservations = 25659;
constexpr std::size_t kOkumaItems = 90;
constexpr std::size_t kOkumaCommands = 9;

struct GoldenCase {
  std::string input;
  std::vector<std::string> expect;
  std::vector<std::string> commands;
  std::vector<std::string> rejects;
  std::size_t maxLine = 1 << 20;
};

GoldenCase readCase(const fs::path& path) {
  std::ifstream in(path);
  GoldenCase c;
  std::string line;
  std::string section;
  while (std::getline(in, line)) {
    if (line.rfind("--- ", 0) == 0) {
      section = line.substr(4);
      continue;
    }
    if (section.empty() || (line.empty() && section != "input")) continue;  // header comments
    if (section == "input") {
      c.input += line + "\n";
    } else if (section == "expect") {
      c.expect.push_back(line);
    } else if (section == "commands") {
      c.commands.push_back(line);
    } else if (section == "reject") {
      c.rejects.push_back(line);
    } else if (section == "max_line") {
      c.maxLine = std::stoul(line);
    }
  }
  return c;
}

std::vector<fs::path> caseFiles() {
  std::vector<fs::path> files;
  for (const auto& e :
       fs::directory_iterator(fs::path(SPINDLE_SOURCE_DIR) / "src/collectors/shdr/testdata")) {
    if (e.path().extension() == ".case") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(ShdrGolden, EveryLineFormHasAPassingAndAFailingCase) {
  std::map<std::string, int> forms;
  for (const auto& f : caseFiles()) {
    const std::string stem = f.stem().string();  // <form>.pass or <form>.fail
    const auto dot = stem.rfind('.');
    ASSERT_NE(dot, std::string::npos) << f;
    forms[stem.substr(0, dot)] |= stem.substr(dot + 1) == "pass" ? 1 : 2;
  }
  EXPECT_GE(forms.size(), 15u);
  for (const auto& [form, bits] : forms) EXPECT_EQ(bits, 3) << form << " lacks a pass or fail case";
}

TEST(ShdrGolden, CasesProduceExactlyTheExpectedOutput) {
  const auto files = caseFiles();
  ASSERT_FALSE(files.empty());
  for (const auto& file : files) {
    SCOPED_TRACE(file.filename().string());
    const GoldenCase c = readCase(file);
    model::ItemCatalog catalog;
    const auto machine = catalog.addMachine("m");
    ParserOptions options;
    options.maxLineBytes = c.maxLine;
    ShdrParser parser(catalog, machine, options);
    ParseOutput out;
    parser.feed(c.input, kArrival, out);

    std::vector<std::string> got;
    for (const auto& obs : out.observations) {
      std::string json;
      model::appendJsonLine(json, obs, catalog);
      json.pop_back();
      got.push_back(json);
    }
    EXPECT_EQ(got, c.expect);

    std::vector<std::string> commands;
    for (const auto& cmd : out.commands) commands.push_back(cmd.name + " " + cmd.value);
    EXPECT_EQ(commands, c.commands);

    ASSERT_EQ(out.rejections.size(), c.rejects.size());
    for (size_t i = 0; i < c.rejects.size(); ++i) {
      EXPECT_NE(out.rejections[i].reason.find(c.rejects[i]), std::string::npos)
          << "rejection " << i << " was: " << out.rejections[i].reason;
    }
    const bool isFail = file.stem().string().ends_with(".fail");
    EXPECT_EQ(isFail, !c.rejects.empty()) << "a .fail case must reject, a .pass case must not";
  }
}

// The real log of an Okuma MULTUS U3000 (10,770 lines, recorded 2022-08-08), replayed through
// the codec in one pass: every line is parsed or rejected with a reason.
TEST(ShdrGolden, OkumaLogReplay) {
  const fs::path log = spindle::testing::fixturePath("mtconnect/okuma.txt");
  SPINDLE_NEEDS_FIXTURE(fs::exists(log), "fixture " << log << " is absent");
  std::ifstream in(log, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();

  model::ItemCatalog catalog;
  ShdrParser parser(catalog, catalog.addMachine("okuma"));
  ParseOutput out;
  parser.feed(text, kArrival, out);

  const auto& stats = parser.stats();
  EXPECT_EQ(stats.lines, 10770u);
  EXPECT_EQ(stats.rejected, out.rejections.size());
  for (const auto& r : out.rejections) {
    EXPECT_FALSE(r.reason.empty());
    ADD_FAILURE() << "line " << r.lineNumber << " rejected: " << r.reason << " | " << r.excerpt;
  }
  std::map<model::Kind, std::size_t> kinds;
  for (const auto& obs : out.observations) ++kinds[obs.kind];
  // Independent counts from the file itself: every @ASSET@ / @REMOVE_* line is one asset
  // observation, every *_cond line one condition.
  std::size_t assetLines = 0;
  std::size_t conditionLines = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("|@ASSET@|") != std::string::npos ||
        line.find("|@REMOVE_ASSET@|") != std::string::npos ||
        line.find("|@REMOVE_ALL_ASSETS@|") != std::string::npos) {
      ++assetLines;
    }
    if (line.find("_cond|") != std::string::npos || line.find("|system|") != std::string::npos) {
      ++conditionLines;
    }
  }
  EXPECT_EQ(kinds[model::Kind::kAsset], assetLines);
  EXPECT_EQ(kinds[model::Kind::kCondition], conditionLines);
  EXPECT_EQ(stats.observations, out.observations.size());
  EXPECT_EQ(out.observations.size(), kOkumaObservations);
  EXPECT_EQ(catalog.itemCount(), kOkumaItems);
  EXPECT_EQ(out.commands.size(), kOkumaCommands);
}

}  // namespace
}  // namespace spindle::collectors::shdr
