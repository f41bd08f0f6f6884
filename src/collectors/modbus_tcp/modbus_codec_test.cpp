#include "collectors/modbus_tcp/modbus_codec.hpp"

#include <gtest/gtest.h>

namespace spindle::collectors::modbus_tcp {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(ModbusCodec, ReadCoilsRequestAndResponseAsOnTheWire) {
  // Request 00 01 00 00 00 06 01 01 00 00 00 03, response 00 01 00 00 00 04 01 01 01 00.
  Request req{fc::kReadCoils, 0, 3, {}, {}};
  auto pdu = encodeRequestPdu(req);
  ASSERT_TRUE(pdu);
  EXPECT_EQ(encodeAdu(Adu{1, 1, *pdu}), (Bytes{0, 1, 0, 0, 0, 6, 1, 1, 0, 0, 0, 3}));
  auto adu = decodeAdu(Bytes{0, 1, 0, 0, 0, 4, 1, 1, 1, 0x05});
  ASSERT_TRUE(adu) << adu.error().message();
  EXPECT_EQ(adu->transaction, 1);
  EXPECT_EQ(adu->unit, 1);
  auto resp = decodeResponsePdu(adu->pdu, &req);
  ASSERT_TRUE(resp) << resp.error().message();
  EXPECT_EQ(resp->bits, (std::vector<bool>{true, false, true}));
}

TEST(ModbusCodec, RegistersRoundTrip) {
  Request req{fc::kReadHoldingRegisters, 100, 2, {}, {}};
  auto pdu = encodeRequestPdu(req);
  ASSERT_TRUE(pdu);
  EXPECT_EQ(*pdu, (Bytes{3, 0, 100, 0, 2}));
  auto back = decodeRequestPdu(*pdu);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->address, 100);
  EXPECT_EQ(back->count, 2);
  Response r;
  r.function = fc::kReadHoldingRegisters;
  r.registers = {0x47F1, 0x2000};
  const auto encoded = encodeResponsePdu(r);
  EXPECT_EQ(encoded, (Bytes{3, 4, 0x47, 0xF1, 0x20, 0x00}));
  auto decoded = decodeResponsePdu(encoded, &req);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->registers, r.registers);
}

TEST(ModbusCodec, WritesEncodeAndCheckTheirEcho) {
  Request coil{fc::kWriteSingleCoil, 1, 1, {}, {true}};
  EXPECT_EQ(encodeRequestPdu(coil).value(), (Bytes{5, 0, 1, 0xFF, 0}));
  EXPECT_TRUE(decodeResponsePdu(Bytes{5, 0, 1, 0xFF, 0}, &coil));
  EXPECT_FALSE(decodeResponsePdu(Bytes{5, 0, 1, 0, 0}, &coil));
  Request reg{fc::kWriteSingleRegister, 7, 1, {0x1234}, {}};
  EXPECT_EQ(encodeRequestPdu(reg).value(), (Bytes{6, 0, 7, 0x12, 0x34}));
  Request coils{fc::kWriteMultipleCoils, 0, 3, {}, {true, false, true}};
  EXPECT_EQ(encodeRequestPdu(coils).value(), (Bytes{15, 0, 0, 0, 3, 1, 0x05}));
  EXPECT_TRUE(decodeResponsePdu(Bytes{15, 0, 0, 0, 3}, &coils));
  Request regs{fc::kWriteMultipleRegisters, 10, 2, {1, 2}, {}};
  EXPECT_EQ(encodeRequestPdu(regs).value(), (Bytes{16, 0, 10, 0, 2, 4, 0, 1, 0, 2}));
  auto parsed = decodeRequestPdu(Bytes{16, 0, 10, 0, 2, 4, 0, 1, 0, 2});
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->registers, (std::vector<std::uint16_t>{1, 2}));
  EXPECT_FALSE(decodeRequestPdu(Bytes{16, 0, 10, 0, 2, 3, 0, 1, 0}));  // byte count wrong
}

TEST(ModbusCodec, QuantitiesAreBoundedByTheStandard) {
  EXPECT_TRUE(encodeRequestPdu(Request{fc::kReadHoldingRegisters, 0, 125, {}, {}}));
  EXPECT_FALSE(encodeRequestPdu(Request{fc::kReadHoldingRegisters, 0, 126, {}, {}}));
  EXPECT_FALSE(encodeRequestPdu(Request{fc::kReadHoldingRegisters, 0, 0, {}, {}}));
  EXPECT_TRUE(encodeRequestPdu(Request{fc::kReadCoils, 0, 2000, {}, {}}));
  EXPECT_FALSE(encodeRequestPdu(Request{fc::kReadCoils, 0, 2001, {}, {}}));
  EXPECT_FALSE(encodeRequestPdu(Request{fc::kReadInputRegisters, 65535, 2, {}, {}}));
  EXPECT_FALSE(encodeRequestPdu(
      Request{fc::kWriteMultipleRegisters, 0, 0, std::vector<std::uint16_t>(124), {}}));
  EXPECT_FALSE(
      encodeRequestPdu(Request{fc::kWriteMultipleCoils, 0, 0, {}, std::vector<bool>(1969)}));
  const auto bad = encodeRequestPdu(Request{0x2B, 0, 1, {}, {}});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("unsupported function 0x2b"), std::string::npos);
}

TEST(ModbusCodec, ExceptionsCarryTheirNameAndMeaning) {
  auto r = decodeResponsePdu(Bytes{0x83, 0x02});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->function, 3);
  EXPECT_EQ(r->exception, 2);
  EXPECT_EQ(exceptionName(0x01), "illegal function");
  EXPECT_EQ(exceptionName(0x02), "illegal data address");
  EXPECT_EQ(exceptionName(0x03), "illegal data value");
  EXPECT_EQ(exceptionName(0x04), "server device failure");
  EXPECT_EQ(exceptionName(0x05), "acknowledge");
  EXPECT_EQ(exceptionName(0x06), "server device busy");
  EXPECT_EQ(exceptionName(0x07), "negative acknowledge");
  EXPECT_EQ(exceptionName(0x08), "memory parity error");
  EXPECT_EQ(exceptionName(0x0A), "gateway path unavailable");
  EXPECT_EQ(exceptionName(0x0B), "gateway target device failed to respond");
  EXPECT_EQ(exceptionName(0x09), "exception 0x09");
  EXPECT_NE(exceptionMeaning(0x0A).find("unit_id"), std::string::npos);
  EXPECT_FALSE(decodeResponsePdu(Bytes{0x83}));
  EXPECT_FALSE(decodeResponsePdu(Bytes{0x83, 0x02, 0x00}));
  EXPECT_FALSE(decodeResponsePdu(Bytes{0x83, 0x00}));
}

TEST(ModbusCodec, AnswersThatDoNotFitTheRequestAreErrors) {
  Request req{fc::kReadInputRegisters, 0, 100, {}, {}};
  // An odd byte count (129) and a count that is not what was asked.
  Bytes odd{4, 129};
  odd.resize(2 + 129);
  EXPECT_FALSE(decodeResponsePdu(odd, &req));
  EXPECT_FALSE(decodeResponsePdu(odd));
  Bytes fewer{4, 198};
  fewer.resize(2 + 198);
  EXPECT_FALSE(decodeResponsePdu(fewer, &req));
  EXPECT_FALSE(decodeResponsePdu(Bytes{3, 2, 0, 1}, &req));  // wrong function
  EXPECT_FALSE(decodeResponsePdu(Bytes{4, 4, 0, 1}));        // truncated data
  Request coils{fc::kReadCoils, 0, 9, {}, {}};
  EXPECT_FALSE(decodeResponsePdu(Bytes{1, 1, 0xFF}, &coils));  // 9 bits need 2 bytes
}

TEST(ModbusCodec, FramesReassembleAcrossReadsOfAnySize) {
  Bytes stream;
  for (std::uint16_t t = 1; t <= 3; ++t) {
    const auto adu = encodeAdu(Adu{t, 9, Bytes{3, 4, 0, static_cast<std::uint8_t>(t), 0, 2}});
    stream.insert(stream.end(), adu.begin(), adu.end());
  }
  for (std::size_t chunk : {std::size_t{1}, std::size_t{5}, std::size_t{13}, stream.size()}) {
    FrameDecoder decoder;
    std::vector<std::uint16_t> seen;
    for (std::size_t at = 0; at < stream.size(); at += chunk) {
      std::span<const std::uint8_t> bytes(stream.data() + at, std::min(chunk, stream.size() - at));
      while (!bytes.empty()) {
        bytes = bytes.subspan(decoder.feed(bytes));
        for (;;) {
          auto f = decoder.next();
          ASSERT_TRUE(f);
          if (!f->has_value()) break;
          seen.push_back((*f)->transaction);
          EXPECT_EQ((*f)->unit, 9);
        }
      }
    }
    EXPECT_EQ(seen, (std::vector<std::uint16_t>{1, 2, 3})) << "chunk " << chunk;
    EXPECT_EQ(decoder.buffered(), 0u);
  }
}

TEST(ModbusCodec, TheLargestFrameFits) {
  // 7-byte header (length 254 = unit + 253 PDU bytes) + 253 bytes: 260 in all. Found by
  // fuzz/modbus_mbap_fuzz when the buffer was one byte short.
  Bytes frame{0, 9, 0, 0, 0, 254, 1, 16, 0, 0, 0, 124, 248};
  frame.resize(kMbapSize + kMaxPdu, 0xAB);
  ASSERT_EQ(frame.size(), 260u);
  FrameDecoder decoder;
  EXPECT_EQ(decoder.feed(frame), frame.size());
  EXPECT_EQ(decoder.buffered(), 260u);
  auto adu = decoder.next();
  ASSERT_TRUE(adu);
  ASSERT_TRUE(adu->has_value());
  EXPECT_EQ((*adu)->pdu.size(), 253u);
  // Write multiple registers of 124 is past the limit of 123: a clear error, not a crash.
  EXPECT_FALSE(decodeRequestPdu((*adu)->pdu));
}

TEST(ModbusCodec, HeadersThatCannotStartAFrameAreErrors) {
  auto protocol = decodeAdu(Bytes{0, 1, 0, 1, 0, 2, 1, 3});
  ASSERT_FALSE(protocol);
  EXPECT_NE(protocol.error().message().find("protocol id 1"), std::string::npos);
  auto zero = decodeAdu(Bytes{0, 1, 0, 0, 0, 0, 1});
  ASSERT_FALSE(zero);
  EXPECT_NE(zero.error().message().find("MBAP length 0"), std::string::npos);
  auto huge = decodeAdu(Bytes{0, 1, 0, 0, 0x01, 0x00, 1});  // 256: past 254
  ASSERT_FALSE(huge);
  EXPECT_FALSE(decodeAdu(Bytes{0, 1, 0, 0, 0, 6, 1, 3}));     // truncated
  EXPECT_FALSE(decodeAdu(Bytes{0, 1, 0, 0, 0, 2, 1, 3, 9}));  // trailing byte
  // The decoder never holds more than one frame, whatever it is fed.
  FrameDecoder d;
  Bytes junk(10000, 0xFF);
  EXPECT_LE(d.feed(junk), kMaxAdu);
  EXPECT_FALSE(d.next());
  EXPECT_LE(d.buffered(), kMaxAdu);
}

}  // namespace
}  // namespace spindle::collectors::modbus_tcp
