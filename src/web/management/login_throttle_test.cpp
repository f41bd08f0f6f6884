#include "web/management/login_throttle.hpp"

#include <string>

#include <gtest/gtest.h>

namespace spindle::web::management {
namespace {

constexpr TimestampNs kSecond = 1'000'000'000;
constexpr TimestampNs kMinute = 60 * kSecond;
constexpr TimestampNs kT0 = 1'700'000'000 * kSecond;
constexpr const char* kClient = "192.0.2.7";

std::string refusal(const LoginThrottle& throttle, std::string_view client, TimestampNs now) {
  const Status status = throttle.check(client, now);
  if (status.ok()) return "";
  EXPECT_EQ(status.error().code(), ErrorCode::kUnavailable);
  return status.error().message();
}

// Five failures one second apart, the last at `at`.
void fiveFailures(LoginThrottle& throttle, std::string_view client, TimestampNs at) {
  for (int i = 4; i >= 0; --i) throttle.failed(client, at - i * kSecond);
}

TEST(ManagementLoginThrottle, FiveFailuresLockTheClientForThirtySeconds) {
  LoginThrottle throttle;
  for (int i = 0; i < 4; ++i) {
    throttle.failed(kClient, kT0 + i * kSecond);
    EXPECT_TRUE(throttle.check(kClient, kT0 + i * kSecond).ok()) << i;
  }
  throttle.failed(kClient, kT0 + 4 * kSecond);
  const TimestampNs locked = kT0 + 4 * kSecond;
  EXPECT_EQ(refusal(throttle, kClient, locked),
            "too many failed logins from 192.0.2.7: try again in 30 s");
  EXPECT_EQ(refusal(throttle, kClient, locked + 2 * kSecond),
            "too many failed logins from 192.0.2.7: try again in 28 s");
  EXPECT_EQ(refusal(throttle, kClient, locked + 29 * kSecond + 1),
            "too many failed logins from 192.0.2.7: try again in 1 s");
  EXPECT_TRUE(throttle.check(kClient, locked + 30 * kSecond).ok());
  EXPECT_TRUE(throttle.check("192.0.2.8", locked).ok()) << "another client is not locked";
}

TEST(ManagementLoginThrottle, OnlyFailuresWithinFiveMinutesCount) {
  LoginThrottle throttle;
  for (int i = 0; i < 4; ++i) throttle.failed(kClient, kT0 + i * kMinute);
  // The first failure is now five minutes old and no longer counts.
  throttle.failed(kClient, kT0 + 5 * kMinute);
  EXPECT_TRUE(throttle.check(kClient, kT0 + 5 * kMinute).ok());
  throttle.failed(kClient, kT0 + 5 * kMinute + kSecond);
  EXPECT_FALSE(throttle.check(kClient, kT0 + 5 * kMinute + kSecond).ok());
}

TEST(ManagementLoginThrottle, EachLockDoublesUpToFifteenMinutes) {
  LoginThrottle throttle;
  TimestampNs t = kT0;
  for (const int expected : {30, 60, 120, 240, 480, 900, 900}) {
    fiveFailures(throttle, kClient, t);
    EXPECT_EQ(
        refusal(throttle, kClient, t),
        "too many failed logins from 192.0.2.7: try again in " + std::to_string(expected) + " s");
    EXPECT_FALSE(throttle.check(kClient, t + expected * kSecond - 1).ok());
    EXPECT_TRUE(throttle.check(kClient, t + expected * kSecond).ok()) << expected;
    t += expected * kSecond + 10 * kSecond;
  }
}

TEST(ManagementLoginThrottle, FailuresWhileLockedDoNotExtendTheLock) {
  LoginThrottle throttle;
  fiveFailures(throttle, kClient, kT0);
  for (int i = 1; i <= 10; ++i) throttle.failed(kClient, kT0 + i * kSecond);
  EXPECT_TRUE(throttle.check(kClient, kT0 + 30 * kSecond).ok());
  // Nor do they count towards the next lock.
  throttle.failed(kClient, kT0 + 31 * kSecond);
  EXPECT_TRUE(throttle.check(kClient, kT0 + 31 * kSecond).ok());
}

TEST(ManagementLoginThrottle, ASuccessForgetsTheClientsHistory) {
  LoginThrottle throttle;
  fiveFailures(throttle, kClient, kT0);
  fiveFailures(throttle, kClient, kT0 + kMinute);  // second lock: 60 s
  throttle.succeeded(kClient);
  EXPECT_TRUE(throttle.check(kClient, kT0 + kMinute).ok());
  EXPECT_EQ(throttle.trackedClients(), 0u);
  fiveFailures(throttle, kClient, kT0 + 2 * kMinute);
  EXPECT_EQ(refusal(throttle, kClient, kT0 + 2 * kMinute),
            "too many failed logins from 192.0.2.7: try again in 30 s");
}

TEST(ManagementLoginThrottle, AnHourWithoutFailuresStartsTheDoublingAgain) {
  LoginThrottle throttle;
  fiveFailures(throttle, kClient, kT0);
  fiveFailures(throttle, kClient, kT0 + kMinute);       // 60 s
  fiveFailures(throttle, kClient, kT0 + 59 * kMinute);  // within the hour: 120 s
  EXPECT_EQ(refusal(throttle, kClient, kT0 + 59 * kMinute),
            "too many failed logins from 192.0.2.7: try again in 120 s");
  fiveFailures(throttle, kClient, kT0 + 121 * kMinute);  // an hour after the last: 30 s
  EXPECT_EQ(refusal(throttle, kClient, kT0 + 121 * kMinute),
            "too many failed logins from 192.0.2.7: try again in 30 s");
}

TEST(ManagementLoginThrottle, FiftyFailuresAMinuteLockEveryLogin) {
  LoginThrottle throttle;
  // Many addresses, one guess each: no client reaches its own limit.
  for (int i = 0; i < 49; ++i) throttle.failed("10.0.0." + std::to_string(i), kT0 + i * kSecond);
  EXPECT_TRUE(throttle.check("10.0.1.1", kT0 + 49 * kSecond).ok());
  throttle.failed("10.0.0.49", kT0 + 50 * kSecond);
  const std::string message = refusal(throttle, "10.0.1.1", kT0 + 50 * kSecond);
  EXPECT_NE(message.find("every login is paused"), std::string::npos) << message;
  EXPECT_NE(message.find("try again in 60 s"), std::string::npos) << message;
  EXPECT_EQ(message.find("10.0.1.1"), std::string::npos) << "the global message names no client";
  EXPECT_FALSE(throttle.check(kClient, kT0 + 109 * kSecond).ok());
  EXPECT_TRUE(throttle.check(kClient, kT0 + 110 * kSecond).ok());
}

TEST(ManagementLoginThrottle, TheGlobalWindowSlides) {
  LoginThrottle throttle;
  for (int i = 0; i < 49; ++i) throttle.failed("10.0.0." + std::to_string(i), kT0);
  // A minute later those 49 have left the window: one more failure is far from 50.
  throttle.failed("10.0.0.200", kT0 + kMinute);
  EXPECT_TRUE(throttle.check(kClient, kT0 + kMinute).ok());
}

TEST(ManagementLoginThrottle, AClientLockIsReportedBeforeTheGlobalOne) {
  LoginThrottle throttle;
  fiveFailures(throttle, kClient, kT0);
  for (int i = 0; i < 45; ++i) throttle.failed("10.0.0." + std::to_string(i), kT0);
  EXPECT_EQ(refusal(throttle, kClient, kT0),
            "too many failed logins from 192.0.2.7: try again in 30 s");
  EXPECT_NE(refusal(throttle, "10.0.1.1", kT0).find("every login is paused"), std::string::npos);
}

TEST(ManagementLoginThrottle, TracksABoundedNumberOfClients) {
  LoginThrottleOptions options;
  options.maxClients = 3;
  LoginThrottle throttle(options);
  for (int i = 0; i < 4; ++i) throttle.failed(kClient, kT0 + i * kSecond);
  throttle.failed("a", kT0 + 5 * kSecond);
  throttle.failed("b", kT0 + 6 * kSecond);
  EXPECT_EQ(throttle.trackedClients(), 3u);
  throttle.failed("c", kT0 + 7 * kSecond);  // forgets the least recent: 192.0.2.7
  EXPECT_EQ(throttle.trackedClients(), 3u);
  throttle.failed(kClient, kT0 + 8 * kSecond);
  EXPECT_TRUE(throttle.check(kClient, kT0 + 8 * kSecond).ok())
      << "its four failures were forgotten";

  // The default bound, 4096, against 5000 addresses.
  LoginThrottle defaults;
  for (int i = 0; i < 5000; ++i) defaults.failed("10.1." + std::to_string(i), kT0 + i * kSecond);
  EXPECT_EQ(defaults.trackedClients(), 4096u);
}

}  // namespace
}  // namespace spindle::web::management
