#include "web/mtconnect/observation_index.hpp"

#include <gtest/gtest.h>

namespace spindle::web::mtconnect {
namespace {

TEST(ObservationIndex, ActiveConditionsPerItemAreBounded) {
  state::StateStore store(4096);
  ObservationIndex index(store, 16);
  model::Batch batch;
  for (int i = 0; i < 1000; ++i) {
    auto c = std::make_shared<model::Condition>();
    c->level = model::Level::kFault;
    c->nativeCode = "C" + std::to_string(i);
    batch.push_back(model::Observation{0, 7, i, model::Kind::kCondition, 0,
                                       std::shared_ptr<const model::Condition>(std::move(c))});
  }
  store.apply(batch);
  index.refresh();
  std::vector<Entry> out;
  ASSERT_TRUE(index.current(
      std::nullopt, [](model::ItemId) { return true; }, out));
  ASSERT_EQ(out.size(), kMaxActiveConditions);
  // The newest codes are kept.
  const auto& last =
      std::get<std::shared_ptr<const model::Condition>>(out.back().observation.value);
  EXPECT_EQ(last->nativeCode, "C999");
}

}  // namespace
}  // namespace spindle::web::mtconnect
