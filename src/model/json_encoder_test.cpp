#include "model/json_encoder.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace spindle::model {
namespace {

TEST(JsonEncoder, EscapesControlCharactersAndQuotes) {
  std::string out;
  appendJsonString(out, "a\"b\\c\n\x01");
  EXPECT_EQ(out, R"("a\"b\\c\n\u0001")");
}

TEST(JsonEncoder, EveryValueKindIsValidJson) {
  ItemCatalog catalog;
  const auto m = catalog.addMachine("mill \"1\"");
  const auto item = catalog.intern(m, "key").value();
  std::vector<Value> values{
      Unavailable{},
      true,
      std::int64_t{-5},
      2.5,
      std::string("text\n"),
      std::vector<double>{1, 2},
      std::make_shared<const Condition>(Condition{Level::kFault, "E1", "2", "HIGH", "hot"}),
      std::make_shared<const Message>(Message{"M1", "hello"}),
      std::make_shared<const TimeSeries>(TimeSeries{100, {1, 2, 3}}),
      std::make_shared<const DataSet>(DataSet{true, {{"a", "1", {}, false}, {"b", "", {}, true}}}),
      std::make_shared<const Asset>(Asset{Asset::Action::kAdd, "T1", "CuttingTool", "<x/>"})};
  for (const auto& v : values) {
    std::string line;
    appendJsonLine(line, Observation{m, item, 0, Kind::kEvent, kFlagUntrustedClock, v}, catalog);
    ASSERT_EQ(line.back(), '\n');
    const auto parsed = nlohmann::json::parse(line);
    EXPECT_EQ(parsed["machine"], "mill \"1\"");
    EXPECT_EQ(parsed["untrusted_clock"], true);
  }
}

}  // namespace
}  // namespace spindle::model
