#pragma once
/// SNTP (RFC 4330) packets: build a client request, read a server reply, and compute the
/// clock offset and round-trip delay. Pure: no sockets, no clocks.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "base/time.hpp"
#include "base/units.hpp"

namespace spindle::net {

constexpr std::size_t kNtpPacketSize = 48;
using NtpPacket = std::array<std::uint8_t, kNtpPacketSize>;

/// NTP's 64-bit timestamp: seconds since 1900 and a 32-bit binary fraction.
struct NtpTimestamp {
  std::uint32_t seconds = 0;
  std::uint32_t fraction = 0;
  friend bool operator==(NtpTimestamp, NtpTimestamp) = default;
};

/// Unix nanoseconds <-> NTP time. Times from 2036 on use NTP era 1 (seconds wrap).
NtpTimestamp toNtp(TimestampNs unixNs);
TimestampNs fromNtp(NtpTimestamp ntp);

/// A version 4 client request whose transmit timestamp is `sent` (the reply echoes it).
NtpPacket makeSntpRequest(TimestampNs sent);

struct NtpReply {
  int leap = 0;  ///< 3: the server's clock is not synchronised
  int version = 0;
  int mode = 0;       ///< 4: server
  int stratum = 0;    ///< 0: kiss-o'-death or unspecified; 1: primary; 16: unsynchronised
  std::string refid;  ///< four letters for stratum 0/1 ("GPS", "RATE"), else an IPv4 address
  NtpTimestamp originate;
  NtpTimestamp receive;
  NtpTimestamp transmit;
};

/// Decodes a reply; kProtocol when it is shorter than 48 bytes.
Result<NtpReply> parseNtpReply(std::span<const std::uint8_t> bytes);

/// What one exchange says about our clock. offset > 0: our clock is behind the server's.
struct SntpSample {
  Duration offset{0};
  Duration delay{0};  ///< round trip minus the server's own processing time
  int stratum = 0;
  std::string refid;
};

/// Checks that `reply` answers the request sent at `sent` and that the server is usable
/// (synchronised, not a kiss-o'-death), then computes offset and delay from the four times:
/// sent (T1), the server's receive (T2) and transmit (T3), and `received` (T4), our clock.
/// kUnavailable for a server that answered but has no time to give (leap 3, stratum 0 without a
/// kiss code, or 16): its message starts with kUnsynchronised; see isUnsynchronised.
Result<SntpSample> evaluateSntp(const NtpReply& reply, TimestampNs sent, TimestampNs received);

inline constexpr std::string_view kUnsynchronised =
    "the server answered, but its own clock is not synchronised";

/// True for evaluateSntp's (and querySntp's) error about an unsynchronised server: it answered,
/// so UDP 123 works; its time source is what is broken.
bool isUnsynchronised(const Error& error);

}  // namespace spindle::net
