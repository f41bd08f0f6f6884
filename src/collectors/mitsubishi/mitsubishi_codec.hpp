#pragma once
/// The codec of Mitsubishi's EZSocket protocol (TCP 683): GIOP 1.0 messages in CDR, the
/// requests the NC's CORBA object answers (`mochaGetData`, `mochaGetCurrentAlarmMsgFirst`,
/// `mochaGetCurrentPrgBlockFirst`), their replies, exceptions, and the typed values of
/// mochaGetData. Pure: no sockets, no clocks, no logging. Every length is checked against the
/// bytes given; a malformed message is an error value saying what is wrong.
///
/// A message is a 12-byte header ("GIOP", version 1.0, a flags byte whose bit 0 is the byte
/// order: 1 little-endian, 0 big-endian; the message type; u32 body length in that byte order)
/// and the body. The NC and the known clients use little-endian; both orders are decoded.
/// CDR alignment is counted from the start of the message (the header included).
/// Layouts and sources: ../shared/research/protocols-proprietary.md section 3.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "base/error.hpp"

namespace spindle::collectors::mitsubishi {

using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t kHeaderSize = 12;
/// What a reader accepts by default: the largest reply the collector asks for (ten 528-byte
/// program block rows) is < 6 KB.
constexpr std::size_t kDefaultMaxBody = 65536;

namespace message_type {
constexpr std::uint8_t kRequest = 0;
constexpr std::uint8_t kReply = 1;
constexpr std::uint8_t kCancelRequest = 2;
constexpr std::uint8_t kLocateRequest = 3;
constexpr std::uint8_t kLocateReply = 4;
constexpr std::uint8_t kCloseConnection = 5;
constexpr std::uint8_t kMessageError = 6;
}  // namespace message_type

/// "Request", "Reply", ..., "message type 9".
std::string messageTypeName(std::uint8_t type);

struct Message {
  bool littleEndian = true;
  std::uint8_t type = message_type::kRequest;
  Bytes body;  ///< the bytes after the 12-byte header
};

/// The whole message (header and body) in the message's byte order.
Bytes encodeMessage(const Message& message);
/// Exactly one message in `bytes`.
Result<Message> decodeMessage(std::span<const std::uint8_t> bytes);

/// Splits a TCP byte stream into messages across reads of any size (a reply split over many
/// segments is whole when next() returns it). Holds at most one message of at most `maxBody`
/// body bytes; a longer length, another magic or version is an error after which the stream
/// cannot be trusted.
class MessageReader {
 public:
  explicit MessageReader(std::size_t maxBody = kDefaultMaxBody) : m_maxBody(maxBody) {}
  /// Appends bytes; returns how many were taken (stops once a whole message waits).
  std::size_t feed(std::span<const std::uint8_t> bytes);
  /// The next whole message, nothing when more bytes are needed, or the framing error.
  Result<std::optional<Message>> next();
  std::size_t buffered() const { return m_buffer.size(); }
  void reset() { m_buffer.clear(); }

 private:
  Result<std::size_t> wanted() const;
  std::size_t m_maxBody;
  Bytes m_buffer;
};

/// The operations the collector uses.
namespace operation {
inline constexpr const char* kGetData = "mochaGetData";
inline constexpr const char* kAlarms = "mochaGetCurrentAlarmMsgFirst";
inline constexpr const char* kProgramBlock = "mochaGetCurrentPrgBlockFirst";
}  // namespace operation

/// A GIOP 1.0 request with u32 arguments, as the NC's clients send it: no service contexts,
/// object key 01 00 00 00, an empty requesting principal.
struct Request {
  std::uint32_t requestId = 0;
  bool responseExpected = true;
  Bytes objectKey{1, 0, 0, 0};
  std::string operation;
  std::vector<std::uint32_t> args;
  bool littleEndian = true;
};

Bytes encodeRequest(const Request& request);
/// The request of a Request message (the simulator's view). Service contexts are skipped;
/// the arguments are every whole u32 after the principal.
Result<Request> decodeRequest(const Message& message);

namespace reply_status {
constexpr std::uint32_t kNoException = 0;
constexpr std::uint32_t kUserException = 1;
constexpr std::uint32_t kSystemException = 2;
constexpr std::uint32_t kLocationForward = 3;
}  // namespace reply_status

struct Reply {
  std::uint32_t requestId = 0;
  std::uint32_t status = reply_status::kNoException;
  Bytes result;               ///< the bytes after the reply header (the result or exception)
  std::size_t resultAt = 24;  ///< offset of `result` in the message (for CDR alignment)
  bool littleEndian = true;
};

Bytes encodeReply(const Reply& reply);
Result<Reply> decodeReply(const Message& message);

/// An exception reply: the CORBA exception id (often empty from the NC) and the Mitsubishi
/// error code. The code is the u32 eight bytes before the end when at most 3 bytes separate it
/// from the id (the layout the public implementation reads), else at the next 4-byte boundary
/// after the id (CDR: id, minor code, completion status).
struct ExceptionInfo {
  std::string id;
  std::uint32_t code = 0;
};
Result<ExceptionInfo> decodeException(const Reply& reply);
/// The body the simulator sends: an empty id, 3 bytes, the code, u32 0 (as in the fixtures),
/// or with `id` a CDR string, padding to 4, the code, u32 1 (completed: no).
Bytes encodeException(std::uint32_t code, const std::string& id, std::size_t resultAt,
                      bool littleEndian);

namespace ez_error {
constexpr std::uint32_t kSectionIllegal = 0x80040191;
constexpr std::uint32_t kSubSectionIllegal = 0x80040192;
constexpr std::uint32_t kLineNotOpen = 0x80A00101;
constexpr std::uint32_t kArgumentTypeIllegal = 0x80A00105;
constexpr std::uint32_t kNotConnected = 0x8202000A;
}  // namespace ez_error

/// "section number illegal (0x80040191)"; "error 0x12345678" when unknown.
std::string errorName(std::uint32_t code);
/// Section or sub-section illegal: the NC will never answer this address, so stop asking.
inline bool isPermanent(std::uint32_t code) {
  return code == ez_error::kSectionIllegal || code == ez_error::kSubSectionIllegal;
}

/// mochaGetData data types (EZSocket's T_*).
namespace data_type {
constexpr std::uint32_t kChar = 0x01;
constexpr std::uint32_t kShort = 0x02;
constexpr std::uint32_t kLong = 0x03;
constexpr std::uint32_t kDLong = 0x04;
constexpr std::uint32_t kDouble = 0x05;
constexpr std::uint32_t kFloatBin = 0x06;
constexpr std::uint32_t kString = 0x10;
constexpr std::uint32_t kUChar = 0x21;
constexpr std::uint32_t kUShort = 0x22;
constexpr std::uint32_t kUInt32 = 0x23;
}  // namespace data_type

/// "T_SHORT", "T_FLOATBIN", "type 0x103".
std::string dataTypeName(std::uint32_t type);

/// The arguments of mochaGetData: part system 1.. (0 for NC-wide data), the axis bitmask
/// (bit n-1 for axis n, 0 when not per axis) and the wanted type.
struct DataAddress {
  std::uint32_t section = 0;
  std::uint32_t subSection = 0;
  std::uint32_t system = 0;
  std::uint32_t axisFlag = 0;
  std::uint32_t type = data_type::kLong;
  friend bool operator==(const DataAddress&, const DataAddress&) = default;
};

Request getDataRequest(std::uint32_t requestId, const DataAddress& address,
                       bool littleEndian = true);
/// The address of a mochaGetData request; an error for another operation or too few args.
Result<DataAddress> dataAddressOf(const Request& request);

/// A decoded value: integers, numbers (T_DOUBLE, T_FLOATBIN) and text.
using Value = std::variant<std::int64_t, double, std::string>;

/// The result of an OK mochaGetData reply: u32 0, u32 data type (decode by this one: it may
/// differ from the type asked), u32 length, the data.
struct DataReply {
  std::uint32_t type = 0;
  Bytes data;
};
Result<DataReply> decodeDataReply(const Reply& reply);
/// The value in `data` of `type`; an error names a size that does not fit or a type not decoded.
Result<Value> decodeValue(std::uint32_t type, std::span<const std::uint8_t> data,
                          bool littleEndian);
/// The value's bytes as `type` (T_FLOATBIN with `decimals`); the simulator's side.
Bytes encodeValue(std::uint32_t type, const Value& value, bool littleEndian, int decimals = 3);
/// A whole OK mochaGetData result (header and data).
Bytes encodeDataResult(std::uint32_t type, const Bytes& data, bool littleEndian);

constexpr std::size_t kAlarmRecordSize = 264;
constexpr std::size_t kAlarmTextSize = 256;
constexpr std::size_t kBlockRecordSize = 528;
constexpr std::size_t kBlockTextSize = 512;
constexpr std::uint32_t kMaxAlarms = 10;  ///< what mochaGetCurrentAlarmMsgFirst allows

/// One record of mochaGetCurrentAlarmMsgFirst: number, a second field (a type or a length:
/// sources differ), text (up to its NUL).
struct AlarmRecord {
  std::int32_t number = 0;
  std::int32_t kind = 0;
  std::string text;
  bool empty() const { return number == 0 && text.empty(); }
};
/// Arguments: part system, count (1..10), message type (0 = all).
Request alarmRequest(std::uint32_t requestId, std::uint32_t system, std::uint32_t count,
                     std::uint32_t type = 0, bool littleEndian = true);
Result<std::vector<AlarmRecord>> decodeAlarms(const Reply& reply);
Bytes encodeAlarms(const std::vector<AlarmRecord>& records, bool littleEndian);

/// One row of mochaGetCurrentPrgBlockFirst: block, row, an unknown field, the text (bounded
/// by its length field).
struct BlockRecord {
  std::int32_t block = 0;
  std::int32_t row = 0;
  std::int32_t unknown = 0;
  std::string text;
};
Request programBlockRequest(std::uint32_t requestId, std::uint32_t system, std::uint32_t rows,
                            bool littleEndian = true);
Result<std::vector<BlockRecord>> decodeProgramBlock(const Reply& reply);
Bytes encodeProgramBlock(const std::vector<BlockRecord>& records, bool littleEndian);

/// "2b 00 ff ..." of at most `max` bytes ("..." when cut): for logs of undecodable replies.
std::string hexOf(std::span<const std::uint8_t> bytes, std::size_t max = 64);

}  // namespace spindle::collectors::mitsubishi
