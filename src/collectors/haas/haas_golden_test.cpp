// Golden cases (collectors/testing/golden_cases.hpp): every file in testdata/ is one reply form.
// Sections: `queries` (the commands sent, in order: "Q104", "Q600 3027 macro_3027"), `input`
// (the bytes the control sent; <STX>, <ETB>, <CR> stand for 0x02, 0x17 and CR, and every input
// line ends with LF), `expect`, `reject`, and `answered` (the queries that got their answer).
// The bytes are fed one at a time, so every case also proves reassembly across any split.

#include <filesystem>
#include <sstream>

#include <gtest/gtest.h>

#include "collectors/haas/haas_codec.hpp"
#include "collectors/testing/golden_cases.hpp"

namespace spindle::collectors::haas {
namespace {

namespace fs = std::filesystem;

constexpr TimestampNs kArrival = 1704067200LL * 1'000'000'000;  // 2024-01-01T00:00:00Z

std::string unescape(std::string text) {
  const std::pair<std::string, char> kTokens[] = {
      {"<STX>", '\x02'}, {"<ETB>", '\x17'}, {"<CR>", '\r'}, {"<NUL>", '\0'}};
  for (const auto& [token, byte] : kTokens) {
    for (auto at = text.find(token); at != std::string::npos; at = text.find(token, at + 1)) {
      text.replace(at, token.size(), 1, byte);
    }
  }
  return text;
}

Query parseQuery(const std::string& line) {
  Query q;
  std::istringstream in(line.substr(1));
  in >> q.code;
  if (q.code == 600) in >> q.variable >> q.key;
  return q;
}

TEST(HaasGolden, CasesProduceExactlyTheExpectedOutput) {
  testing::runGoldenCases(
      fs::path(SPINDLE_SOURCE_DIR) / "src/collectors/haas/testdata", 7,
      [](const testing::GoldenCase& c) {
        model::ItemCatalog catalog;
        HaasCodec codec(catalog, catalog.addMachine("m"), std::stoul(c.value("max_reply", "1024")));
        std::vector<Query> queries;
        for (const auto& line : c.lines("queries")) queries.push_back(parseQuery(line));
        const std::string input = unescape(c.input);
        testing::GoldenOutput got;
        auto& answered = got.exact["answered"];
        std::size_t next = 0;
        CodecOutput out;
        for (char byte : input) {
          out.clear();
          codec.feed(std::string_view(&byte, 1), next < queries.size() ? &queries[next] : nullptr,
                     kArrival, out);
          got.addObservations(out.observations, catalog);
          for (auto& r : out.rejections) got.rejections.push_back(std::move(r));
          if (out.answered) answered.push_back(queries[next++].name());
        }
        return got;
      });
}

}  // namespace
}  // namespace spindle::collectors::haas
