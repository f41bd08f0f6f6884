#include "control/crash/bugsnag_payload.hpp"

#include <gtest/gtest.h>

namespace spindle::control::crash {
namespace {

using nlohmann::json;

CrashReport segfault() {
  CrashReport r;
  r.signal = 11;
  r.signalName = "SIGSEGV";
  r.code = 1;  // SEGV_MAPERR
  r.address = 0;
  r.pid = 4242;
  r.threadId = 4250;
  r.threadName = "uplink-nats";
  r.time = 1765000000;  // 2025-12-06T05:46:40Z
  r.uptimeMs = 93512;
  r.version = "0.9.0";
  r.buildId = "8e91";
  r.configHash = "ab12";
  return r;
}

PayloadContext context() {
  PayloadContext c;
  c.apiKey = "0123456789abcdef0123456789abcdef";
  c.releaseStage = "staging";
  c.notifierVersion = "0.9.1";
  c.hostname = "edge-7";
  c.osVersion = "6.1.0";
  return c;
}

TEST(BugsnagPayload, HasTheFieldsOfPayloadVersion5) {
  const std::vector<StackLine> stack{{"spindleDebugCrashHere()+0x4", "/usr/bin/spindle", true},
                                     {"0x29d90", "/lib/libc.so.6", false}};
  const json p = bugsnagPayload(segfault(), stack, "symbolized", context());
  EXPECT_EQ(p.at("apiKey"), "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(p.at("payloadVersion"), "5");  // a string, as the API wants
  ASSERT_TRUE(p.at("notifier").is_object());
  EXPECT_TRUE(p["notifier"].at("name").is_string());
  EXPECT_EQ(p["notifier"].at("version"), "0.9.1");
  EXPECT_TRUE(p["notifier"].at("url").is_string());
  ASSERT_TRUE(p.at("events").is_array());
  ASSERT_EQ(p["events"].size(), 1u);
  const json& e = p["events"][0];
  EXPECT_EQ(e.at("severity"), "error");
  EXPECT_EQ(e.at("unhandled"), true);
  EXPECT_EQ(e.at("severityReason").at("type"), "signal");
  EXPECT_EQ(e["severityReason"].at("attributes").at("signalType"), "SIGSEGV");
  ASSERT_EQ(e.at("exceptions").size(), 1u);
  const json& x = e["exceptions"][0];
  EXPECT_EQ(x.at("errorClass"), "SIGSEGV");
  EXPECT_EQ(x.at("message"), "segmentation fault (SEGV_MAPERR) at 0x0");
  EXPECT_EQ(x.at("type"), "c");  // Bugsnag's type for native (C/C++) errors
  ASSERT_EQ(x.at("stacktrace").size(), 2u);
  EXPECT_EQ(x["stacktrace"][0].at("method"), "spindleDebugCrashHere()+0x4");
  EXPECT_EQ(x["stacktrace"][0].at("file"), "/usr/bin/spindle");
  EXPECT_EQ(x["stacktrace"][0].at("inProject"), true);
  EXPECT_EQ(x["stacktrace"][1].at("inProject"), false);
  EXPECT_FALSE(x["stacktrace"][0].contains("lineNumber"));  // unknown: left out, not 0
  EXPECT_EQ(e.at("app").at("version"), "0.9.0");  // the build that crashed, not the sender
  EXPECT_EQ(e["app"].at("releaseStage"), "staging");
  EXPECT_TRUE(e["app"].at("duration").is_number_integer());
  EXPECT_EQ(e["app"]["duration"], 93512);
  EXPECT_EQ(e.at("device").at("osName"), "linux");
  EXPECT_EQ(e["device"].at("hostname"), "edge-7");
  EXPECT_EQ(e["device"].at("osVersion"), "6.1.0");
  EXPECT_EQ(e["device"].at("time"), "2025-12-06T05:46:40.000000Z");
  const json& m = e.at("metaData").at("spindle");
  EXPECT_EQ(m.at("build_id"), "8e91");
  EXPECT_EQ(m.at("config_hash"), "ab12");
  EXPECT_EQ(m.at("signal"), "SIGSEGV");
  EXPECT_EQ(m.at("thread"), "uplink-nats");
  EXPECT_EQ(m.at("thread_id"), 4250);
  EXPECT_EQ(m.at("fault_address"), "0x0");
  EXPECT_EQ(m.at("symbols"), "symbolized");
}

TEST(BugsnagPayload, AnUncaughtExceptionIsReportedByItsType) {
  CrashReport r = segfault();
  r.terminate = true;
  r.signal = 6;
  r.signalName = "SIGABRT";
  r.code.reset();
  r.address.reset();
  r.exceptionType = "std::runtime_error";
  r.exceptionMessage = "the journal is gone";
  const json p = bugsnagPayload(r, {}, "", context());
  const json& e = p["events"][0];
  EXPECT_EQ(e["exceptions"][0]["errorClass"], "std::runtime_error");
  EXPECT_EQ(e["exceptions"][0]["message"], "the journal is gone");
  EXPECT_TRUE(e["exceptions"][0]["stacktrace"].is_array());
  EXPECT_EQ(e["severityReason"]["type"], "unhandledException");
  EXPECT_FALSE(e["metaData"]["spindle"].contains("fault_address"));
  EXPECT_EQ(e["metaData"]["spindle"]["exception_type"], "std::runtime_error");
}

TEST(BugsnagPayload, AbortHasNoFaultAddressInItsMessage) {
  CrashReport r = segfault();
  r.signal = 6;
  r.signalName = "SIGABRT";
  r.code = -6;  // SI_TKILL: abort() signals its own thread
  EXPECT_EQ(describeSignal(r), "aborted (SI_TKILL)");
}

TEST(BugsnagPayload, HeadersNameKeyVersionAndTime) {
  const Headers h = bugsnagHeaders("k3y", 1765000000LL * 1'000'000'000 + 250'000'000);
  const auto value = [&](const std::string& name) {
    for (const auto& [k, v] : h) {
      if (k == name) return v;
    }
    return std::string("(missing)");
  };
  EXPECT_EQ(value("Bugsnag-Api-Key"), "k3y");
  EXPECT_EQ(value("Bugsnag-Payload-Version"), "5");
  EXPECT_EQ(value("Bugsnag-Sent-At"), "2025-12-06T05:46:40.250000Z");
  EXPECT_EQ(value("Content-Type"), "application/json");
}

}  // namespace
}  // namespace spindle::control::crash
