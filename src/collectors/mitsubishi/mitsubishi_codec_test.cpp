// The codec alone: both byte orders, messages split anywhere, every length bound, exceptions in
// both layouts, the typed values, and the script's address keys.

#include "collectors/mitsubishi/mitsubishi_codec.hpp"

#include <gtest/gtest.h>

#include "collectors/mitsubishi/mitsubishi_reads.hpp"

namespace spindle::collectors::mitsubishi {
namespace {

Reply roundTrip(const Reply& r) {
  auto m = decodeMessage(encodeReply(r));
  EXPECT_TRUE(m.ok()) << m.error().describe();
  auto back = decodeReply(*m);
  EXPECT_TRUE(back.ok()) << back.error().describe();
  return back.ok() ? *back : Reply{};
}

TEST(MitsubishiCodec, RequestsRoundTripInBothByteOrders) {
  for (bool le : {true, false}) {
    SCOPED_TRACE(le ? "little-endian" : "big-endian");
    const DataAddress a{37, 2, 1, 0x04, data_type::kFloatBin};
    const Bytes bytes = encodeRequest(getDataRequest(99, a, le));
    EXPECT_EQ(bytes.size(), 80u);
    EXPECT_EQ(bytes[6], le ? 1 : 0);
    auto m = decodeMessage(bytes);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->littleEndian, le);
    auto q = decodeRequest(*m);
    ASSERT_TRUE(q.ok()) << q.error().describe();
    EXPECT_EQ(q->requestId, 99u);
    EXPECT_EQ(dataAddressOf(*q).value(), a);
  }
}

TEST(MitsubishiCodec, ValuesOfEveryTypeRoundTripInBothByteOrders) {
  for (bool le : {true, false}) {
    for (auto [type, v] : std::vector<std::pair<std::uint32_t, Value>>{
             {data_type::kChar, std::int64_t{-3}},
             {data_type::kUChar, std::int64_t{250}},
             {data_type::kShort, std::int64_t{-1234}},
             {data_type::kUShort, std::int64_t{60000}},
             {data_type::kLong, std::int64_t{-7000000}},
             {data_type::kUInt32, std::int64_t{4000000000}},
             {data_type::kDLong, std::int64_t{-5000000000}},
             {data_type::kDouble, 2.5},
             {data_type::kFloatBin, -0.125},
             {data_type::kString, std::string("BND-2005W000")}}) {
      SCOPED_TRACE(dataTypeName(type));
      Reply r{5, reply_status::kNoException, encodeDataResult(type, encodeValue(type, v, le), le),
              24, le};
      const Reply back = roundTrip(r);
      auto d = decodeDataReply(back);
      ASSERT_TRUE(d.ok()) << d.error().describe();
      EXPECT_EQ(d->type, type);
      auto value = decodeValue(d->type, d->data, le);
      ASSERT_TRUE(value.ok()) << value.error().describe();
      EXPECT_EQ(*value, v);
    }
  }
}

TEST(MitsubishiCodec, AMessageSplitAnywhereIsReassembled) {
  const Bytes bytes =
      encodeReply({7, 0,
                   encodeDataResult(data_type::kShort,
                                    encodeValue(data_type::kShort, std::int64_t{3}, true), true)});
  for (std::size_t cut = 1; cut < bytes.size(); ++cut) {
    MessageReader reader;
    EXPECT_EQ(reader.feed(std::span(bytes).first(cut)), cut);
    auto none = reader.next();
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->has_value()) << cut;
    EXPECT_EQ(reader.feed(std::span(bytes).subspan(cut)), bytes.size() - cut);
    auto whole = reader.next();
    ASSERT_TRUE(whole.ok() && whole->has_value()) << cut;
    EXPECT_EQ(decodeReply(**whole)->requestId, 7u);
  }
}

TEST(MitsubishiCodec, FramingErrorsAreRefused) {
  Bytes ok = encodeMessage({true, message_type::kReply, Bytes(20, 0)});
  Bytes magic = ok;
  magic[3] = 'X';
  EXPECT_FALSE(decodeMessage(magic).ok());
  Bytes version = ok;
  version[4] = 2;
  EXPECT_NE(decodeMessage(version).error().message().find("version 2.0"), std::string::npos);
  MessageReader small(16);
  small.feed(ok);
  EXPECT_NE(small.next().error().message().find("passes the limit of 16"), std::string::npos);
  EXPECT_FALSE(decodeMessage(std::span(ok).first(ok.size() - 1)).ok());
  Bytes extra = ok;
  extra.push_back(0);
  EXPECT_FALSE(decodeMessage(extra).ok());
  Bytes fragment = ok;
  fragment[6] |= 2;
  EXPECT_FALSE(decodeMessage(fragment).ok());
}

TEST(MitsubishiCodec, TruncatedBodiesAreErrorsNotReadsPastTheEnd) {
  const Bytes request = encodeRequest(getDataRequest(1, {2, 1, 0, 0, 1}));
  for (std::size_t n = 0; n < 40; ++n) {  // bodies cut before the arguments
    Message m{true, message_type::kRequest,
              Bytes(request.begin() + kHeaderSize, request.begin() + kHeaderSize + n)};
    EXPECT_FALSE(decodeRequest(m).ok()) << n;
  }
  EXPECT_FALSE(decodeReply({true, message_type::kReply, Bytes(11, 0)}).ok());
  EXPECT_FALSE(decodeReply({true, message_type::kRequest, Bytes(12, 0)}).ok());
  Reply r{1, 0, Bytes(11, 0)};
  EXPECT_FALSE(decodeDataReply(r).ok());
  Reply status{1, 7, {}};
  auto statusMessage = decodeMessage(encodeReply(status));
  ASSERT_TRUE(statusMessage.ok());
  EXPECT_FALSE(decodeReply(*statusMessage).ok());
  // Service contexts are skipped, each bounded.
  Bytes body{1, 0, 0, 0, 9, 0, 0, 0, 200, 0, 0, 0};
  EXPECT_FALSE(decodeReply({true, message_type::kReply, body}).ok());
}

TEST(MitsubishiCodec, ExceptionsInBothLayouts) {
  for (bool le : {true, false}) {
    for (const std::string id : {"", "IDL:x:1.0", "IDL:omg.org/CORBA/BAD_OPERATION:1.0"}) {
      Reply r{3, reply_status::kUserException, encodeException(0x80040191, id, 24, le), 24, le};
      auto e = decodeException(roundTrip(r));
      ASSERT_TRUE(e.ok()) << e.error().describe();
      EXPECT_EQ(e->code, 0x80040191u) << id;
      EXPECT_EQ(e->id, id);
    }
  }
  EXPECT_FALSE(decodeException(Reply{3, reply_status::kNoException, {}}).ok());
  EXPECT_FALSE(decodeException(Reply{3, reply_status::kUserException, {0, 0, 0, 0}}).ok());
  EXPECT_EQ(errorName(0x12345678), "error 0x12345678");
}

TEST(MitsubishiCodec, UnknownTypesAndBadLengthsAreNamed) {
  EXPECT_NE(decodeValue(0x103, Bytes(4), true).error().message().find("type 0x103 is not decoded"),
            std::string::npos);
  EXPECT_FALSE(decodeValue(data_type::kString, Bytes{1, 0}, true).ok());
  EXPECT_FALSE(decodeValue(data_type::kDLong, Bytes(7), true).ok());
  Reply a{1, 0, Bytes(kAlarmRecordSize * 11, 0)};
  EXPECT_FALSE(decodeAlarms(a).ok());
  Reply b{1, 0, Bytes(kBlockRecordSize + 1, 0)};
  EXPECT_FALSE(decodeProgramBlock(b).ok());
}

TEST(MitsubishiReads, ScriptKeysNameAddresses) {
  auto r = parseScriptKey("plc_R2500");
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->address, (DataAddress{55, 102500, 0, 0, data_type::kShort}));
  r = parseScriptKey("plc_Y188F");
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->address, (DataAddress{53, 16287, 0, 0, data_type::kChar}));
  r = parseScriptKey("plc_YC60_byte");
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->address, (DataAddress{54, 13168, 0, 0, data_type::kUChar}));
  r = parseScriptKey("p2_ez_35_10");
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->address, (DataAddress{35, 10, 2, 0, data_type::kLong}));
  EXPECT_FALSE(parseScriptKey("run_status")->has_value());
  EXPECT_FALSE(parseScriptKey("p2_X_work")->has_value());
  EXPECT_FALSE(parseScriptKey("plc_M100").ok());
  EXPECT_FALSE(parseScriptKey("plc_RX").ok());
  EXPECT_FALSE(parseScriptKey("ez_35").ok());
  EXPECT_FALSE(parseScriptKey("p9_ez_35_10").ok());
  EXPECT_FALSE(parseScriptKey("p2_plc_R1").ok());
  EXPECT_EQ(parseSystemType("M800L").value(), SystemType::kM800L);
  EXPECT_FALSE(parseSystemType("m70").ok());
  EXPECT_EQ(defaultAxes(SystemType::kM700L), (std::vector<std::string>{"X", "Z", "C"}));
}

}  // namespace
}  // namespace spindle::collectors::mitsubishi
