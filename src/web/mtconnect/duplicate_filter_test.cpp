// The MTConnect buffer's duplicate filter (web.filter_duplicates): what repeats an item's
// latest value takes no entry and no sequence number; what says something new always does.

#include <gtest/gtest.h>

#include "web/mtconnect/observation_index.hpp"

namespace spindle::web::mtconnect {
namespace {

model::Observation event(model::ItemId item, model::Value v,
                         model::Kind kind = model::Kind::kEvent) {
  return model::Observation{0, item, 1, kind, 0, std::move(v)};
}

model::Observation condition(model::Level level, std::string code, std::string text = "") {
  return event(9,
               model::Value(std::make_shared<const model::Condition>(
                   model::Condition{level, std::move(code), "", "", std::move(text)})),
               model::Kind::kCondition);
}

/// Applies each observation as a batch of its own, and returns the values /sample shows, one
/// text per entry in sequence order.
std::vector<std::string> feed(bool filter, const std::vector<model::Observation>& observations,
                              std::uint64_t* next = nullptr) {
  state::StateStore store(4096);
  ObservationIndex index(store, 16, nullptr, 0, filter);
  for (const auto& o : observations) store.apply(model::Batch{o});
  index.refresh();
  std::vector<Entry> out;
  index.sample(
      index.firstSequence(), 1000, [](model::ItemId) { return true; }, out);
  std::vector<std::string> shown;
  std::uint64_t expected = index.firstSequence();
  for (const auto& e : out) {
    EXPECT_EQ(e.sequence, expected++);  // no gaps: a value left out takes no number
    const auto& v = e.observation.value;
    if (const auto* c = std::get_if<std::shared_ptr<const model::Condition>>(&v)) {
      shown.push_back(std::string(model::toString((*c)->level)) + ":" + (*c)->nativeCode + ":" +
                      (*c)->text);
    } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
      shown.push_back(std::to_string(*i));
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      shown.push_back(*s);
    } else if (std::holds_alternative<model::Unavailable>(v)) {
      shown.push_back("UNAVAILABLE");
    } else {
      shown.push_back("?");
    }
  }
  if (next) *next = index.nextSequence();
  return shown;
}

TEST(DuplicateFilter, SamplesAndEventsShowChangesOnly) {
  const std::vector<model::Observation> stream{event(1, std::string("ACTIVE")),
                                               event(1, std::string("ACTIVE")),
                                               event(2, std::int64_t{5}, model::Kind::kSample),
                                               event(1, std::string("ACTIVE")),
                                               event(2, std::int64_t{5}, model::Kind::kSample),
                                               event(2, std::int64_t{6}, model::Kind::kSample),
                                               event(1, model::Unavailable{}),
                                               event(1, model::Unavailable{}),
                                               event(1, std::string("ACTIVE"))};
  std::uint64_t next = 0;
  EXPECT_EQ(feed(true, stream, &next),
            (std::vector<std::string>{"ACTIVE", "5", "6", "UNAVAILABLE", "ACTIVE"}));
  EXPECT_EQ(next, 6u);
  // Off: every observation is served.
  EXPECT_EQ(feed(false, stream).size(), stream.size());
}

TEST(DuplicateFilter, ConditionsRepeatOnlyWhenSomethingChanges) {
  using model::Level;
  const std::vector<model::Observation> stream{
      condition(Level::kNormal, ""),             // first state: shown
      condition(Level::kNormal, ""),             // normal again: left out
      condition(Level::kFault, "10", "Hot"),     // new activation
      condition(Level::kFault, "10", "Hot"),     // the same again: left out
      condition(Level::kWarning, "11", "Low"),   // another code
      condition(Level::kFault, "10", "Hotter"),  // the text changed: shown
      condition(Level::kNormal, "12"),           // clears a code that is not active: left out
      condition(Level::kNormal, "10"),           // clears 10: shown
      condition(Level::kNormal, ""),             // clears 11: shown
      condition(Level::kNormal, "11"),           // nothing active: left out
      condition(Level::kUnavailable, ""),        // shown
      event(9, model::Unavailable{}, model::Kind::kCondition),  // still unavailable: left out
      condition(Level::kNormal, "10")};                         // back to normal: shown
  EXPECT_EQ(feed(true, stream), (std::vector<std::string>{
                                    "NORMAL::", "FAULT:10:Hot", "WARNING:11:Low", "FAULT:10:Hotter",
                                    "NORMAL:10:", "NORMAL::", "UNAVAILABLE::", "NORMAL:10:"}));
}

TEST(DuplicateFilter, MessagesAreAlwaysNews) {
  auto message = [] {
    return event(
        4, model::Value(std::make_shared<const model::Message>(model::Message{"", "Load T4"})),
        model::Kind::kMessage);
  };
  EXPECT_EQ(feed(true, {message(), message(), message()}).size(), 3u);
}

}  // namespace
}  // namespace spindle::web::mtconnect
