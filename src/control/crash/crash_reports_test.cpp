#include "control/crash/crash_reports.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "control/crash/crash_handler.hpp"

namespace spindle::control::crash {

__attribute__((noinline)) int crashReportsTestMarker(int x) {
  asm volatile("" ::: "memory");
  return x + 11;
}

namespace {

namespace fs = std::filesystem;

class CrashReportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = ::testing::TempDir() + "/crash-reports-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  /// A report of this test binary's build whose first frame lies 3 bytes into the marker.
  std::string report(const std::string& buildId) const {
    const std::uint64_t relative =
        reinterpret_cast<std::uintptr_t>(&crashReportsTestMarker) - runningLoadBase();
    std::ostringstream out;
    out << "spindle-crash 1\nkind signal\nsignal 11 SIGSEGV\ncode 1\naddress 0x0\npid 77\n"
        << "thread 78 worker\ntime 1765000000\nuptime_ms 5\nversion 0.1.0\nbuild_id " << buildId
        << "\nconfig_hash h\nmodule 0 /usr/bin/spindle\nmodule 1 /lib/libc.so.6\n"
        << "frame 0 0x" << std::hex << relative + 3 << "\nframe 1 0x29d90\nend\n";
    return out.str();
  }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(m_dir + "/" + name) << text;
  }
  CrashReportsSettings settings(std::size_t keep = 20) const {
    CrashReportsSettings s;
    s.directory = m_dir;
    s.apiKey = "key";
    s.version = "0.1.0";
    s.keep = keep;
    return s;
  }

  std::string m_dir;
};

TEST_F(CrashReportsTest, SymbolizesAReportOfTheRunningBuild) {
  write("crash-1765000000-77.report", report(runningBuildId()));
  CrashReports reports(settings());
  const auto loaded = reports.load();
  ASSERT_EQ(loaded.size(), 1u);
  ASSERT_EQ(loaded[0].stack.size(), 2u);
  EXPECT_EQ(loaded[0].stack[0].method, "spindle::control::crash::crashReportsTestMarker(int)+0x3");
  EXPECT_TRUE(loaded[0].stack[0].inProject);
  EXPECT_EQ(loaded[0].stack[1].method, "0x29d90");  // libc: not symbolized, kept raw
  EXPECT_EQ(loaded[0].stack[1].file, "/lib/libc.so.6");
  EXPECT_FALSE(loaded[0].stack[1].inProject);
  EXPECT_NE(loaded[0].symbolNote.find("symbolized"), std::string::npos);
  EXPECT_EQ(crashReportsTestMarker(0), 11);
}

TEST_F(CrashReportsTest, KeepsRawAddressesForAnotherBuild) {
  write("crash-1765000000-77.report", report("00112233445566778899aabbccddeeff00112233"));
  CrashReports reports(settings());
  const auto loaded = reports.load();
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].stack[0].method.rfind("0x", 0), 0u);
  EXPECT_NE(loaded[0].symbolNote.find("raw addresses"), std::string::npos);
  EXPECT_NE(loaded[0].symbolNote.find("00112233445566778899"), std::string::npos);
}

TEST_F(CrashReportsTest, SetsAsideTornAndGarbageReports) {
  const std::string good = report(runningBuildId());
  write("crash-1765000001-1.report", good.substr(0, good.size() / 2));
  write("crash-1765000002-2.report", "\x01\x02 not a report");
  write("crash-1765000003-3.report", good);
  CrashReports reports(settings());
  EXPECT_EQ(reports.pendingCount(), 3u);
  const auto loaded = reports.load();
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(fs::path(loaded[0].path).filename(), "crash-1765000003-3.report");
  EXPECT_TRUE(fs::exists(m_dir + "/crash-1765000001-1.report.bad"));
  EXPECT_TRUE(fs::exists(m_dir + "/crash-1765000002-2.report.bad"));
  EXPECT_EQ(reports.pendingCount(), 1u);
}

TEST_F(CrashReportsTest, BoundsTheDirectoryOldestFirst) {
  for (int i = 0; i < 25; ++i) {
    // Written out of order: age comes from the name, not from when the file was made.
    const int t = 1765000000 + (i * 7) % 25;
    write("crash-" + std::to_string(t) + "-9.report", report("x"));
  }
  write(".crash-1765000030-9.tmp", "spindle-crash 1\nsig");
  CrashReports reports(settings(20));
  EXPECT_EQ(reports.prune(), 6u);  // 25 reports + 1 interrupted write, keep 20
  EXPECT_EQ(reports.pendingCount(), 19u);
  EXPECT_TRUE(fs::exists(m_dir + "/.crash-1765000030-9.tmp.bad"));
  for (int t = 1765000000; t < 1765000006; ++t) {
    EXPECT_FALSE(fs::exists(m_dir + "/crash-" + std::to_string(t) + "-9.report")) << t;
  }
  EXPECT_TRUE(fs::exists(m_dir + "/crash-1765000006-9.report"));
  EXPECT_TRUE(fs::exists(m_dir + "/crash-1765000024-9.report"));
}

TEST_F(CrashReportsTest, KeepsAReportWhenThePostFailsAndDeletesItWhenItSucceeds) {
  write("crash-1765000000-77.report", report(runningBuildId()));
  CrashReports reports(settings());
  int posts = 0;
  std::string body;
  Headers headers;
  auto failing = [&](const std::string& b, const Headers& h) -> Status {
    ++posts;
    body = b;
    headers = h;
    return Error(ErrorCode::kUnavailable, "HTTP 503");
  };
  auto summary = reports.sendPending(failing);
  EXPECT_EQ(posts, 1);
  EXPECT_EQ(summary.sent, 0u);
  EXPECT_EQ(summary.kept, 1u);
  EXPECT_EQ(reports.pendingCount(), 1u);
  const auto json = nlohmann::json::parse(body);
  EXPECT_EQ(json["events"][0]["exceptions"][0]["stacktrace"][0]["method"],
            "spindle::control::crash::crashReportsTestMarker(int)+0x3");
  bool sawKey = false;
  for (const auto& [k, v] : headers) sawKey = sawKey || (k == "Bugsnag-Api-Key" && v == "key");
  EXPECT_TRUE(sawKey);

  summary = reports.sendPending([&](const std::string&, const Headers&) -> Status {
    ++posts;
    return okStatus();
  });
  EXPECT_EQ(posts, 2);
  EXPECT_EQ(summary.sent, 1u);
  EXPECT_EQ(reports.pendingCount(), 0u);
  EXPECT_FALSE(fs::exists(m_dir + "/crash-1765000000-77.report"));
}

TEST_F(CrashReportsTest, SendsNothingWithoutAnApiKey) {
  write("crash-1765000000-77.report", report(runningBuildId()));
  auto s = settings();
  s.apiKey = "";
  CrashReports reports(s);
  int posts = 0;
  reports.sendPending([&](const std::string&, const Headers&) -> Status {
    ++posts;
    return okStatus();
  });
  EXPECT_EQ(posts, 0);
  EXPECT_EQ(reports.pendingCount(), 1u);
}

TEST_F(CrashReportsTest, AMissingDirectoryHasNoReports) {
  auto s = settings();
  s.directory = m_dir + "/absent";
  CrashReports reports(s);
  EXPECT_EQ(reports.pendingCount(), 0u);
  EXPECT_EQ(reports.prune(), 0u);
  EXPECT_TRUE(reports.load().empty());
}

}  // namespace
}  // namespace spindle::control::crash
