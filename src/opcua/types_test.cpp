// The built-in types against byte vectors derived by hand from Part 6, 5.2 (encoding rules
// and the spec's own examples), plus truncation, hostile lengths and nesting bombs.
#include "opcua/types.hpp"

#include <gtest/gtest.h>

namespace spindle::opcua {
namespace {

Bytes hex(std::initializer_list<int> v) {
  Bytes out;
  for (int b : v) out.push_back(static_cast<std::uint8_t>(b));
  return out;
}

const Guid kGuid{0x72962B91, 0xFA75, 0x4AE6, {0x8D, 0x28, 0xB4, 0x04, 0xDC, 0x7D, 0xAF, 0x63}};
const Bytes kGuidBytes = hex({0x91, 0x2B, 0x96, 0x72, 0x75, 0xFA, 0xE6, 0x4A, 0x8D, 0x28, 0xB4,
                              0x04, 0xDC, 0x7D, 0xAF, 0x63});

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

/// Encodes to exactly `bytes`, decodes back to `value`, and every shorter prefix fails.
template <typename T>
void expectVector(const T& value, const Bytes& bytes) {
  SCOPED_TRACE(::testing::PrintToString(bytes));
  EXPECT_EQ(encodeToBytes(value), bytes);
  auto back = decodeAll<T>(bytes);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_TRUE(*back == value);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto cut = decodeAll<T>(std::span<const std::uint8_t>(bytes.data(), n));
    EXPECT_FALSE(cut.ok()) << "a " << n << "-byte prefix decoded";
    if (!cut.ok()) {
      EXPECT_EQ(cut.error().code(), ErrorCode::kProtocol);
    }
  }
}

TEST(OpcuaTypes, Integers) {
  expectVector(true, hex({0x01}));
  expectVector(std::int8_t{-2}, hex({0xFE}));
  expectVector(std::uint8_t{0xAB}, hex({0xAB}));
  expectVector(std::int16_t{-2}, hex({0xFE, 0xFF}));
  expectVector(std::uint16_t{0x1234}, hex({0x34, 0x12}));
  expectVector(std::int32_t{-1}, hex({0xFF, 0xFF, 0xFF, 0xFF}));
  expectVector(std::uint32_t{0x12345678}, hex({0x78, 0x56, 0x34, 0x12}));
  expectVector(std::int64_t{-2}, hex({0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}));
  expectVector(std::uint64_t{0x0102030405060708},
               hex({0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01}));
}

TEST(OpcuaTypes, FloatsAreIeeeLittleEndian) {
  expectVector(1.5f, hex({0x00, 0x00, 0xC0, 0x3F}));
  expectVector(-2.25, hex({0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xC0}));
}

TEST(OpcuaTypes, StringNullAndEmptyDiffer) {
  expectVector(String("abc"), hex({0x03, 0x00, 0x00, 0x00, 0x61, 0x62, 0x63}));
  expectVector(String(), hex({0xFF, 0xFF, 0xFF, 0xFF}));
  expectVector(String(""), hex({0x00, 0x00, 0x00, 0x00}));
  expectVector(ByteString(Bytes{0x01, 0x02}), hex({0x02, 0x00, 0x00, 0x00, 0x01, 0x02}));
  expectVector(ByteString(), hex({0xFF, 0xFF, 0xFF, 0xFF}));
  expectVector(XmlElement{String("<a/>")}, hex({0x04, 0, 0, 0, '<', 'a', '/', '>'}));
  EXPECT_FALSE(decodeAll<String>(hex({0xFE, 0xFF, 0xFF, 0xFF})).ok());  // -2
}

TEST(OpcuaTypes, DateTimeEpochs) {
  // 1970-01-01 is 11644473600 s after 1601-01-01: 116444736000000000 ticks.
  expectVector(DateTime{116444736000000000}, hex({0x00, 0x80, 0x3E, 0xD5, 0xDE, 0xB1, 0x9D, 0x01}));
  expectVector(DateTime{0}, Bytes(8, 0));
  EXPECT_EQ(DateTime::fromUnixNanos(0).ticks, 116444736000000000);
  EXPECT_EQ(DateTime::fromUnixNanos(1700000000LL * 1000000000).ticks, 133444736000000000);
  EXPECT_EQ(DateTime{133444736000000000}.toUnixNanos(), 1700000000LL * 1000000000);
  // 1601 is outside Int64 nanoseconds: saturates.
  EXPECT_EQ(DateTime{0}.toUnixNanos(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(DateTime{std::numeric_limits<std::int64_t>::max()}.toUnixNanos(),
            std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(DateTime{116444736000000000 - 10}.toUnixNanos(), -1000);
}

TEST(OpcuaTypes, GuidFromTheSpecExample) {
  expectVector(kGuid, kGuidBytes);
  EXPECT_EQ(kGuid.toString(), "72962B91-FA75-4AE6-8D28-B404DC7DAF63");
  EXPECT_EQ(Guid::parse("72962b91-fa75-4ae6-8d28-b404dc7daf63"), kGuid);
  EXPECT_FALSE(Guid::parse("72962B91-FA75-4AE6-8D28-B404DC7DAF6").has_value());
}

TEST(OpcuaTypes, NodeIdPicksTheSmallestForm) {
  expectVector(NodeId(0, 72u), hex({0x00, 0x48}));                // two-byte
  expectVector(NodeId(5, 1025u), hex({0x01, 0x05, 0x01, 0x04}));  // four-byte
  expectVector(NodeId(0, 70000u), hex({0x02, 0x00, 0x00, 0x70, 0x11, 0x01, 0x00}));
  expectVector(NodeId(256, 1u), hex({0x02, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00}));
  expectVector(NodeId(1, std::string("Hot")),
               hex({0x03, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 'H', 'o', 't'}));
  expectVector(NodeId(1, kGuid), concat({hex({0x04, 0x01, 0x00}), kGuidBytes}));
  expectVector(NodeId(1, Bytes{0x01, 0x02}),
               hex({0x05, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x02}));
  // A non-minimal form decodes to the same NodeId.
  auto wide = decodeAll<NodeId>(hex({0x02, 0x00, 0x00, 0x48, 0x00, 0x00, 0x00}));
  ASSERT_TRUE(wide.ok());
  EXPECT_EQ(*wide, NodeId(0, 72u));
  EXPECT_FALSE(decodeAll<NodeId>(hex({0x06, 0x00})).ok());
  EXPECT_FALSE(decodeAll<NodeId>(hex({0x80, 0x00})).ok());  // ExpandedNodeId flag
}

TEST(OpcuaTypes, ExpandedNodeIdFlags) {
  expectVector(ExpandedNodeId{NodeId(0, 5u), String("u"), 0},
               hex({0x80, 0x05, 0x01, 0x00, 0x00, 0x00, 'u'}));
  expectVector(ExpandedNodeId{NodeId(0, 5u), std::nullopt, 2},
               hex({0x40, 0x05, 0x02, 0x00, 0x00, 0x00}));
  expectVector(ExpandedNodeId{NodeId(0, 5u), String("u"), 2},
               hex({0xC0, 0x05, 0x01, 0x00, 0x00, 0x00, 'u', 0x02, 0x00, 0x00, 0x00}));
  expectVector(ExpandedNodeId{NodeId(2, std::string("a")), std::nullopt, 0},
               hex({0x03, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 'a'}));
}

TEST(OpcuaTypes, StatusQualifiedNameLocalizedText) {
  expectVector(StatusCode{0x800A0000}, hex({0x00, 0x00, 0x0A, 0x80}));
  expectVector(QualifiedName{2, String("ab")}, hex({0x02, 0x00, 0x02, 0x00, 0x00, 0x00, 'a', 'b'}));
  expectVector(LocalizedText{}, hex({0x00}));
  expectVector(LocalizedText{std::nullopt, String("x")}, hex({0x02, 0x01, 0x00, 0x00, 0x00, 'x'}));
  expectVector(LocalizedText{String("en"), String("x")},
               hex({0x03, 0x02, 0x00, 0x00, 0x00, 'e', 'n', 0x01, 0x00, 0x00, 0x00, 'x'}));
  EXPECT_FALSE(decodeAll<LocalizedText>(hex({0x04})).ok());
}

TEST(OpcuaTypes, ExtensionObject) {
  expectVector(ExtensionObject{}, hex({0x00, 0x00, 0x00}));
  expectVector(ExtensionObject{NodeId(0, 321u), ExtensionObject::Encoding::kBinary, {0xAA, 0xBB}},
               hex({0x01, 0x00, 0x41, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0xAA, 0xBB}));
  expectVector(ExtensionObject{NodeId(0, 1u), ExtensionObject::Encoding::kXml, {'<', '/'}},
               hex({0x00, 0x01, 0x02, 0x02, 0x00, 0x00, 0x00, '<', '/'}));
  EXPECT_FALSE(decodeAll<ExtensionObject>(hex({0x00, 0x00, 0x03})).ok());
}

TEST(OpcuaTypes, DataValueMaskOrder) {
  DataValue dv;
  dv.value = Variant(std::int32_t{5});
  dv.status = StatusCode{0x40900000};
  dv.sourceTimestamp = DateTime{116444736000000000};
  expectVector(dv, concat({hex({0x07, 0x06, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x90, 0x40}),
                           hex({0x00, 0x80, 0x3E, 0xD5, 0xDE, 0xB1, 0x9D, 0x01})}));
  // Source timestamp and picoseconds come before the server's.
  DataValue pico;
  pico.sourceTimestamp = DateTime{1};
  pico.sourcePicoseconds = 7;
  pico.serverTimestamp = DateTime{2};
  pico.serverPicoseconds = 9;
  expectVector(pico, hex({0x3C, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0, 2, 0, 0, 0, 0, 0, 0, 0, 9, 0}));
  expectVector(DataValue{}, hex({0x00}));
  EXPECT_FALSE(decodeAll<DataValue>(hex({0x40})).ok());
}

TEST(OpcuaTypes, VariantScalarsAndArrays) {
  expectVector(Variant(), hex({0x00}));
  expectVector(Variant(std::int32_t{-1}), hex({0x06, 0xFF, 0xFF, 0xFF, 0xFF}));
  expectVector(Variant(String("a")), hex({0x0C, 0x01, 0x00, 0x00, 0x00, 'a'}));
  expectVector(Variant(std::vector<std::uint16_t>{1, 2}),
               hex({0x85, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00}));
  expectVector(Variant(std::vector<bool>{true, false}), hex({0x81, 0x02, 0, 0, 0, 0x01, 0x00}));
  Variant matrix(std::vector<std::int32_t>{1, 2, 3, 4, 5, 6});
  matrix.dimensions = {2, 3};
  expectVector(matrix, hex({0xC6, 6, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0,
                            5,    0, 0, 0, 6, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0}));
  Variant inner(Box<Variant>(Variant(true)));
  expectVector(inner, hex({0x18, 0x01, 0x01}));
  Variant dv(Box<DataValue>(DataValue{}));
  expectVector(dv, hex({0x17, 0x00}));
  EXPECT_EQ(matrix.type(), BuiltinType::kInt32);
  EXPECT_TRUE(matrix.isArray());
}

TEST(OpcuaTypes, EveryBuiltinTypeRoundTripsAsScalarAndArray) {
  std::vector<Variant> all = {
      Variant(true),
      Variant(std::int8_t{-3}),
      Variant(std::uint8_t{3}),
      Variant(std::int16_t{-300}),
      Variant(std::uint16_t{300}),
      Variant(std::int32_t{-70000}),
      Variant(std::uint32_t{70000}),
      Variant(std::int64_t{-1} << 40),
      Variant(std::uint64_t{1} << 40),
      Variant(1.25f),
      Variant(2.5),
      Variant(String("s")),
      Variant(DateTime{42}),
      Variant(kGuid),
      Variant(ByteString(Bytes{9})),
      Variant(XmlElement{String("<x/>")}),
      Variant(NodeId(3, std::string("n"))),
      Variant(ExpandedNodeId{NodeId(0, 1u), String("urn:x"), 4}),
      Variant(StatusCode{0x80340000}),
      Variant(QualifiedName{1, String("q")}),
      Variant(LocalizedText{String("de"), String("t")}),
      Variant(ExtensionObject{NodeId(0, 724u), ExtensionObject::Encoding::kBinary, {1, 2, 3}}),
      Variant(Box<DataValue>(DataValue{Variant(2.0), StatusCode{}, {}, {}, {}, {}})),
      Variant(Box<Variant>(Variant(std::int16_t{4}))),
      Variant(DiagnosticInfo{1, {}, {}, {}, String("why"), {}, {}}),
  };
  ASSERT_EQ(all.size(), kBuiltinTypeCount);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(all[i].type()), i + 1);
    const Bytes b = encodeToBytes(all[i]);
    EXPECT_EQ(b[0], i + 1);
    auto back = decodeAll<Variant>(b);
    ASSERT_TRUE(back.ok()) << i << ": " << back.error().describe();
    EXPECT_TRUE(*back == all[i]) << i;
  }
  // Arrays: an array of every kind, built from the scalars' encodings.
  std::vector<Variant> arrays = {
      Variant(std::vector<String>{String("a"), std::nullopt}),
      Variant(std::vector<DateTime>{DateTime{1}}),
      Variant(std::vector<Guid>{kGuid, kGuid}),
      Variant(std::vector<NodeId>{NodeId(0, 1u), NodeId(2, std::string("x"))}),
      Variant(std::vector<ExtensionObject>{ExtensionObject{}}),
      Variant(std::vector<DataValue>{DataValue{}, DataValue{Variant(1.0), {}, {}, {}, {}, {}}}),
      Variant(std::vector<Variant>{Variant(), Variant(true)}),
      Variant(std::vector<DiagnosticInfo>{DiagnosticInfo{}}),
      Variant(std::vector<LocalizedText>{LocalizedText{}}),
      Variant(std::vector<QualifiedName>{QualifiedName{}}),
      Variant(std::vector<StatusCode>{StatusCode{1}}),
      Variant(std::vector<double>{1.0, 2.0}),
      Variant(std::vector<float>{1.0f}),
      Variant(std::vector<std::int64_t>{-1}),
      Variant(std::vector<std::uint64_t>{1}),
      Variant(std::vector<std::int8_t>{-1}),
      Variant(std::vector<std::uint8_t>{1}),
      Variant(std::vector<std::int16_t>{-1}),
      Variant(std::vector<std::int32_t>{}),
      Variant(std::vector<std::uint32_t>{7}),
      Variant(std::vector<ByteString>{std::nullopt}),
      Variant(std::vector<XmlElement>{XmlElement{}}),
      Variant(std::vector<ExpandedNodeId>{ExpandedNodeId{}})};
  for (const auto& a : arrays) {
    const Bytes b = encodeToBytes(a);
    EXPECT_EQ(b[0] & 0x80, 0x80);
    auto back = decodeAll<Variant>(b);
    ASSERT_TRUE(back.ok()) << back.error().describe();
    EXPECT_TRUE(*back == a);
  }
}

TEST(OpcuaTypes, ArrayDimensionsMustMatchTheCount) {
  // 2 x 2 claimed for 3 elements.
  auto bad =
      decodeAll<Variant>(hex({0xC3, 3, 0, 0, 0, 1, 2, 3, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("dimensions"), std::string::npos);
  EXPECT_FALSE(decodeAll<Variant>(hex({0xC3, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF}))
                   .ok());                                // negative dimension
  EXPECT_FALSE(decodeAll<Variant>(hex({0x43, 1})).ok());  // dimensions on a scalar
  EXPECT_FALSE(decodeAll<Variant>(hex({0x1A})).ok());     // type 26 does not exist
}

TEST(OpcuaTypes, DiagnosticInfoNested) {
  DiagnosticInfo d;
  d.symbolicId = 1;
  d.innerStatusCode = StatusCode{0x80340000};
  DiagnosticInfo inner;
  inner.additionalInfo = String("x");
  d.innerDiagnosticInfo = inner;
  expectVector(d, hex({0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x34, 0x80, 0x10, 0x01, 0x00, 0x00,
                       0x00, 'x'}));
  DiagnosticInfo order;  // Locale is encoded before LocalizedText
  order.localizedText = 3;
  order.locale = 4;
  expectVector(order, hex({0x0C, 4, 0, 0, 0, 3, 0, 0, 0}));
}

TEST(OpcuaTypes, HostileLengthsFailWithoutAllocating) {
  Bytes body = hex({0x86, 0xFF, 0xFF, 0xFF, 0x7F});  // Int32 array of 0x7FFFFFFF elements
  body.resize(body.size() + 10, 0);
  auto v = decodeAll<Variant>(body);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message().find("exceeds the 10 bytes left"), std::string::npos)
      << v.error().describe();
  EXPECT_NE(v.error().message().find("offset 1"), std::string::npos);
  Bytes s = hex({0xFF, 0xFF, 0xFF, 0x7F, 'a', 'b'});
  EXPECT_FALSE(decodeAll<String>(s).ok());
  Bytes arr = hex({0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_FALSE(decodeAll<Array<String>>(arr).ok());
  // A count that fits the bytes as 1-byte elements but not as Guids.
  EXPECT_FALSE(decodeAll<Variant>(hex({0x8E, 0x02, 0, 0,  0,  1,  2,  3,  4,  5, 6,
                                       7,    8,    9, 10, 11, 12, 13, 14, 15, 16}))
                   .ok());
}

TEST(OpcuaTypes, DepthBombsFailCleanly) {
  constexpr int kDeep = 10000;
  // Variant arrays of one Variant each, nested, ending in an array of ExtensionObjects.
  Bytes variants;
  for (int i = 0; i < kDeep; ++i) variants.insert(variants.end(), {0x98, 0x01, 0x00, 0x00, 0x00});
  variants.insert(variants.end(), {0x96, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00});
  auto v = decodeAll<Variant>(variants);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message().find("nested deeper"), std::string::npos) << v.error().describe();

  Bytes dataValues;  // DataValue -> Variant(DataValue) -> ...
  for (int i = 0; i < kDeep; ++i) dataValues.insert(dataValues.end(), {0x01, 0x17});
  dataValues.push_back(0x00);
  EXPECT_FALSE(decodeAll<DataValue>(dataValues).ok());

  Bytes diagnostics(kDeep, 0x40);
  diagnostics.push_back(0x00);
  auto d = decodeAll<DiagnosticInfo>(diagnostics);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("nested deeper"), std::string::npos);

  // Within the limit it decodes.
  Bytes fine(10, 0x40);
  fine.push_back(0x00);
  EXPECT_TRUE(decodeAll<DiagnosticInfo>(fine).ok());
}

TEST(OpcuaTypes, DecodedMemoryIsBoundedBySizeOfTheMessage) {
  // One byte per null Variant on the wire, far more once decoded: 2 MB of them would take
  // sizeof(Variant) x 2M of memory; a message may make at most 32 x its size + 1 MiB.
  constexpr std::int32_t kCount = 2'000'000;
  Bytes bomb{0x98};  // a Variant array of Variants
  for (int shift = 0; shift < 32; shift += 8)
    bomb.push_back(static_cast<std::uint8_t>(kCount >> shift));
  bomb.resize(bomb.size() + kCount, 0x00);
  ASSERT_GT(sizeof(Variant) * kCount, Reader::kBudgetFactor * bomb.size() + Reader::kBudgetBase);
  auto v = decodeAll<Variant>(bomb);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message().find("bytes of memory"), std::string::npos) << v.error().describe();
  // The same through a typed array (DataValues with an empty mask).
  Bytes values;
  for (int shift = 0; shift < 32; shift += 8)
    values.push_back(static_cast<std::uint8_t>(kCount >> shift));
  values.resize(values.size() + kCount, 0x00);
  auto dv = decodeAll<Array<DataValue>>(values);
  ASSERT_FALSE(dv.ok());
  EXPECT_NE(dv.error().message().find("bytes of memory"), std::string::npos)
      << dv.error().describe();
  // Real data is far below the budget: 100,000 doubles.
  Variant doubles(std::vector<double>(100'000, 1.5));
  auto back = decodeAll<Variant>(encodeToBytes(doubles));
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(*back, doubles);
}

TEST(OpcuaTypes, NullArraysKeepTheirEncoding) {
  Array<std::uint32_t> null;
  null.null = true;
  EXPECT_EQ(encodeToBytes(null), hex({0xFF, 0xFF, 0xFF, 0xFF}));
  EXPECT_EQ(encodeToBytes(Array<std::uint32_t>{}), hex({0, 0, 0, 0}));
  auto back = decodeAll<Array<std::uint32_t>>(hex({0xFF, 0xFF, 0xFF, 0xFF}));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->null);
  EXPECT_TRUE(back->empty());
}

}  // namespace
}  // namespace spindle::opcua
