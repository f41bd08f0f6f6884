#include "collectors/input_guard.hpp"

#include <gtest/gtest.h>

namespace spindle::collectors {
namespace {

model::Observation condition(model::ItemId item, model::Level level, std::string code) {
  auto c = std::make_shared<model::Condition>();
  c->level = level;
  c->nativeCode = std::move(code);
  return model::Observation{0, item,
                            1, model::Kind::kCondition,
                            0, std::shared_ptr<const model::Condition>(std::move(c))};
}

model::Observation asset(std::string id, std::size_t bytes,
                         model::Asset::Action action = model::Asset::Action::kAdd) {
  auto a = std::make_shared<model::Asset>();
  a->action = action;
  a->id = std::move(id);
  a->type = "CuttingTool";
  a->document = std::string(bytes, 'x');
  return model::Observation{
      0, 99, 1, model::Kind::kAsset, 0, std::shared_ptr<const model::Asset>(std::move(a))};
}

TEST(InputGuard, ActiveConditionCodesPerItemAreBounded) {
  InputLimits limits;
  limits.maxConditions = 3;
  InputGuard guard(limits);
  model::Batch batch;
  for (int i = 0; i < 10; ++i)
    batch.push_back(condition(1, model::Level::kFault, std::to_string(i)));
  batch.push_back(condition(1, model::Level::kFault, "1"));    // an active code may repeat
  batch.push_back(condition(2, model::Level::kWarning, "a"));  // another item has its own share
  std::vector<InputGuard::Refused> why;
  guard.filter(batch, why);
  ASSERT_EQ(batch.size(), 5u);
  EXPECT_EQ(why.size(), 7u);
  EXPECT_EQ(guard.refusals().conditions, 7u);
  EXPECT_NE(why[0].reason.find("max_conditions"), std::string::npos);

  // Clearing a code makes room; clearing all makes room for three.
  batch = {condition(1, model::Level::kNormal, "0"), condition(1, model::Level::kFault, "7"),
           condition(1, model::Level::kFault, "8")};
  why.clear();
  guard.filter(batch, why);
  EXPECT_EQ(batch.size(), 2u);
  batch = {condition(1, model::Level::kNormal, ""), condition(1, model::Level::kFault, "x"),
           condition(1, model::Level::kFault, "y"), condition(1, model::Level::kFault, "z")};
  why.clear();
  guard.filter(batch, why);
  EXPECT_EQ(batch.size(), 4u);
  EXPECT_TRUE(why.empty());
}

TEST(InputGuard, AssetsAreBoundedInCountAndSize) {
  InputLimits limits;
  limits.maxAssets = 2;
  limits.maxAssetSize = ByteSize{1000};
  InputGuard guard(limits);
  model::Batch batch{asset("a", 10), asset("b", 10), asset("c", 10), asset("a", 20),
                     asset("d", 5000)};
  std::vector<InputGuard::Refused> why;
  guard.filter(batch, why);
  ASSERT_EQ(batch.size(), 3u);  // a, b, a again (an update)
  EXPECT_EQ(guard.refusals().assets, 2u);
  batch = {asset("a", 0, model::Asset::Action::kRemove), asset("c", 10)};
  why.clear();
  guard.filter(batch, why);
  EXPECT_EQ(batch.size(), 2u);
  EXPECT_TRUE(why.empty());
}

TEST(InputGuard, LargeValuesAreRefusedAndSmallOnesKeepTheirOrder) {
  InputLimits limits;
  limits.maxValueSize = ByteSize{100};
  InputGuard guard(limits);
  model::Batch batch;
  for (int i = 0; i < 4; ++i) {
    batch.push_back(model::Observation{0, static_cast<model::ItemId>(i), 1, model::Kind::kEvent, 0,
                                       std::string(i % 2 == 0 ? 10 : 1000, 'v')});
  }
  auto msg = std::make_shared<const model::Message>(model::Message{"", std::string(500, 'm')});
  batch.push_back(model::Observation{0, 9, 1, model::Kind::kMessage, 0, msg});
  std::vector<InputGuard::Refused> why;
  guard.filter(batch, why);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0].item, 0u);
  EXPECT_EQ(batch[1].item, 2u);
  EXPECT_EQ(guard.refusals().values, 3u);
}

}  // namespace
}  // namespace spindle::collectors
