#include "net/sntp.hpp"

#include <gtest/gtest.h>

namespace spindle::net {
namespace {

constexpr TimestampNs kSecond = 1'000'000'000;

void put32(NtpPacket& p, std::size_t at, std::uint32_t v) {
  p[at] = static_cast<std::uint8_t>(v >> 24);
  p[at + 1] = static_cast<std::uint8_t>(v >> 16);
  p[at + 2] = static_cast<std::uint8_t>(v >> 8);
  p[at + 3] = static_cast<std::uint8_t>(v);
}

void putTime(NtpPacket& p, std::size_t at, TimestampNs t) {
  const NtpTimestamp n = toNtp(t);
  put32(p, at, n.seconds);
  put32(p, at + 4, n.fraction);
}

/// A reply as a server would send it to a request sent at t1, received at t2, sent at t3.
NtpPacket reply(TimestampNs t1, TimestampNs t2, TimestampNs t3, int stratum = 2, int leap = 0) {
  NtpPacket p{};
  p[0] = static_cast<std::uint8_t>((leap << 6) | (4 << 3) | 4);
  p[1] = static_cast<std::uint8_t>(stratum);
  p[12] = 192;
  p[13] = 0;
  p[14] = 2;
  p[15] = 1;
  putTime(p, 24, t1);
  putTime(p, 32, t2);
  putTime(p, 40, t3);
  return p;
}

TEST(NetSntp, ConvertsBetweenUnixAndNtpTime) {
  EXPECT_EQ(toNtp(0).seconds, 2208988800u);
  EXPECT_EQ(toNtp(0).fraction, 0u);
  EXPECT_EQ(toNtp(kSecond / 2).fraction, 0x80000000u);
  const TimestampNs now = 1'795'000'000LL * kSecond + 123'456'789;  // late 2026
  EXPECT_NEAR(static_cast<double>(fromNtp(toNtp(now))), static_cast<double>(now), 1.0);
  // After 2036-02-07 NTP seconds wrap (era 1).
  const TimestampNs in2040 = 2'210'000'000LL * kSecond;
  EXPECT_NEAR(static_cast<double>(fromNtp(toNtp(in2040))), static_cast<double>(in2040), 1.0);
}

TEST(NetSntp, RequestIsAVersion4ClientPacketCarryingTheSendTime) {
  const TimestampNs t = 1'795'000'000LL * kSecond;
  const NtpPacket p = makeSntpRequest(t);
  EXPECT_EQ(p[0], (4 << 3) | 3);
  auto parsed = parseNtpReply(p);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->transmit, toNtp(t));
}

TEST(NetSntp, ComputesOffsetAndDelay) {
  const TimestampNs t1 = 1'795'000'000LL * kSecond;
  // Server clock 3 s ahead; 10 ms each way; 1 ms in the server.
  const TimestampNs t2 = t1 + 10'000'000 + 3 * kSecond;
  const TimestampNs t3 = t2 + 1'000'000;
  const TimestampNs t4 = t1 + 21'000'000;
  auto parsed = parseNtpReply(reply(t1, t2, t3));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->stratum, 2);
  EXPECT_EQ(parsed->refid, "192.0.2.1");
  auto sample = evaluateSntp(*parsed, t1, t4);
  ASSERT_TRUE(sample.ok()) << sample.error().describe();
  using Millis = std::chrono::duration<double, std::milli>;
  EXPECT_NEAR(Millis(sample->offset).count(), 3000.0, 1e-3);
  EXPECT_NEAR(Millis(sample->delay).count(), 20.0, 1e-3);
}

TEST(NetSntp, RejectsUnusableReplies) {
  const TimestampNs t1 = 1'795'000'000LL * kSecond;
  auto check = [&](const NtpPacket& p, TimestampNs sent, const std::string& words) {
    auto parsed = parseNtpReply(p);
    ASSERT_TRUE(parsed.ok());
    auto s = evaluateSntp(*parsed, sent, t1 + kSecond / 100);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message().find(words), std::string::npos) << s.error().message();
  };
  NtpPacket kod = reply(t1, t1, t1, 0);
  kod[12] = 'R';
  kod[13] = 'A';
  kod[14] = 'T';
  kod[15] = 'E';
  check(kod, t1, "kiss-o'-death RATE");
  check(reply(t1, t1, t1, 2, 3), t1, "not synchronised");
  check(reply(t1, t1, t1, 16), t1, "not synchronised");
  check(reply(t1, t1, t1), t1 + 1, "does not answer our request");
  NtpPacket client = reply(t1, t1, t1);
  client[0] = (4 << 3) | 3;
  check(client, t1, "mode 3");

  const std::uint8_t shortPacket[10] = {};
  EXPECT_FALSE(parseNtpReply(shortPacket).ok());
}

TEST(NetSntp, AnUnsynchronisedServerIsToldApartFromAKissOfDeath) {
  const TimestampNs t1 = 1'795'000'000LL * kSecond;
  auto evaluate = [&](const NtpPacket& p) {
    return evaluateSntp(parseNtpReply(p).value(), t1, t1 + kSecond / 100);
  };
  // chrony without a time source: leap 3, stratum 0, reference id 0.
  NtpPacket unsynchronised = reply(t1, t1, t1, 0, 3);
  unsynchronised[12] = unsynchronised[13] = unsynchronised[14] = unsynchronised[15] = 0;
  auto chrony = evaluate(unsynchronised);
  ASSERT_FALSE(chrony.ok());
  EXPECT_TRUE(isUnsynchronised(chrony.error())) << chrony.error().message();
  EXPECT_NE(chrony.error().message().find("stratum 0, leap indicator 3"), std::string::npos);
  auto sixteen = evaluate(reply(t1, t1, t1, 16, 3));
  ASSERT_FALSE(sixteen.ok());
  EXPECT_TRUE(isUnsynchronised(sixteen.error()));
  NtpPacket kod = reply(t1, t1, t1, 0, 3);
  kod[12] = 'D';
  kod[13] = 'E';
  kod[14] = 'N';
  kod[15] = 'Y';
  auto denied = evaluate(kod);
  ASSERT_FALSE(denied.ok());
  EXPECT_FALSE(isUnsynchronised(denied.error()));
  EXPECT_NE(denied.error().message().find("kiss-o'-death DENY"), std::string::npos);
}

}  // namespace
}  // namespace spindle::net
