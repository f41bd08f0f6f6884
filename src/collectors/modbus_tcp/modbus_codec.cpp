#include "collectors/modbus_tcp/modbus_codec.hpp"

#include <algorithm>
#include <cstdio>

namespace spindle::collectors::modbus_tcp {
namespace {

std::uint16_t be16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v & 0xFF));
}

std::string hex2(unsigned v) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02x", v & 0xFFu);
  return text;
}

Error bad(std::uint8_t function, const std::string& what) {
  return Error(ErrorCode::kProtocol, functionName(function) + ": " + what);
}

bool isRead(std::uint8_t f) { return f >= fc::kReadCoils && f <= fc::kReadInputRegisters; }
bool isBitRead(std::uint8_t f) { return f == fc::kReadCoils || f == fc::kReadDiscreteInputs; }

/// The largest quantity a request of this function may carry.
std::uint16_t maxQuantity(std::uint8_t f) {
  switch (f) {
    case fc::kReadCoils:
    case fc::kReadDiscreteInputs:
      return kMaxReadBits;
    case fc::kReadHoldingRegisters:
    case fc::kReadInputRegisters:
      return kMaxReadRegisters;
    case fc::kWriteMultipleCoils:
      return kMaxWriteBits;
    case fc::kWriteMultipleRegisters:
      return kMaxWriteRegisters;
    default:
      return 1;
  }
}

std::vector<bool> unpackBits(std::span<const std::uint8_t> bytes, std::size_t count) {
  std::vector<bool> bits(count);
  for (std::size_t i = 0; i < count; ++i) bits[i] = (bytes[i / 8] >> (i % 8)) & 1;
  return bits;
}

void packBits(std::vector<std::uint8_t>& out, const std::vector<bool>& bits) {
  const std::size_t start = out.size();
  out.resize(start + (bits.size() + 7) / 8, 0);
  for (std::size_t i = 0; i < bits.size(); ++i) {
    if (bits[i])
      out[start + i / 8] = static_cast<std::uint8_t>(out[start + i / 8] | (1u << (i % 8)));
  }
}

Status checkRange(std::uint8_t f, std::uint16_t address, std::uint16_t count) {
  if (count < 1 || count > maxQuantity(f)) {
    return bad(f, "quantity " + std::to_string(count) + " is outside 1.." +
                      std::to_string(maxQuantity(f)));
  }
  if (static_cast<std::uint32_t>(address) + count > 65536u) {
    return bad(f, "address " + std::to_string(address) + " + quantity " + std::to_string(count) +
                      " passes 65535");
  }
  return okStatus();
}

}  // namespace

std::string functionName(std::uint8_t function) {
  switch (function) {
    case fc::kReadCoils:
      return "read coils";
    case fc::kReadDiscreteInputs:
      return "read discrete inputs";
    case fc::kReadHoldingRegisters:
      return "read holding registers";
    case fc::kReadInputRegisters:
      return "read input registers";
    case fc::kWriteSingleCoil:
      return "write single coil";
    case fc::kWriteSingleRegister:
      return "write single register";
    case fc::kWriteMultipleCoils:
      return "write multiple coils";
    case fc::kWriteMultipleRegisters:
      return "write multiple registers";
    default:
      return "function " + hex2(function);
  }
}

bool knownFunction(std::uint8_t f) {
  return isRead(f) || f == fc::kWriteSingleCoil || f == fc::kWriteSingleRegister ||
         f == fc::kWriteMultipleCoils || f == fc::kWriteMultipleRegisters;
}

std::string exceptionName(std::uint8_t code) {
  switch (code) {
    case 0x01:
      return "illegal function";
    case 0x02:
      return "illegal data address";
    case 0x03:
      return "illegal data value";
    case 0x04:
      return "server device failure";
    case 0x05:
      return "acknowledge";
    case 0x06:
      return "server device busy";
    case 0x07:
      return "negative acknowledge";
    case 0x08:
      return "memory parity error";
    case 0x0A:
      return "gateway path unavailable";
    case 0x0B:
      return "gateway target device failed to respond";
    default:
      return "exception " + hex2(code);
  }
}

std::string exceptionMeaning(std::uint8_t code) {
  switch (code) {
    case 0x01:
      return "the device does not support this function code";
    case 0x02:
      return "the device has no such address (check the map and 0- or 1-based numbering)";
    case 0x03:
      return "the device refused a value or quantity in the request";
    case 0x04:
      return "the device failed while doing what was asked";
    case 0x05:
      return "the device accepted a long-running request and has not finished it";
    case 0x06:
      return "the device is busy with a long-running request; retry later";
    case 0x07:
      return "the device cannot do the programmed function";
    case 0x08:
      return "the device found a parity error in its memory";
    case 0x0A:
      return "the gateway has no path to the unit id (check unit_id and the gateway's routes)";
    case 0x0B:
      return "the gateway's serial device did not answer (wiring, unit id or its own address)";
    default:
      return "the device sent an exception code the standard does not define";
  }
}

std::vector<std::uint8_t> encodeAdu(const Adu& adu) {
  std::vector<std::uint8_t> out;
  out.reserve(kMbapSize + adu.pdu.size());
  put16(out, adu.transaction);
  put16(out, 0);
  put16(out, static_cast<std::uint16_t>(adu.pdu.size() + 1));
  out.push_back(adu.unit);
  out.insert(out.end(), adu.pdu.begin(), adu.pdu.end());
  return out;
}

Result<std::vector<std::uint8_t>> encodeRequestPdu(const Request& r) {
  std::vector<std::uint8_t> pdu{r.function};
  const std::uint8_t f = r.function;
  if (isRead(f)) {
    if (auto s = checkRange(f, r.address, r.count); !s) return std::move(s).error();
    put16(pdu, r.address);
    put16(pdu, r.count);
  } else if (f == fc::kWriteSingleCoil) {
    if (r.bits.size() != 1) return bad(f, "needs exactly one value");
    put16(pdu, r.address);
    put16(pdu, r.bits[0] ? 0xFF00 : 0x0000);
  } else if (f == fc::kWriteSingleRegister) {
    if (r.registers.size() != 1) return bad(f, "needs exactly one value");
    put16(pdu, r.address);
    put16(pdu, r.registers[0]);
  } else if (f == fc::kWriteMultipleCoils || f == fc::kWriteMultipleRegisters) {
    const bool coils = f == fc::kWriteMultipleCoils;
    const std::size_t n = coils ? r.bits.size() : r.registers.size();
    if (auto s =
            checkRange(f, r.address, static_cast<std::uint16_t>(std::min<std::size_t>(n, 65535)));
        !s || n > 65535) {
      return bad(f, "quantity " + std::to_string(n) + " is outside 1.." +
                        std::to_string(maxQuantity(f)) + " or passes address 65535");
    }
    put16(pdu, r.address);
    put16(pdu, static_cast<std::uint16_t>(n));
    if (coils) {
      pdu.push_back(static_cast<std::uint8_t>((n + 7) / 8));
      packBits(pdu, r.bits);
    } else {
      pdu.push_back(static_cast<std::uint8_t>(n * 2));
      for (auto v : r.registers) put16(pdu, v);
    }
  } else {
    return Error(ErrorCode::kInvalidArgument, "unsupported function " + hex2(f));
  }
  return pdu;
}

Result<Request> decodeRequestPdu(std::span<const std::uint8_t> pdu) {
  if (pdu.empty()) return Error(ErrorCode::kProtocol, "empty PDU");
  if (pdu.size() > kMaxPdu) return Error(ErrorCode::kProtocol, "PDU longer than 253 bytes");
  Request r;
  r.function = pdu[0];
  const std::uint8_t f = r.function;
  if (!knownFunction(f))
    return Error(ErrorCode::kInvalidArgument, "unsupported function " + hex2(f));
  if (pdu.size() < 5)
    return bad(f, "request of " + std::to_string(pdu.size()) + " bytes is truncated");
  r.address = be16(pdu, 1);
  const std::uint16_t second = be16(pdu, 3);
  if (isRead(f)) {
    if (pdu.size() != 5)
      return bad(f, "request has " + std::to_string(pdu.size()) + " bytes, not 5");
    r.count = second;
    if (auto s = checkRange(f, r.address, r.count); !s) return std::move(s).error();
  } else if (f == fc::kWriteSingleCoil || f == fc::kWriteSingleRegister) {
    if (pdu.size() != 5)
      return bad(f, "request has " + std::to_string(pdu.size()) + " bytes, not 5");
    r.count = 1;
    if (f == fc::kWriteSingleCoil) {
      if (second != 0xFF00 && second != 0x0000)
        return bad(f, "coil value " + std::to_string(second) + " is neither 0xFF00 nor 0x0000");
      r.bits.push_back(second == 0xFF00);
    } else {
      r.registers.push_back(second);
    }
  } else {
    r.count = second;
    if (auto s = checkRange(f, r.address, r.count); !s) return std::move(s).error();
    if (pdu.size() < 6) return bad(f, "request has no byte count");
    const bool coils = f == fc::kWriteMultipleCoils;
    const std::size_t expected = coils ? (r.count + 7u) / 8u : r.count * 2u;
    if (pdu[5] != expected) {
      return bad(f, "byte count " + std::to_string(pdu[5]) + " does not match quantity " +
                        std::to_string(r.count) + " (" + std::to_string(expected) + ")");
    }
    if (pdu.size() != 6 + expected) {
      return bad(f, "request has " + std::to_string(pdu.size() - 6) +
                        " data bytes, byte count says " + std::to_string(expected));
    }
    const auto data = pdu.subspan(6);
    if (coils) {
      r.bits = unpackBits(data, r.count);
    } else {
      for (std::size_t i = 0; i < r.count; ++i) r.registers.push_back(be16(data, i * 2));
    }
  }
  return r;
}

Result<Response> decodeResponsePdu(std::span<const std::uint8_t> pdu, const Request* request) {
  if (pdu.empty()) return Error(ErrorCode::kProtocol, "empty PDU");
  if (pdu.size() > kMaxPdu) return Error(ErrorCode::kProtocol, "PDU longer than 253 bytes");
  Response r;
  r.function = static_cast<std::uint8_t>(pdu[0] & 0x7F);
  const std::uint8_t f = r.function;
  if (request && request->function != f) {
    return Error(ErrorCode::kProtocol,
                 "answer is for " + functionName(f) + ", asked " + functionName(request->function));
  }
  if (pdu[0] & 0x80) {
    if (pdu.size() != 2)
      return bad(f, "exception response of " + std::to_string(pdu.size()) + " bytes, not 2");
    r.exception = pdu[1];
    if (r.exception == 0) return bad(f, "exception response with code 0");
    return r;
  }
  if (!knownFunction(f))
    return Error(ErrorCode::kInvalidArgument, "unsupported function " + hex2(f));
  if (isRead(f)) {
    if (pdu.size() < 2) return bad(f, "response has no byte count");
    const std::size_t byteCount = pdu[1];
    if (pdu.size() != 2 + byteCount) {
      return bad(f, "byte count " + std::to_string(byteCount) + " but " +
                        std::to_string(pdu.size() - 2) + " data bytes");
    }
    const auto data = pdu.subspan(2);
    if (isBitRead(f)) {
      if (byteCount == 0) return bad(f, "response carries no bits");
      std::size_t count = byteCount * 8;
      if (request) {
        if (byteCount != (request->count + 7u) / 8u) {
          return bad(f, "byte count " + std::to_string(byteCount) + " does not fit " +
                            std::to_string(request->count) + " bits asked");
        }
        count = request->count;
      }
      r.bits = unpackBits(data, count);
      r.count = static_cast<std::uint16_t>(count);
    } else {
      if (byteCount == 0 || byteCount % 2 != 0) {
        return bad(
            f, "byte count " + std::to_string(byteCount) + " is not a whole number of registers");
      }
      if (request && byteCount != request->count * 2u) {
        return bad(f, std::to_string(byteCount / 2) + " registers in the answer, " +
                          std::to_string(request->count) + " asked");
      }
      for (std::size_t i = 0; i < byteCount / 2; ++i) r.registers.push_back(be16(data, i * 2));
      r.count = static_cast<std::uint16_t>(byteCount / 2);
    }
    if (request) r.address = request->address;
    return r;
  }
  if (pdu.size() != 5)
    return bad(f, "response has " + std::to_string(pdu.size()) + " bytes, not 5");
  r.address = be16(pdu, 1);
  r.count = be16(pdu, 3);
  if (request) {
    const bool single = f == fc::kWriteSingleCoil || f == fc::kWriteSingleRegister;
    std::uint16_t expected = request->count;
    if (f == fc::kWriteSingleCoil) expected = request->bits.at(0) ? 0xFF00 : 0;
    if (f == fc::kWriteSingleRegister) expected = request->registers.at(0);
    if (!single)
      expected = static_cast<std::uint16_t>(
          f == fc::kWriteMultipleCoils ? request->bits.size() : request->registers.size());
    if (r.address != request->address || r.count != expected) {
      return bad(f, "echo does not match the request (address " + std::to_string(r.address) + ", " +
                        (single ? "value " : "quantity ") + std::to_string(r.count) + ")");
    }
  }
  return r;
}

std::vector<std::uint8_t> encodeResponsePdu(const Response& r) {
  std::vector<std::uint8_t> pdu;
  if (r.exception != 0) {
    pdu.push_back(static_cast<std::uint8_t>(r.function | 0x80));
    pdu.push_back(r.exception);
    return pdu;
  }
  pdu.push_back(r.function);
  if (isBitRead(r.function)) {
    pdu.push_back(static_cast<std::uint8_t>((r.bits.size() + 7) / 8));
    packBits(pdu, r.bits);
  } else if (isRead(r.function)) {
    pdu.push_back(static_cast<std::uint8_t>(r.registers.size() * 2));
    for (auto v : r.registers) put16(pdu, v);
  } else {
    put16(pdu, r.address);
    put16(pdu, r.count);
  }
  return pdu;
}

std::size_t FrameDecoder::feed(std::span<const std::uint8_t> bytes) {
  std::size_t taken = 0;
  while (taken < bytes.size()) {
    std::size_t want = kMbapSize;
    if (m_size >= kMbapSize) {
      const std::size_t length = be16(m_buffer, 4);
      if (be16(m_buffer, 2) != 0 || length < 2 || length > kMaxPdu + 1) return taken;
      want = 6 + length;
    }
    if (m_size >= want) return taken;
    const std::size_t n = std::min(want - m_size, bytes.size() - taken);
    std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(taken), n,
                m_buffer.begin() + static_cast<std::ptrdiff_t>(m_size));
    m_size += n;
    taken += n;
  }
  return taken;
}

Result<std::optional<Adu>> FrameDecoder::next() {
  if (m_size < kMbapSize) return std::optional<Adu>();
  const std::uint16_t protocol = be16(m_buffer, 2);
  const std::size_t length = be16(m_buffer, 4);
  if (protocol != 0) {
    return Error(ErrorCode::kProtocol, "protocol id " + std::to_string(protocol) +
                                           " in the MBAP header is not 0 (Modbus)");
  }
  if (length < 2 || length > kMaxPdu + 1) {
    return Error(ErrorCode::kProtocol,
                 "MBAP length " + std::to_string(length) + " is outside 2..254 (unit id + PDU)");
  }
  if (m_size < 6 + length) return std::optional<Adu>();
  Adu adu;
  adu.transaction = be16(m_buffer, 0);
  adu.unit = m_buffer[6];
  adu.pdu.assign(m_buffer.begin() + kMbapSize,
                 m_buffer.begin() + static_cast<std::ptrdiff_t>(6 + length));
  m_size = 0;
  return std::optional<Adu>(std::move(adu));
}

Result<Adu> decodeAdu(std::span<const std::uint8_t> bytes) {
  FrameDecoder decoder;
  const std::size_t taken = decoder.feed(bytes);
  auto frame = decoder.next();
  if (!frame) return std::move(frame).error();
  if (!frame->has_value()) {
    return Error(ErrorCode::kProtocol,
                 "frame of " + std::to_string(bytes.size()) + " bytes is truncated");
  }
  if (taken != bytes.size()) {
    return Error(ErrorCode::kProtocol, std::to_string(bytes.size() - taken) +
                                           " bytes follow the frame its MBAP length announced");
  }
  return std::move(**frame);
}

}  // namespace spindle::collectors::modbus_tcp
