// state.json and the transitions of a trial on a real folder: switch, good (old versions
// pruned to `keep`), rolled back (and never offered again), and the trial's health verdict.

#include "update/update_state.hpp"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "update/installer.hpp"
#include "update/trial.hpp"
#include "update/version_store.hpp"

namespace spindle::update {
namespace {

namespace fs = std::filesystem;

class UpdateStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::path(::testing::TempDir()) /
            ("update_state_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
    std::ofstream(m_dir / "artifact") << "#!/bin/sh\n";
  }
  void TearDown() override { fs::remove_all(m_dir); }

  void install(const std::string& version) {
    VersionStore store(m_dir.string());
    ASSERT_TRUE(store.install(version, (m_dir / "artifact").string()));
  }
  Manifest manifest(const std::string& version) {
    Manifest m;
    m.version = Version::parse(version).value();
    return m;
  }
  UpdateState state() { return StateFile(VersionStore(m_dir.string()).dir()).load().value(); }

  fs::path m_dir;
};

TEST_F(UpdateStateTest, RoundTripsThroughJson) {
  UpdateState s;
  s.launcher = "1.0.0";
  s.trial = Trial{"2.0.0", "1.0.0", 42, 2, {{"nats", false, "connection refused"}}};
  s.good = {"1.0.0"};
  s.failed = {"1.5.0"};
  s.last = {"installed", "2.0.0", "", "on trial", 7};
  auto back = stateFromJson(toJson(s));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->trial->starts, 2);
  EXPECT_EQ(back->trial->uplinksBefore[0].error, "connection refused");
  EXPECT_EQ(back->failed, s.failed);
  EXPECT_EQ(back->last.detail, "on trial");
  EXPECT_FALSE(stateFromJson("[1]"));
}

TEST_F(UpdateStateTest, SwitchPutsTheStateFirstThenTheLink) {
  install("2.0.0");
  InstallEnv env;
  env.dataDir = m_dir.string();
  ASSERT_TRUE(switchTo(manifest("2.0.0"), env, {}));
  VersionStore store(m_dir.string());
  EXPECT_EQ(store.current(), "2.0.0");
  const auto s = state();
  ASSERT_TRUE(s.trial);
  EXPECT_EQ(s.trial->version, "2.0.0");
  EXPECT_EQ(s.trial->from, runningVersion().text());
  EXPECT_EQ(s.last.result, "installed");
}

TEST_F(UpdateStateTest, GoodKeepsAtMostKeepOldVersions) {
  InstallEnv env;
  env.dataDir = m_dir.string();
  for (const char* v : {"2.0.0", "3.0.0", "4.0.0", "5.0.0"}) {
    install(v);
    ASSERT_TRUE(switchTo(manifest(v), env, {}));
    ASSERT_TRUE(markGood(env.dataDir, v, 2));
  }
  // The good list holds this version and `keep` before it; only those stay installed. (The
  // test's process never changes version, so its own version stays in the list as "from".)
  const auto good = state().good;
  ASSERT_EQ(good.size(), 3u);
  EXPECT_EQ(good.back(), "5.0.0");
  const VersionStore store(env.dataDir);
  EXPECT_FALSE(store.installed("2.0.0"));
  EXPECT_FALSE(store.installed("3.0.0"));
  EXPECT_TRUE(store.installed("4.0.0"));
  EXPECT_TRUE(store.installed("5.0.0"));
  for (const auto& v : store.list()) {
    EXPECT_NE(std::find(good.begin(), good.end(), v), good.end()) << v;
  }
  EXPECT_FALSE(state().trial);
  EXPECT_EQ(state().last.result, "good");
}

TEST_F(UpdateStateTest, RollBackReturnsToWhereTheTrialCameFromAndRemembersTheFailure) {
  InstallEnv env;
  env.dataDir = m_dir.string();
  install("2.0.0");
  ASSERT_TRUE(switchTo(manifest("2.0.0"), env, {}));
  auto back = rollBack(env.dataDir, "2.0.0", "crashed", "started 3 times");
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, runningVersion().text());
  VersionStore store(env.dataDir);
  EXPECT_EQ(store.current(), runningVersion().text());
  EXPECT_FALSE(store.installed("2.0.0"));
  const auto s = state();
  EXPECT_TRUE(s.hasFailed("2.0.0"));
  EXPECT_EQ(s.last.result, "rolled_back");
  EXPECT_EQ(s.last.reason, "crashed");
}

TEST_F(UpdateStateTest, ConcurrentModifiesLoseNothing) {
  StateFile file(VersionStore(m_dir.string()).dir());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        ASSERT_TRUE(file.modify([&](UpdateState& s) {
          s.failed.push_back(std::to_string(t) + "." + std::to_string(i));
        }));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(state().failed.size(), 100u);
}

TEST(UpdateTrial, HealthyWhenConnectedOrFailingAsBefore) {
  Trial trial{"2.0.0", "1.0.0", 0, 0, {{"nats", true, ""}, {"mqtt", false, "refused"}}};
  control::HealthReport report;
  EXPECT_EQ(trialProblem(trial, report), "the journal is not open");
  report.journal = control::JournalHealth{};
  report.uplinks.push_back({});
  report.uplinks[0].name = "nats";
  report.uplinks[0].connected = false;
  report.uplinks[0].lastError = "timeout";
  auto problem = trialProblem(trial, report);
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("before the update: connected"), std::string::npos) << *problem;
  report.uplinks[0].connected = true;
  report.uplinks.push_back({});
  report.uplinks[1].name = "mqtt";
  report.uplinks[1].lastError = "refused";
  EXPECT_EQ(trialProblem(trial, report), std::nullopt);
  report.uplinks[1].lastError = "certificate expired";
  EXPECT_TRUE(trialProblem(trial, report));
}

}  // namespace
}  // namespace spindle::update
