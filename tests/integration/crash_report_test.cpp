// Crash reports end to end: `spindle debug crash` dies of a real signal with the crash handler
// installed; the report it leaves is then loaded, symbolized against the same binary and
// turned into a Bugsnag payload, as the next start of the edge does.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "control/crash/crash_reports.hpp"
#include "process.hpp"

namespace spindle {
namespace {

namespace fs = std::filesystem;
using control::crash::CrashReports;
using control::crash::CrashReportsSettings;
using control::crash::PendingReport;

class CrashReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = ::testing::TempDir() + "/crash-report-it-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  /// Runs `spindle debug crash` with `extra` arguments; returns its exit (or -signal).
  int runCrash(const std::vector<std::string>& extra, bool allowed = true) {
    std::vector<std::string> argv{"/usr/bin/env"};
    if (allowed) argv.push_back("SPINDLE_DEBUG_CRASH=1");
    argv.insert(argv.end(), {SPINDLE_BINARY, "debug", "crash", "--dir", m_dir + "/crash"});
    argv.insert(argv.end(), extra.begin(), extra.end());
    testing::Process child(argv, m_dir + "/out.txt", m_dir + "/err.txt");
    return child.wait(std::chrono::seconds(60));
  }

  std::vector<PendingReport> load() {
    CrashReportsSettings s;
    s.directory = m_dir + "/crash";
    s.executable = SPINDLE_BINARY;  // the binary that crashed, not this test program
    s.apiKey = "test-key";
    return CrashReports(s).load();
  }

  static std::string stackText(const PendingReport& r) {
    std::string text;
    for (const auto& line : r.stack) text += line.method + "\n";
    return text;
  }

  std::string m_dir;
};

TEST_F(CrashReportTest, ASegfaultLeavesAReportNamingTheFunction) {
  EXPECT_EQ(runCrash({}), -SIGSEGV) << testing::readFile(m_dir + "/err.txt");
  const auto reports = load();
  ASSERT_EQ(reports.size(), 1u);
  const auto& r = reports[0];
  EXPECT_EQ(fs::path(r.path).filename().string().rfind("crash-", 0), 0u);
  EXPECT_EQ(r.report.signalName, "SIGSEGV");
  EXPECT_EQ(r.report.address, 0u);
  EXPECT_FALSE(r.report.buildId.empty());
  EXPECT_NE(r.symbolNote.find("symbolized"), std::string::npos) << r.symbolNote;
  ASSERT_FALSE(r.stack.empty());
  EXPECT_EQ(r.stack[0].method.rfind("spindle::cli::spindleDebugCrashHere()+0x", 0), 0u)
      << stackText(r);
  EXPECT_TRUE(r.stack[0].inProject);
  EXPECT_NE(stackText(r).find("spindle::cli::runMain"), std::string::npos) << stackText(r);
}

TEST_F(CrashReportTest, AnAbortLeavesAReportNamingTheFunction) {
  EXPECT_EQ(runCrash({"--signal", "abort"}), -SIGABRT) << testing::readFile(m_dir + "/err.txt");
  const auto reports = load();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].report.signalName, "SIGABRT");
  EXPECT_FALSE(reports[0].report.terminate);
  EXPECT_NE(stackText(reports[0]).find("spindleDebugAbortHere"), std::string::npos)
      << stackText(reports[0]);
}

TEST_F(CrashReportTest, AnUncaughtExceptionLeavesItsTypeAndMessage) {
  EXPECT_EQ(runCrash({"--signal", "terminate"}), -SIGABRT) << testing::readFile(m_dir + "/err.txt");
  const auto reports = load();
  ASSERT_EQ(reports.size(), 1u);
  const auto& r = reports[0];
  EXPECT_TRUE(r.report.terminate);
  EXPECT_EQ(r.report.exceptionType, "std::runtime_error");
  EXPECT_EQ(r.report.exceptionMessage, "spindle debug crash: an exception nobody catches");
  EXPECT_NE(stackText(r).find("spindleDebugThrowHere"), std::string::npos) << stackText(r);

  CrashReportsSettings s;
  s.directory = m_dir + "/crash";
  s.executable = SPINDLE_BINARY;
  const auto payload = nlohmann::json::parse(CrashReports(s).payload(r));
  const auto& exception = payload["events"][0]["exceptions"][0];
  EXPECT_EQ(exception["errorClass"], "std::runtime_error");
  EXPECT_EQ(exception["message"], "spindle debug crash: an exception nobody catches");
}

TEST_F(CrashReportTest, RefusedWithoutTheDebugVariable) {
  EXPECT_EQ(runCrash({}, false), 2);
  EXPECT_NE(testing::readFile(m_dir + "/err.txt").find("SPINDLE_DEBUG_CRASH=1"), std::string::npos);
  EXPECT_FALSE(fs::exists(m_dir + "/crash"));
}

TEST_F(CrashReportTest, TheNextStartSendsTheReportAndDeletesIt) {
  ASSERT_EQ(runCrash({}), -SIGSEGV);
  CrashReportsSettings s;
  s.directory = m_dir + "/crash";
  s.executable = SPINDLE_BINARY;
  s.apiKey = "test-key";
  CrashReports reports(s);
  ASSERT_EQ(reports.pendingCount(), 1u);
  std::string body;
  const auto summary =
      reports.sendPending([&](const std::string& b, const control::crash::Headers&) -> Status {
        body = b;
        return okStatus();
      });
  EXPECT_EQ(summary.sent, 1u);
  EXPECT_EQ(reports.pendingCount(), 0u);
  const auto payload = nlohmann::json::parse(body);
  EXPECT_EQ(payload["events"][0]["exceptions"][0]["errorClass"], "SIGSEGV");
  const std::string method = payload["events"][0]["exceptions"][0]["stacktrace"][0]["method"];
  EXPECT_NE(method.find("spindleDebugCrashHere"), std::string::npos) << method;
}

}  // namespace
}  // namespace spindle
