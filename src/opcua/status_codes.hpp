#pragma once
/// OPC UA StatusCodes (Part 4, 7.39; Part 6 A.2): the 32-bit value, its severity and the
/// symbolic names from the specification's StatusCode table.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace spindle::opcua {

/// A StatusCode as it travels: the top two bits are the severity (00 Good, 01 Uncertain,
/// 10 Bad), bits 16..29 the code, the low 16 bits info flags (e.g. the limit and overflow
/// bits a DataValue may carry).
struct StatusCode {
  std::uint32_t value = 0;

  bool isGood() const { return (value >> 30) == 0; }
  bool isUncertain() const { return (value >> 30) == 1; }
  /// Bad, including the reserved severity 11.
  bool isBad() const { return (value >> 30) >= 2; }
  /// The code without its info bits (what names refer to).
  StatusCode withoutInfoBits() const { return {value & 0xFFFF0000u}; }
  friend bool operator==(const StatusCode&, const StatusCode&) = default;
};

/// The symbolic name of `code` (its info bits ignored), or nullopt when the table does not
/// hold it.
std::optional<std::string_view> statusName(StatusCode code);
/// The name ("BadTimeout"), or for an unknown code its severity and hex value
/// ("Bad (0x80FF0000)").
std::string describe(StatusCode code);
/// The value named `name` ("BadSessionIdInvalid"), nullopt for an unknown name.
std::optional<StatusCode> statusFromName(std::string_view name);

/// The codes the client stack itself produces or reacts to.
namespace status {
inline constexpr StatusCode kGood{0x00000000};
inline constexpr StatusCode kBadUnexpectedError{0x80010000};
inline constexpr StatusCode kBadInternalError{0x80020000};
inline constexpr StatusCode kBadCommunicationError{0x80050000};
inline constexpr StatusCode kBadEncodingError{0x80060000};
inline constexpr StatusCode kBadDecodingError{0x80070000};
inline constexpr StatusCode kBadEncodingLimitsExceeded{0x80080000};
inline constexpr StatusCode kBadRequestTooLarge{0x80B80000};
inline constexpr StatusCode kBadResponseTooLarge{0x80B90000};
inline constexpr StatusCode kBadTimeout{0x800A0000};
inline constexpr StatusCode kBadSecureChannelIdInvalid{0x80220000};
inline constexpr StatusCode kBadSessionIdInvalid{0x80250000};
inline constexpr StatusCode kBadSessionClosed{0x80260000};
inline constexpr StatusCode kBadSubscriptionIdInvalid{0x80280000};
inline constexpr StatusCode kBadNoSubscription{0x80790000};
inline constexpr StatusCode kBadTooManyPublishRequests{0x80780000};
inline constexpr StatusCode kBadTcpMessageTypeInvalid{0x807E0000};
inline constexpr StatusCode kBadTcpMessageTooLarge{0x80800000};
inline constexpr StatusCode kBadSecurityChecksFailed{0x80130000};
inline constexpr StatusCode kBadSequenceNumberInvalid{0x80880000};
inline constexpr StatusCode kBadSecureChannelClosed{0x80860000};
}  // namespace status

}  // namespace spindle::opcua
