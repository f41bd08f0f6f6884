// Golden cases (collectors/testing/golden_cases.hpp): every file in testdata/ is one line form,
// with input lines, the observations, commands and rejections expected. Plus a replay of a real
// Okuma adapter log when the shared fixtures are present.

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "base/testing/fixtures.hpp"
#include "collectors/shdr/shdr_parser.hpp"
#include "collectors/testing/golden_cases.hpp"

namespace spindle::collectors::shdr {
namespace {

namespace fs = std::filesystem;

constexpr TimestampNs kArrival = 1704067200LL * 1'000'000'000;  // 2024-01-01T00:00:00Z

// okuma.txt counted independently of this codec (a short script splitting lines on '|' and
// skipping multiline asset bodies): 25,659 observations over 90 keys, 9 '*' command lines.
constexpr std::size_t kOkumaObservations = 25659;
constexpr std::size_t kOkumaItems = 90;
constexpr std::size_t kOkumaCommands = 9;

TEST(ShdrGolden, CasesProduceExactlyTheExpectedOutput) {
  testing::runGoldenCases(fs::path(SPINDLE_SOURCE_DIR) / "src/collectors/shdr/testdata", 15,
                          [](const testing::GoldenCase& c) {
                            model::ItemCatalog catalog;
                            const auto machine = catalog.addMachine("m");
                            ParserOptions options;
                            options.maxLineBytes = std::stoul(c.value("max_line", "1048576"));
                            ShdrParser parser(catalog, machine, options);
                            ParseOutput out;
                            parser.feed(c.input, kArrival, out);
                            testing::GoldenOutput got;
                            got.addObservations(out.observations, catalog);
                            auto& commands = got.exact["commands"];
                            for (const auto& cmd : out.commands) {
                              commands.push_back(cmd.name + " " + cmd.value);
                            }
                            for (const auto& r : out.rejections) got.rejections.push_back(r.reason);
                            return got;
                          });
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
