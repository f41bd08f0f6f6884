#pragma once
/// The Modbus TCP codec (Modbus Application Protocol v1.1b3 over MBAP): bytes in, typed frames
/// out, and the reverse. Pure: no sockets, no clocks, no logging. Every malformed frame is an
/// error value saying what is wrong; nothing here reads past the bytes it was given.
///
/// An ADU is the 7-byte MBAP header (transaction id, protocol id 0, length = 1 + PDU bytes,
/// unit id) followed by the PDU (function code, data). Everything is big-endian.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace spindle::collectors::modbus_tcp {

constexpr std::size_t kMbapSize = 7;
constexpr std::size_t kMaxPdu = 253;
constexpr std::size_t kMaxAdu = kMbapSize + kMaxPdu;  // 260: the header holds the unit id
constexpr std::uint16_t kMaxReadBits = 2000;
constexpr std::uint16_t kMaxReadRegisters = 125;
constexpr std::uint16_t kMaxWriteBits = 1968;
constexpr std::uint16_t kMaxWriteRegisters = 123;

namespace fc {
constexpr std::uint8_t kReadCoils = 1;
constexpr std::uint8_t kReadDiscreteInputs = 2;
constexpr std::uint8_t kReadHoldingRegisters = 3;
constexpr std::uint8_t kReadInputRegisters = 4;
constexpr std::uint8_t kWriteSingleCoil = 5;
constexpr std::uint8_t kWriteSingleRegister = 6;
constexpr std::uint8_t kWriteMultipleCoils = 15;
constexpr std::uint8_t kWriteMultipleRegisters = 16;
}  // namespace fc

namespace exception {
constexpr std::uint8_t kIllegalFunction = 0x01;
constexpr std::uint8_t kIllegalDataAddress = 0x02;
constexpr std::uint8_t kIllegalDataValue = 0x03;
constexpr std::uint8_t kServerDeviceFailure = 0x04;
constexpr std::uint8_t kGatewayTargetFailed = 0x0B;
}  // namespace exception

/// "read holding registers"; "function 0x2b" for codes this codec does not speak.
std::string functionName(std::uint8_t function);
/// The exception's name, e.g. "illegal data address"; "exception 0x09" when undefined.
std::string exceptionName(std::uint8_t code);
/// What the exception means for the reader, one sentence.
std::string exceptionMeaning(std::uint8_t code);
/// Whether this codec decodes the function's PDUs (1-6, 15, 16).
bool knownFunction(std::uint8_t function);

/// One application data unit. `pdu[0]` is the function code (with 0x80 set on exceptions).
struct Adu {
  std::uint16_t transaction = 0;
  std::uint8_t unit = 0;
  std::vector<std::uint8_t> pdu;
};

/// Encodes an ADU. The PDU must hold 1 to 253 bytes (checked by the request encoders).
std::vector<std::uint8_t> encodeAdu(const Adu& adu);

/// What a client asks. Reads: address and count. Writes: address and the values (registers
/// for 6 and 16, bits for 5 and 15).
struct Request {
  std::uint8_t function = fc::kReadHoldingRegisters;
  std::uint16_t address = 0;
  std::uint16_t count = 0;
  std::vector<std::uint16_t> registers;
  std::vector<bool> bits;
};

/// What a server answers. `exception` != 0: an exception response (function without 0x80).
/// Reads: the registers or bits (bits exactly `count` long when decoded against a request,
/// else every bit of the byte count). Writes: the echoed address and count or value.
struct Response {
  std::uint8_t function = 0;
  std::uint8_t exception = 0;
  std::vector<std::uint16_t> registers;
  std::vector<bool> bits;
  std::uint16_t address = 0;
  std::uint16_t count = 0;  ///< writes: quantity (15, 16) or the value written (5, 6)
};

/// The request's PDU after checking its quantities against the protocol's limits (1-2000
/// bits, 1-125 registers to read; 1-1968 bits, 1-123 registers to write; address + count
/// within 65536).
Result<std::vector<std::uint8_t>> encodeRequestPdu(const Request& request);
/// A request's PDU (a server's or a capture reader's view). Unknown functions are errors
/// of code kInvalidArgument whose message starts "unsupported function".
Result<Request> decodeRequestPdu(std::span<const std::uint8_t> pdu);

/// A response's PDU. With `request`, the answer must match it (function, byte count,
/// echoed address and quantity); without, it is checked on its own.
Result<Response> decodeResponsePdu(std::span<const std::uint8_t> pdu,
                                   const Request* request = nullptr);
/// A server's answer: exception when `response.exception` != 0.
std::vector<std::uint8_t> encodeResponsePdu(const Response& response);

/// Splits a TCP byte stream into ADUs, across reads. Holds at most one ADU (260 bytes); a
/// header that cannot start a Modbus TCP frame (protocol id != 0, length 0, or over 254) is an
/// error, after which the stream cannot be trusted (the caller drops the connection or, in a
/// capture, skips the rest of the stream).
class FrameDecoder {
 public:
  /// Appends bytes; returns how many were taken (stops once a complete ADU waits).
  std::size_t feed(std::span<const std::uint8_t> bytes);
  /// The next complete ADU, nothing when more bytes are needed, or the framing error.
  Result<std::optional<Adu>> next();
  /// Bytes of an incomplete frame held.
  std::size_t buffered() const { return m_size; }
  void reset() { m_size = 0; }

 private:
  std::array<std::uint8_t, kMaxAdu> m_buffer{};
  std::size_t m_size = 0;
};

/// Decodes one whole ADU from `bytes` (exactly one frame). For fuzzing and tests.
Result<Adu> decodeAdu(std::span<const std::uint8_t> bytes);

}  // namespace spindle::collectors::modbus_tcp
