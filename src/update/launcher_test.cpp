// The launcher's decisions, from the state and the folder alone.

#include "update/launcher.hpp"

#include <gtest/gtest.h>

namespace spindle::update {
namespace {

UpdateState onTrial(int starts) {
  UpdateState s;
  s.launcher = "1.0.0";
  s.good = {"1.0.0"};
  s.trial = Trial{"2.0.0", "1.0.0", 1, starts, {}};
  return s;
}

TEST(UpdateLauncher, NoLinkRunsItself) {
  const auto plan = planLaunch(UpdateState{}, "1.0.0", std::nullopt, false, 3);
  EXPECT_EQ(plan.exec, "");
  EXPECT_TRUE(plan.rollBack.empty());
}

TEST(UpdateLauncher, ExecsTheVersionOnTrialAndCountsTheStart) {
  const auto plan = planLaunch(onTrial(0), "1.0.0", "2.0.0", true, 3);
  EXPECT_EQ(plan.exec, "2.0.0");
  EXPECT_TRUE(plan.countStart);
}

TEST(UpdateLauncher, RollsBackAfterMaxCrashesStartsWithoutBeingMarkedGood) {
  EXPECT_EQ(planLaunch(onTrial(2), "1.0.0", "2.0.0", true, 3).exec, "2.0.0");
  const auto plan = planLaunch(onTrial(3), "1.0.0", "2.0.0", true, 3);
  EXPECT_EQ(plan.exec, "");
  EXPECT_EQ(plan.rollBack, "2.0.0");
  EXPECT_EQ(plan.rollBackReason, "crashed");
  EXPECT_NE(plan.rollBackDetail.find("3 times"), std::string::npos);
}

TEST(UpdateLauncher, AGoodVersionRunsWithoutCounting) {
  UpdateState s;
  s.launcher = "1.0.0";
  s.good = {"1.0.0", "2.0.0"};
  const auto plan = planLaunch(s, "1.0.0", "2.0.0", true, 3);
  EXPECT_EQ(plan.exec, "2.0.0");
  EXPECT_FALSE(plan.countStart);
}

TEST(UpdateLauncher, ALinkToItsOwnVersionRunsItself) {
  UpdateState s;
  s.launcher = "1.0.0";
  EXPECT_EQ(planLaunch(s, "1.0.0", "1.0.0", false, 3).exec, "");
}

TEST(UpdateLauncher, KilledBetweenTheStateAndTheSwitchAbandonsTheTrial) {
  // The state says 2.0.0 is on trial but the link still names 1.0.0.
  const auto plan = planLaunch(onTrial(0), "1.0.0", "1.0.0", false, 3);
  EXPECT_TRUE(plan.abandonTrial);
  EXPECT_EQ(plan.exec, "");
}

TEST(UpdateLauncher, KilledInARollBackFinishesIt) {
  // The state recorded the failure, the link still names the failed version.
  UpdateState s;
  s.launcher = "1.0.0";
  s.good = {"1.0.0"};
  s.failed = {"2.0.0"};
  const auto plan = planLaunch(s, "1.0.0", "2.0.0", true, 3);
  EXPECT_EQ(plan.rollBack, "2.0.0");
  EXPECT_EQ(plan.exec, "");
}

TEST(UpdateLauncher, ANewPackageWinsOverTheLink) {
  UpdateState s;
  s.launcher = "1.0.0";
  s.good = {"1.0.0", "2.0.0"};
  const auto plan = planLaunch(s, "3.0.0", "2.0.0", true, 3);
  EXPECT_TRUE(plan.clearCurrent);
  EXPECT_EQ(plan.exec, "");
}

TEST(UpdateLauncher, ALinkToAMissingVersionRunsItself) {
  UpdateState s;
  s.launcher = "1.0.0";
  const auto plan = planLaunch(s, "1.0.0", "2.0.0", false, 3);
  EXPECT_EQ(plan.exec, "");
  EXPECT_FALSE(plan.note.empty());
}

}  // namespace
}  // namespace spindle::update
