#include "model/same_value.hpp"

#include <gtest/gtest.h>

namespace spindle::model {
namespace {

TEST(SameValue, ComparesSharedPayloadsByWhatTheyHold) {
  auto fault = [](std::string text) {
    return Value(std::make_shared<const Condition>(
        Condition{Level::kFault, "1010", "", "", std::move(text)}));
  };
  EXPECT_TRUE(sameValue(fault("Overheat"), fault("Overheat")));  // two objects, one content
  EXPECT_FALSE(sameValue(fault("Overheat"), fault("Overload")));
  auto message = [](std::string text) {
    return Value(std::make_shared<const Message>(Message{"M1", std::move(text)}));
  };
  EXPECT_TRUE(sameValue(message("Load tool 4"), message("Load tool 4")));
  EXPECT_FALSE(sameValue(message("Load tool 4"), message("Load tool 5")));
  EXPECT_TRUE(
      sameValue(Value(std::shared_ptr<const Message>()), Value(std::shared_ptr<const Message>())));
  EXPECT_FALSE(sameValue(Value(std::shared_ptr<const Message>()), message("x")));
}

TEST(SameValue, PlainValuesNeedTheSameTypeAndValue) {
  EXPECT_TRUE(sameValue(Value(std::int64_t{5}), Value(std::int64_t{5})));
  EXPECT_FALSE(sameValue(Value(std::int64_t{5}), Value(5.0)));  // a type change is news
  EXPECT_TRUE(sameValue(Value(std::string("ACTIVE")), Value(std::string("ACTIVE"))));
  EXPECT_TRUE(sameValue(Value(Unavailable{}), Value(Unavailable{})));
  EXPECT_FALSE(sameValue(Value(Unavailable{}), Value(std::string("UNAVAILABLE"))));
  EXPECT_TRUE(sameValue(Value(std::vector<double>{1, 2}), Value(std::vector<double>{1, 2})));
}

}  // namespace
}  // namespace spindle::model
