// fleet watch's alert lines (on the first refresh for what is already wrong, then only on
// changes, a line when an edge is back), and the outcomes `config set` and `update` wait for.

#include "fleet/alert_tracker.hpp"

#include <gtest/gtest.h>

#include "fleet/heartbeat_watch.hpp"

namespace spindle::fleet {
namespace {

const TimestampNs kNow = parseTimestamp("2027-01-15T08:00:00Z").value();

EdgeRow row(const std::string& edge, EdgeState state, const std::string& why = "") {
  EdgeRow r;
  r.edge = edge;
  r.state = state;
  r.why = why;
  r.receivedAt = kNow - 1'000'000'000;
  return r;
}

TEST(AlertTracker, ReportsChangesOnly) {
  AlertTracker alerts;
  EXPECT_EQ(
      alerts.update({row("e1", EdgeState::kOk), row("e2", EdgeState::kBehind, "journal 2m")}, kNow),
      std::vector<std::string>{"08:00:00 ALERT e2 behind: journal 2m"});
  EXPECT_TRUE(
      alerts.update({row("e1", EdgeState::kOk), row("e2", EdgeState::kBehind, "journal 3m")}, kNow)
          .empty());
  EXPECT_EQ(
      alerts.update(
          {row("e1", EdgeState::kSilent, "no heartbeat for 40s"), row("e2", EdgeState::kOk)}, kNow),
      (std::vector<std::string>{"08:00:00 ALERT e1 silent: no heartbeat for 40s",
                                "08:00:00 e2 caught up"}));
  EXPECT_EQ(alerts.update({row("e1", EdgeState::kOk), row("e2", EdgeState::kOk)}, kNow),
            std::vector<std::string>{"08:00:00 e1 is back: heartbeat 1.0s ago"});
}

TEST(FleetOutcomes, ConfigAppliedRejectedOrStillWaiting) {
  using nlohmann::json;
  EXPECT_EQ(configOutcome(json::parse(R"({"config":{"version":"kv:5"}})"), "kv:5"), Outcome::kDone);
  EXPECT_EQ(configOutcome(json::parse(R"({"config":{"version":"kv:4","rejected_version":"kv:5"}})"),
                          "kv:5"),
            Outcome::kFailed);
  EXPECT_EQ(configOutcome(json::parse(R"({"config":{"version":"kv:4"}})"), "kv:5"),
            Outcome::kWaiting);
  EXPECT_EQ(configOutcome(json::parse(R"({"config":null})"), "kv:5"), Outcome::kWaiting);
}

TEST(FleetOutcomes, UpdateRunningRefusedOrRolledBack) {
  using nlohmann::json;
  EXPECT_EQ(updateOutcome(json::parse(R"({"update":{"running":"0.3.0"}})"), "0.3.0"),
            Outcome::kDone);
  EXPECT_EQ(updateOutcome(json::parse(R"({"update":{"running":"0.2.0","last":{"result":"refused",
            "version":"0.3.0","reason":"unknown_key"}}})"),
                          "0.3.0"),
            Outcome::kFailed);
  EXPECT_EQ(updateOutcome(json::parse(R"({"update":{"running":"0.2.0","last":{
            "result":"rolled_back","version":"0.3.0"}}})"),
                          "0.3.0"),
            Outcome::kFailed);
  EXPECT_EQ(updateOutcome(json::parse(R"({"update":{"running":"0.2.0","last":{"result":"refused",
            "version":"0.2.9"}}})"),
                          "0.3.0"),
            Outcome::kWaiting);
  EXPECT_EQ(updateOutcome(json::parse(R"({"update":null})"), "0.3.0"), Outcome::kWaiting);
}

}  // namespace
}  // namespace spindle::fleet
