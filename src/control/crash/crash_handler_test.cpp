#include "control/crash/crash_handler.hpp"

#include <filesystem>
#include <stdexcept>

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control/crash/crash_reports.hpp"

namespace spindle::control::crash {

int* volatile gCrashHandlerTestNull = nullptr;  // opaque to the optimizer
volatile int gCrashHandlerTestDepthLimit = 1 << 30;

__attribute__((noinline)) void crashHandlerTestFault() {
  *gCrashHandlerTestNull = 42;
  asm volatile("" ::: "memory");
}

__attribute__((noinline)) void crashHandlerTestThrow() {
  throw std::runtime_error("crash handler test: uncaught");
}

namespace {

namespace fs = std::filesystem;

/// No handler can catch what escapes here (gtest would catch it in the test body).
void withoutHandler(void (*throwing)()) noexcept { throwing(); }

class CrashHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = ::testing::TempDir() + "/crash-handler-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  /// Runs `crash` in a child with the handler installed; returns the child's wait status.
  template <typename F>
  int inChild(F crash) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      const auto status = installCrashHandler({m_dir, "9.9.9", "cafe"});
      if (!status) ::_exit(3);
      crash();
      ::_exit(4);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return status;
  }

  std::vector<PendingReport> reports() {
    CrashReportsSettings s;
    s.directory = m_dir;
    return CrashReports(s).load();
  }

  static bool stackNames(const PendingReport& r, const std::string& function) {
    for (const auto& line : r.stack) {
      if (line.method.find(function) != std::string::npos) return true;
    }
    return false;
  }

  std::string m_dir;
};

TEST_F(CrashHandlerTest, ASegfaultWritesAReportAndStillKillsTheProcess) {
  const int status = inChild([] { crashHandlerTestFault(); });
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGSEGV);
  const auto loaded = reports();
  ASSERT_EQ(loaded.size(), 1u);
  const CrashReport& r = loaded[0].report;
  EXPECT_EQ(r.signalName, "SIGSEGV");
  EXPECT_EQ(r.address, 0u);
  EXPECT_EQ(r.version, "9.9.9");
  EXPECT_EQ(r.configHash, "cafe");
  EXPECT_EQ(r.buildId, runningBuildId());
  EXPECT_FALSE(r.threadName.empty());
  EXPECT_GT(r.pid, 0);
  ASSERT_FALSE(loaded[0].stack.empty());
  // The faulting instruction comes first: the handler's own frames are not in the stack.
  EXPECT_NE(loaded[0].stack[0].method.find("crashHandlerTestFault"), std::string::npos)
      << loaded[0].stack[0].method;
}

TEST_F(CrashHandlerTest, AnUncaughtExceptionIsReportedWithItsMessage) {
  const int status = inChild([] { withoutHandler(crashHandlerTestThrow); });
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGABRT);
  const auto loaded = reports();
  ASSERT_EQ(loaded.size(), 1u);  // one report: the abort() after it writes none
  EXPECT_TRUE(loaded[0].report.terminate);
  EXPECT_EQ(loaded[0].report.exceptionType, "std::runtime_error");
  EXPECT_EQ(loaded[0].report.exceptionMessage, "crash handler test: uncaught");
  EXPECT_TRUE(stackNames(loaded[0], "crashHandlerTestThrow"));
}

TEST_F(CrashHandlerTest, AStackOverflowStillReports) {
  const int status = inChild([] {
    struct Recurse {
      static int down(int depth) {
        volatile char pad[1024];
        pad[0] = static_cast<char>(depth);
        if (depth == gCrashHandlerTestDepthLimit) return pad[0];  // never: the limit is huge
        return down(depth + 1) + pad[0];
      }
    };
    (void)Recurse::down(0);
  });
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGSEGV);
  EXPECT_EQ(reports().size(), 1u);
}

TEST_F(CrashHandlerTest, RefusesADirectoryItCannotCreate) {
  const auto status = installCrashHandler({"/proc/no-such-place/crash", "1", ""});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().describe().find("/proc/no-such-place/crash"), std::string::npos);
}

}  // namespace
}  // namespace spindle::control::crash
