#include "net/sntp.hpp"

#include <algorithm>

namespace spindle::net {
namespace {

constexpr std::int64_t kNtpToUnixSeconds = 2208988800LL;  // 1900-01-01 to 1970-01-01
constexpr std::int64_t kNsPerSecond = 1'000'000'000LL;

std::uint32_t read32(std::span<const std::uint8_t> b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
         (std::uint32_t{b[at + 2]} << 8) | std::uint32_t{b[at + 3]};
}

void write32(NtpPacket& p, std::size_t at, std::uint32_t v) {
  p[at] = static_cast<std::uint8_t>(v >> 24);
  p[at + 1] = static_cast<std::uint8_t>(v >> 16);
  p[at + 2] = static_cast<std::uint8_t>(v >> 8);
  p[at + 3] = static_cast<std::uint8_t>(v);
}

NtpTimestamp readTimestamp(std::span<const std::uint8_t> b, std::size_t at) {
  return NtpTimestamp{read32(b, at), read32(b, at + 4)};
}

}  // namespace

NtpTimestamp toNtp(TimestampNs unixNs) {
  const std::int64_t seconds = unixNs / kNsPerSecond + kNtpToUnixSeconds;
  const std::int64_t ns = unixNs % kNsPerSecond;
  const auto fraction = static_cast<std::uint32_t>((static_cast<std::uint64_t>(ns) << 32) /
                                                   static_cast<std::uint64_t>(kNsPerSecond));
  return NtpTimestamp{static_cast<std::uint32_t>(seconds), fraction};
}

TimestampNs fromNtp(NtpTimestamp ntp) {
  std::int64_t seconds = ntp.seconds;
  if ((ntp.seconds & 0x80000000u) == 0) seconds += std::int64_t{1} << 32;  // era 1: 2036 on
  const std::int64_t ns = static_cast<std::int64_t>(
      (static_cast<std::uint64_t>(ntp.fraction) * static_cast<std::uint64_t>(kNsPerSecond)) >> 32);
  return (seconds - kNtpToUnixSeconds) * kNsPerSecond + ns;
}

bool isUnsynchronised(const Error& error) {
  return error.code() == ErrorCode::kUnavailable && error.message().starts_with(kUnsynchronised);
}

NtpPacket makeSntpRequest(TimestampNs sent) {
  NtpPacket p{};
  p[0] = (0 << 6) | (4 << 3) | 3;  // no leap warning, version 4, mode 3 (client)
  const NtpTimestamp t = toNtp(sent);
  write32(p, 40, t.seconds);
  write32(p, 44, t.fraction);
  return p;
}

Result<NtpReply> parseNtpReply(std::span<const std::uint8_t> b) {
  if (b.size() < kNtpPacketSize) {
    return Error(ErrorCode::kProtocol,
                 "NTP reply of " + std::to_string(b.size()) + " bytes; at least 48 expected");
  }
  NtpReply r;
  r.leap = b[0] >> 6;
  r.version = (b[0] >> 3) & 7;
  r.mode = b[0] & 7;
  r.stratum = b[1];
  if (r.stratum <= 1) {
    for (std::size_t i = 12; i < 16 && b[i] != 0; ++i) {
      const char c = static_cast<char>(b[i]);
      r.refid += (c >= 0x20 && c < 0x7f) ? c : '?';
    }
  } else {
    r.refid = std::to_string(b[12]) + "." + std::to_string(b[13]) + "." + std::to_string(b[14]) +
              "." + std::to_string(b[15]);
  }
  r.originate = readTimestamp(b, 24);
  r.receive = readTimestamp(b, 32);
  r.transmit = readTimestamp(b, 40);
  return r;
}

Result<SntpSample> evaluateSntp(const NtpReply& r, TimestampNs sent, TimestampNs received) {
  if (r.mode != 4 && r.mode != 5) {
    return Error(ErrorCode::kProtocol,
                 "not an NTP server reply (mode " + std::to_string(r.mode) + ")");
  }
  if (r.originate != toNtp(sent)) {
    return Error(ErrorCode::kProtocol, "the reply does not answer our request");
  }
  // Stratum 0 with a kiss code (four ASCII letters: RATE, DENY, ...) is a kiss-o'-death; a
  // server without time answers leap 3 with stratum 16, or stratum 0 and no code (chrony).
  const bool kissCode = !r.refid.empty() && std::all_of(r.refid.begin(), r.refid.end(), [](char c) {
    return c >= 'A' && c <= 'Z';
  });
  if (r.stratum == 0 && kissCode) {
    return Error(ErrorCode::kUnavailable,
                 "the server refused to serve time (kiss-o'-death " + r.refid + ")");
  }
  if (r.leap == 3 || r.stratum == 0 || r.stratum >= 16) {
    return Error(ErrorCode::kUnavailable, std::string(kUnsynchronised) + " (stratum " +
                                              std::to_string(r.stratum) + ", leap indicator " +
                                              std::to_string(r.leap) + ")");
  }
  if (r.transmit == NtpTimestamp{}) {
    return Error(ErrorCode::kProtocol, "the reply has no transmit time");
  }
  const TimestampNs t1 = sent;
  const TimestampNs t2 = fromNtp(r.receive);
  const TimestampNs t3 = fromNtp(r.transmit);
  const TimestampNs t4 = received;
  SntpSample s;
  s.offset = Duration(((t2 - t1) + (t3 - t4)) / 2);
  s.delay = Duration(std::max<std::int64_t>(0, (t4 - t1) - (t3 - t2)));
  s.stratum = r.stratum;
  s.refid = r.refid;
  return s;
}

}  // namespace spindle::net
