// Golden cases (collectors/testing/golden_cases.hpp): every file in testdata/ is one document
// form, with the document, the observations expected (JSON lines, in sequence order), the agent
// errors expected, and the rejections or the document failure expected.

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "collectors/mtconnect_agent/mtconnect_codec.hpp"
#include "collectors/testing/golden_cases.hpp"

namespace spindle::collectors::mtconnect_agent {
namespace {

namespace fs = std::filesystem;

constexpr TimestampNs kArrival = 1704067200LL * 1'000'000'000;

TEST(MtconnectGolden, CasesProduceExactlyTheExpectedOutput) {
  testing::runGoldenCases(fs::path(SPINDLE_SOURCE_DIR) / "src/collectors/mtconnect_agent/testdata",
                          10, [](const testing::GoldenCase& c) {
                            model::ItemCatalog catalog;
                            StreamsDecoder decoder(catalog, catalog.addMachine("m"), {});
                            std::string body = c.input;
                            StreamsOutput out;
                            testing::GoldenOutput got;
                            if (const Status status = decoder.decode(body, kArrival, out);
                                !status) {
                              got.failure = status.error().message();
                              return got;
                            }
                            got.addObservations(out.observations, catalog);
                            auto& errors = got.exact["errors"];
                            for (const auto& e : out.errors)
                              errors.push_back(e.code + " " + e.text);
                            for (const auto& r : out.rejections) got.rejections.push_back(r.reason);
                            if (std::getenv("SPINDLE_GOLDEN_PRINT")) {
                              for (const auto& g : got.observations) std::printf("%s\n", g.c_str());
                            }
                            return got;
                          });
}

}  // namespace
}  // namespace spindle::collectors::mtconnect_agent
