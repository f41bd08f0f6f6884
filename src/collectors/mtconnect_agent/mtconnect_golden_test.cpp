// Golden cases: every file in testdata/ is one document form, with the document, the
// observations expected (JSON lines, in sequence order), the agent errors expected, and the
// rejections or the document failure expected (substrings). One .pass and one .fail per form.

#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

#include "collectors/mtconnect_agent/mtconnect_codec.hpp"
#include "model/json_encoder.hpp"

namespace spindle::collectors::mtconnect_agent {
namespace {

namespace fs = std::filesystem;

constexpr TimestampNs kArrival = 1704067200LL * 1'000'000'000;

struct GoldenCase {
  std::string input;
  std::vector<std::string> expect;
  std::vector<std::string> errors;
  std::vector<std::string> rejects;
  std::string status;
};

GoldenCase readCase(const fs::path& path) {
  std::ifstream in(path);
  GoldenCase c;
  std::string line, section;
  while (std::getline(in, line)) {
    if (line.rfind("--- ", 0) == 0) {
      section = line.substr(4);
      continue;
    }
    if (section.empty() || line.empty()) continue;
    if (section == "input") c.input += line + "\n";
    if (section == "expect") c.expect.push_back(line);
    if (section == "errors") c.errors.push_back(line);
    if (section == "reject") c.rejects.push_back(line);
    if (section == "status") c.status = line;
  }
  return c;
}

std::vector<fs::path> caseFiles() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(SPINDLE_SOURCE_DIR) /
                                              "src/collectors/mtconnect_agent/testdata")) {
    if (e.path().extension() == ".case") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(MtconnectGolden, EveryDocumentFormHasAPassingAndAFailingCase) {
  std::map<std::string, int> forms;
  for (const auto& f : caseFiles()) {
    const std::string stem = f.stem().string();
    const auto dot = stem.rfind('.');
    ASSERT_NE(dot, std::string::npos) << f;
    forms[stem.substr(0, dot)] |= stem.substr(dot + 1) == "pass" ? 1 : 2;
  }
  EXPECT_GE(forms.size(), 10u);
  for (const auto& [form, bits] : forms) EXPECT_EQ(bits, 3) << form << " lacks a pass or fail case";
}

TEST(MtconnectGolden, CasesProduceExactlyTheExpectedOutput) {
  const auto files = caseFiles();
  ASSERT_FALSE(files.empty());
  for (const auto& file : files) {
    SCOPED_TRACE(file.filename().string());
    const GoldenCase c = readCase(file);
    model::ItemCatalog catalog;
    StreamsDecoder decoder(catalog, catalog.addMachine("m"), {});
    std::string body = c.input;
    StreamsOutput out;
    const Status status = decoder.decode(body, kArrival, out);
    const bool isFail = file.stem().string().ends_with(".fail");
    if (!c.status.empty()) {
      ASSERT_FALSE(status.ok());
      EXPECT_NE(status.error().message().find(c.status), std::string::npos)
          << status.error().message();
      EXPECT_TRUE(isFail);
      continue;
    }
    ASSERT_TRUE(status.ok()) << status.error().describe();
    std::vector<std::string> got;
    for (const auto& obs : out.observations) {
      std::string json;
      model::appendJsonLine(json, obs, catalog);
      json.pop_back();
      got.push_back(json);
    }
    EXPECT_EQ(got, c.expect);
    std::vector<std::string> errors;
    for (const auto& e : out.errors) errors.push_back(e.code + " " + e.text);
    EXPECT_EQ(errors, c.errors);
    ASSERT_EQ(out.rejections.size(), c.rejects.size());
    for (size_t i = 0; i < c.rejects.size(); ++i) {
      EXPECT_NE(out.rejections[i].reason.find(c.rejects[i]), std::string::npos)
          << "rejection " << i << " was: " << out.rejections[i].reason;
    }
    EXPECT_EQ(isFail, !c.rejects.empty()) << "a .fail case must reject, a .pass case must not";
    if (std::getenv("SPINDLE_GOLDEN_PRINT")) {
      for (const auto& g : got) std::printf("%s\n", g.c_str());
    }
  }
}

}  // namespace
}  // namespace spindle::collectors::mtconnect_agent
