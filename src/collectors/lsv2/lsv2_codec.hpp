#pragma once
/// The Heidenhain LSV2 codec (TCP 19000): telegram framing, error telegrams, the negotiated
/// buffer size and the request telegrams a client sends. Pure: no sockets, no clocks, no
/// logging; nothing here reads past the bytes it was given. The typed payloads of the replies
/// are in lsv2_replies.hpp.
///
/// A telegram is a u32 big-endian payload length (the 8-byte header not counted), four ASCII
/// characters naming the command or reply (`A_LG`, `R_RI`, `S_RI`, `T_OK`, ...: a letter, `_`,
/// two letters or digits), then the payload. Strings in payloads end with NUL.
///
/// The buffer: a telegram (header included) may not be larger than the buffer both sides
/// agreed on: 256 bytes after login, raised by `C_CC` 3..7 to at most the control's R_PR
/// `max block length`. A longer reply comes as several `S_` blocks, each acknowledged with
/// `T_OK`, ended by `T_FD`. A refusal is `T_ER` (`T_BD` inside a block transfer) with an error
/// type and code byte.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace spindle::collectors::lsv2 {

using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t kHeaderSize = 8;
constexpr std::size_t kDefaultBuffer = 256;   ///< telegram size before C_CC raises it
constexpr std::size_t kLargestBuffer = 4096;  ///< C_CC 7
/// A reader's default bound on one payload: the largest buffer any control agrees to.
constexpr std::size_t kDefaultMaxPayload = kLargestBuffer - kHeaderSize;

/// The telegram codes this codec uses.
namespace code {
inline constexpr std::string_view kLogin = "A_LG";
inline constexpr std::string_view kLogout = "A_LO";
inline constexpr std::string_view kVersionRequest = "R_VR";
inline constexpr std::string_view kVersions = "S_VR";
inline constexpr std::string_view kParameterRequest = "R_PR";
inline constexpr std::string_view kParameters = "S_PR";
inline constexpr std::string_view kRunInfoRequest = "R_RI";
inline constexpr std::string_view kRunInfo = "S_RI";
inline constexpr std::string_view kMemoryRequest = "R_MB";
inline constexpr std::string_view kMemory = "S_MB";
inline constexpr std::string_view kDataPathRequest = "R_DP";
inline constexpr std::string_view kDataPath = "S_DP";
inline constexpr std::string_view kFileRequest = "R_FL";
inline constexpr std::string_view kFileBlock = "S_FL";
inline constexpr std::string_view kControlCommand = "C_CC";
inline constexpr std::string_view kOk = "T_OK";
inline constexpr std::string_view kError = "T_ER";
inline constexpr std::string_view kBlockError = "T_BD";
inline constexpr std::string_view kTransferDone = "T_FD";
}  // namespace code

struct Telegram {
  std::string code;  ///< four characters
  Bytes payload;

  bool is(std::string_view c) const { return code == c; }
  /// T_ER or T_BD: the control refused.
  bool isError() const { return is(code::kError) || is(code::kBlockError); }
  friend bool operator==(const Telegram&, const Telegram&) = default;
};

/// Whether `c` has the shape of a telegram code: a capital letter, `_`, two capitals or digits.
bool validCode(std::string_view c);

/// The whole telegram; an error when the code is malformed or the telegram (header included)
/// is larger than `buffer`, the size agreed with the peer.
Result<Bytes> encodeTelegram(const Telegram& telegram, std::size_t buffer = kLargestBuffer);
/// Exactly one telegram in `bytes` (tests, fuzzing, captures).
Result<Telegram> decodeTelegram(std::span<const std::uint8_t> bytes);

/// Splits a TCP byte stream into telegrams, across reads of any size. Holds at most one
/// telegram of at most `maxPayload` payload bytes: a longer length or a malformed code is an
/// error after which the stream cannot be trusted (the session drops the connection).
class TelegramReader {
 public:
  explicit TelegramReader(std::size_t maxPayload = kDefaultMaxPayload) : m_maxPayload(maxPayload) {}
  /// Appends bytes; returns how many were taken (stops once a whole telegram waits).
  std::size_t feed(std::span<const std::uint8_t> bytes);
  /// The next whole telegram, nothing when more bytes are needed, or the framing error.
  Result<std::optional<Telegram>> next();
  std::size_t buffered() const { return m_buffer.size(); }
  void reset() { m_buffer.clear(); }
  void setMaxPayload(std::size_t n) { m_maxPayload = n; }

 private:
  std::size_t wanted() const;
  bool headerBad() const;
  std::size_t m_maxPayload;
  Bytes m_buffer;
};

/// The payload of T_ER / T_BD: an error type and an error code byte.
struct TransferError {
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  friend bool operator==(const TransferError&, const TransferError&) = default;
};

/// Status codes the LSV2 peers send (pyLSV2's error table and issue logs).
namespace status {
constexpr std::uint8_t kBadFormat = 20;
constexpr std::uint8_t kUnexpectedTelegram = 21;
constexpr std::uint8_t kUnknownTelegram = 22;
constexpr std::uint8_t kNoPrivilege = 23;
constexpr std::uint8_t kWrongParameter = 24;
constexpr std::uint8_t kBreak = 25;
constexpr std::uint8_t kNoFile = 32;
constexpr std::uint8_t kWrongDncStatus = 46;
constexpr std::uint8_t kNoLogin = 49;
constexpr std::uint8_t kNoNextError = 57;  ///< the end of the NC error list, not a failure
constexpr std::uint8_t kBusy = 90;
}  // namespace status

Result<TransferError> decodeError(const Telegram& telegram);
/// "T_ER_NO_PRIV"; "T_ER code 77" when unknown.
std::string errorName(std::uint8_t code);
/// One phrase for the reader: "no privilege (the login level lacks it)".
std::string errorMeaning(std::uint8_t code);
/// "T_ER type 1 code 23 T_ER_NO_PRIV: no privilege (...)".
std::string describeError(const Telegram& telegram);

/// The buffer a client asks for with C_CC: the largest of 512..4096 not above the control's
/// max block length. `command` 0 when none fits (the 256-byte default stays).
struct BufferChoice {
  std::uint16_t command = 0;  ///< C_CC sub-command 3..7
  std::size_t size = kDefaultBuffer;
};
BufferChoice chooseBuffer(std::uint32_t maxBlockLength);
/// The buffer size C_CC sub-command `command` selects; nothing for other sub-commands.
std::optional<std::size_t> bufferForCommand(std::uint16_t command);

// Request telegrams.
Telegram loginRequest(std::string_view name, std::string_view password = {});
Telegram logoutRequest();
/// R_VR without a parameter (every control), or with 1 control, 2 NC software, 3 PLC ...
Telegram versionRequest(std::optional<std::uint8_t> what = std::nullopt);
Telegram parameterRequest();
Telegram bufferRequest(std::uint16_t command);
Telegram runInfoRequest(std::uint16_t info);
/// R_MB: `count` (1..255) bytes of PLC memory from byte `address`.
Telegram memoryRequest(std::uint32_t address, std::uint8_t count);
/// R_DP: a data path such as `\PLC\memory\D\0` (iTNC 530).
Telegram dataPathRequest(std::string_view path);
/// R_FL: a file, in binary mode when `binary`.
Telegram fileRequest(std::string_view path, bool binary);
Telegram okTelegram();
Telegram errorTelegram(TransferError error, bool block = false);

/// The NUL-terminated strings of `payload` in order (a last one without NUL counts too).
std::vector<std::string> splitStrings(std::span<const std::uint8_t> payload);

}  // namespace spindle::collectors::lsv2
