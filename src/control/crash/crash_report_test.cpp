#include "control/crash/crash_report.hpp"

#include <gtest/gtest.h>

namespace spindle::control::crash {
namespace {

const std::string kGood =
    "spindle-crash 1\n"
    "kind signal\n"
    "signal 11 SIGSEGV\n"
    "code 1\n"
    "address 0x0\n"
    "pid 4242\n"
    "thread 4250 uplink nats\n"
    "time 1765000000\n"
    "uptime_ms 93512\n"
    "version 0.9.0\n"
    "build_id 8e9141a5\n"
    "config_hash ab12\n"
    "some_future_key 7\n"
    "module 0 /usr/bin/spindle\n"
    "module 1 /lib/x86_64-linux-gnu/libc.so.6\n"
    "frame 0 0x1a2b\n"
    "frame 1 0x29d90\n"
    "frame - 0x7f0012345678\n"
    "end\n";

TEST(CrashReportParse, ReadsEveryField) {
  auto r = parseCrashReport(kGood);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_FALSE(r->terminate);
  EXPECT_EQ(r->signal, 11);
  EXPECT_EQ(r->signalName, "SIGSEGV");
  EXPECT_EQ(r->code, 1);
  EXPECT_EQ(r->address, 0u);
  EXPECT_EQ(r->pid, 4242);
  EXPECT_EQ(r->threadId, 4250);
  EXPECT_EQ(r->threadName, "uplink nats");
  EXPECT_EQ(r->time, 1765000000);
  EXPECT_EQ(r->uptimeMs, 93512);
  EXPECT_EQ(r->version, "0.9.0");
  EXPECT_EQ(r->buildId, "8e9141a5");
  EXPECT_EQ(r->configHash, "ab12");
  ASSERT_EQ(r->modules.size(), 2u);
  EXPECT_EQ(r->modules[1], "/lib/x86_64-linux-gnu/libc.so.6");
  ASSERT_EQ(r->frames.size(), 3u);
  EXPECT_EQ(r->frames[0].module, 0);
  EXPECT_EQ(r->frames[0].address, 0x1a2bu);
  EXPECT_EQ(r->frames[1].module, 1);
  EXPECT_EQ(r->frames[2].module, -1);
  EXPECT_EQ(r->frames[2].address, 0x7f0012345678u);
}

TEST(CrashReportParse, ReadsATerminateReport) {
  const std::string text =
      "spindle-crash 1\nkind terminate\nsignal 6 SIGABRT\npid 1\nthread 1 spindle\n"
      "exception_type std::runtime_error\nexception_message boom: it broke\nend\n";
  auto r = parseCrashReport(text);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_TRUE(r->terminate);
  EXPECT_EQ(r->exceptionType, "std::runtime_error");
  EXPECT_EQ(r->exceptionMessage, "boom: it broke");
  EXPECT_FALSE(r->code.has_value());
}

TEST(CrashReportParse, RefusesATornReport) {
  const std::string torn = kGood.substr(0, kGood.find("frame 1"));
  auto r = parseCrashReport(torn);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().describe().find("torn"), std::string::npos);
}

TEST(CrashReportParse, RefusesGarbage) {
  EXPECT_FALSE(parseCrashReport("").ok());
  EXPECT_FALSE(parseCrashReport(std::string("\x7f"
                                            "ELF\x02\x01\x01\0\0",
                                            9))
                   .ok());
  EXPECT_FALSE(parseCrashReport("spindle-crash 2\nsignal 11\nend\n").ok());
}

TEST(CrashReportParse, RefusesBadLinesNamingThem) {
  auto frameWithoutModule = parseCrashReport("spindle-crash 1\nsignal 11\nframe 3 0x10\nend\n");
  ASSERT_FALSE(frameWithoutModule.ok());
  EXPECT_NE(frameWithoutModule.error().describe().find("line 3"), std::string::npos);
  EXPECT_FALSE(parseCrashReport("spindle-crash 1\nsignal eleven\nend\n").ok());
  EXPECT_FALSE(parseCrashReport("spindle-crash 1\nsignal 11\nframe 0 zz\nend\n").ok());
  EXPECT_FALSE(parseCrashReport("spindle-crash 1\nkind signal\nend\n").ok());  // no signal
}

}  // namespace
}  // namespace spindle::control::crash
