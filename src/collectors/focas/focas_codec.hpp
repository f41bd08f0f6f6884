#pragma once
/// The FOCAS/Ethernet codec (TCP 8193): frames and sub-packets in, typed values out, and the
/// reverse. Pure: no sockets, no clocks, no logging. Every malformed frame is an error value
/// saying what is wrong; nothing here reads past the bytes it was given.
///
/// A frame is a 10-byte header (sync A0 A0 A0 A0, u16 version, u16 type, u16 length of the
/// body) and the body. Requests carry version 1; replies 2 (0i/16i/160i) or 4 (30i/31i/32i).
/// A data request (type 21 01) holds a u16 count and that many 28-byte call sub-packets; its
/// reply (21 02) holds as many reply sub-packets in the same order. All integers big-endian.
/// The typed decoders of each command's payload are in focas_commands.hpp.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace spindle::collectors::focas {

using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t kHeaderSize = 10;
constexpr std::size_t kCallSize = 28;       ///< a request sub-packet without payload
constexpr std::size_t kReplyHeadSize = 16;  ///< a reply sub-packet without payload
constexpr std::size_t kMaxBody = 0xFFFF;    ///< what the u16 length field can say
constexpr std::size_t kDefaultMaxBody =
    32768;  ///< a reader's default bound (30i batches are < 8 KB)
constexpr std::size_t kMaxCallsPerFrame = 64;

namespace frame_type {
constexpr std::uint16_t kOpenRequest = 0x0101;
constexpr std::uint16_t kOpenReply = 0x0102;
constexpr std::uint16_t kCloseRequest = 0x0201;
constexpr std::uint16_t kCloseReply = 0x0202;
constexpr std::uint16_t kRequest = 0x2101;
constexpr std::uint16_t kReply = 0x2102;
}  // namespace frame_type

namespace version {
constexpr std::uint16_t kRequest = 1;
constexpr std::uint16_t kReply16i = 2;  ///< 0i, 16i/18i/21i, 160i
constexpr std::uint16_t kReply30i = 4;  ///< 30i/31i/32i
}  // namespace version

/// "open request", "data reply", "frame type 0x1604" for the others.
std::string frameTypeName(std::uint16_t type);

/// The FOCAS return codes (EW_*) a reply sub-packet carries; 0 is EW_OK.
namespace ew {
constexpr std::int16_t kOk = 0;
constexpr std::int16_t kFunc = 1;
constexpr std::int16_t kLength = 2;
constexpr std::int16_t kNumber = 3;
constexpr std::int16_t kAttrib = 4;
constexpr std::int16_t kData = 5;
constexpr std::int16_t kNoOpt = 6;
constexpr std::int16_t kProt = 7;
constexpr std::int16_t kOverflow = 8;
constexpr std::int16_t kParam = 9;
constexpr std::int16_t kBuffer = 10;
constexpr std::int16_t kPath = 11;
constexpr std::int16_t kMode = 12;
constexpr std::int16_t kReject = 13;
constexpr std::int16_t kAlarm = 15;
constexpr std::int16_t kStop = 16;
constexpr std::int16_t kPasswd = 17;
constexpr std::int16_t kBusy = -1;
constexpr std::int16_t kReset = -2;
}  // namespace ew

/// "EW_NOOPT"; "EW_(42)" when unknown.
std::string errorName(std::int16_t code);
/// One sentence for the reader: "the control lacks the option this function needs".
std::string errorMeaning(std::int16_t code);
/// EW_FUNC and EW_NOOPT: the control will never answer this call, so stop asking.
inline bool isPermanent(std::int16_t code) { return code == ew::kFunc || code == ew::kNoOpt; }

struct Frame {
  std::uint16_t version = version::kRequest;
  std::uint16_t type = frame_type::kRequest;
  Bytes body;
};

/// The whole frame; the body must fit the u16 length (checked by the callers' builders).
Bytes encodeFrame(const Frame& frame);
/// Exactly one frame in `bytes` (for fuzzing, tests and captures).
Result<Frame> decodeFrame(std::span<const std::uint8_t> bytes);

/// Splits a TCP byte stream into frames, across reads of any size. Holds at most one frame of
/// at most `maxBody` body bytes: a longer length field, or a header without the sync, is an
/// error after which the stream cannot be trusted (the session drops the connection).
class FrameReader {
 public:
  explicit FrameReader(std::size_t maxBody = kDefaultMaxBody) : m_maxBody(maxBody) {}
  /// Appends bytes; returns how many were taken (stops once a whole frame waits).
  std::size_t feed(std::span<const std::uint8_t> bytes);
  /// The next whole frame, nothing when more bytes are needed, or the framing error.
  Result<std::optional<Frame>> next();
  std::size_t buffered() const { return m_buffer.size(); }
  void reset() { m_buffer.clear(); }

 private:
  std::size_t wanted() const;
  std::size_t m_maxBody;
  Bytes m_buffer;
};

/// One function call in a data request. `cls` 1 = CNC, 2 = PMC; `path` 1.. on multi-path
/// controls; a1..a5 as the command defines them; `payload` only for writes (then a5 = its size).
struct Call {
  std::uint16_t cls = 1;
  std::uint16_t path = 1;
  std::uint16_t command = 0;
  std::array<std::int32_t, 5> args{};
  Bytes payload;
};

/// One answer in a data reply: the echoed call, the EW_* code and detail, and the payload
/// (empty on error).
struct Reply {
  std::uint16_t cls = 1;
  std::uint16_t path = 1;
  std::uint16_t command = 0;
  std::int16_t error = ew::kOk;
  std::int16_t detail = 0;
  Bytes payload;
  std::uint16_t status = 0;  ///< the word before the payload length: 0, a status in some writes
};

/// Open a data session (`session` 2) or a program-transfer one (1).
Bytes encodeOpenRequest(std::uint16_t session = 2);
Bytes encodeOpenReply(std::uint16_t replyVersion);
Bytes encodeCloseRequest();
Bytes encodeCloseReply(std::uint16_t replyVersion);

/// A data request with 1..64 calls; errors when a call's payload or the frame is too large.
Result<Bytes> encodeRequest(std::span<const Call> calls);
/// The calls of a data request frame (the server's view).
Result<std::vector<Call>> decodeRequest(const Frame& frame);
/// A data reply; errors when the frame would pass the u16 length.
Result<Bytes> encodeReply(std::span<const Reply> replies, std::uint16_t replyVersion);
/// The answers of a data reply frame, each checked against its own length fields.
Result<std::vector<Reply>> decodeReply(const Frame& frame);
/// Checks that `replies` answer `calls` one for one (count, class, path, command).
Status matchReplies(std::span<const Call> calls, std::span<const Reply> replies);

/// The 8-byte FANUC number: int32 mantissa, int16 base (10, sometimes 2), int16 exponent
/// (decimals); value = mantissa / base^exponent. An exponent of -1 (FF FF) marks a vacant
/// slot or an empty macro variable.
struct Number {
  std::int32_t mantissa = 0;
  std::int16_t base = 10;
  std::int16_t exponent = 0;

  bool vacant() const { return exponent == -1; }
  /// The value; NaN when vacant or when base/exponent cannot make a finite number.
  double value() const;
  friend bool operator==(const Number&, const Number&) = default;
};
constexpr std::size_t kNumberSize = 8;

Number readNumber(std::span<const std::uint8_t> eight);
void appendNumber(Bytes& out, const Number& n);
/// `value` rounded to `decimals` (0..9) places in base 10; vacant when `value` is NaN.
/// Values whose mantissa would pass int32 lose decimals until they fit (or saturate).
Number toNumber(double value, int decimals);
Number vacantNumber();

}  // namespace spindle::collectors::focas
