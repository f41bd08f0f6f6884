// The opcua collector's value codec: every row of the Variant table, the two structures it
// decodes (their bodies written out byte by byte from Part 5 and Part 6), and how a DataValue's
// status and timestamps become an ItemValue.

#include "collectors/opcua/opcua_codec.hpp"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace spindle::collectors::opcua {
namespace {

using model::Value;
using Doubles = std::vector<double>;

// Ticks (100 ns since 1601-01-01) computed with Python's datetime, not with our DateTime.
constexpr std::int64_t kTicks20261205 = 134409693831250000;  // 2026-12-05T18:36:23.125Z
constexpr std::int64_t kTicksLeapDay = 125963423990000000;   // 2000-02-29T23:59:59Z
constexpr std::int64_t kTicks1970 = 116444736000000000;
constexpr std::int64_t kTicks2026 = 134116992000000000;         // 2026-01-01T00:00:00Z
constexpr TimestampNs kArrival = 1767225600LL * 1'000'000'000;  // 2026-01-01T00:00:00Z
constexpr std::int64_t kSecondTicks = 10'000'000;
constexpr std::int64_t kSecondNs = 1'000'000'000;

Value valueOf(const ua::Variant& v) {
  auto r = toValue(v);
  EXPECT_TRUE(r.ok()) << r.error().describe();
  return r ? *r : Value(model::Unavailable{});
}

std::string errorOf(const ua::Variant& v) {
  auto r = toValue(v);
  EXPECT_FALSE(r.ok());
  return r ? "" : r.error().describe();
}

std::string text(const Value& v) {
  const auto* s = std::get_if<std::string>(&v);
  return s ? *s : "(not a string)";
}

ua::ExtensionObject structure(std::uint32_t typeId, ua::Bytes body) {
  ua::ExtensionObject x;
  x.typeId = ua::NodeId(0, typeId);
  x.encoding = ua::ExtensionObject::Encoding::kBinary;
  x.body = std::move(body);
  return x;
}

TEST(OpcuaCodec, NullIsUnavailable) { EXPECT_TRUE(model::isUnavailable(valueOf(ua::Variant()))); }

TEST(OpcuaCodec, BooleanAndIntegersBecomeBoolAndInt64) {
  EXPECT_EQ(valueOf(ua::Variant(true)), Value(true));
  EXPECT_EQ(valueOf(ua::Variant(std::int8_t{-5})), Value(std::int64_t{-5}));
  EXPECT_EQ(valueOf(ua::Variant(std::uint8_t{200})), Value(std::int64_t{200}));
  EXPECT_EQ(valueOf(ua::Variant(std::int16_t{-32768})), Value(std::int64_t{-32768}));
  EXPECT_EQ(valueOf(ua::Variant(std::uint16_t{65535})), Value(std::int64_t{65535}));
  EXPECT_EQ(valueOf(ua::Variant(std::int32_t{-7})), Value(std::int64_t{-7}));
  EXPECT_EQ(valueOf(ua::Variant(std::uint32_t{4000000000u})), Value(std::int64_t{4000000000}));
  EXPECT_EQ(valueOf(ua::Variant(std::numeric_limits<std::int64_t>::min())),
            Value(std::numeric_limits<std::int64_t>::min()));
}

TEST(OpcuaCodec, UInt64IsInt64WhenItFitsElseDouble) {
  const std::uint64_t max = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(valueOf(ua::Variant(std::uint64_t{max})), Value(std::int64_t(max)));
  EXPECT_EQ(valueOf(ua::Variant(std::uint64_t{max + 1})), Value(9223372036854775808.0));
  EXPECT_EQ(valueOf(ua::Variant(std::numeric_limits<std::uint64_t>::max())),
            Value(18446744073709551615.0));
}

TEST(OpcuaCodec, FloatAndDoubleBecomeDoubleAFloatByItsShortestText) {
  EXPECT_EQ(valueOf(ua::Variant(2.5)), Value(2.5));
  EXPECT_EQ(valueOf(ua::Variant(0.1f)), Value(0.1));  // not 0.10000000149011612
  EXPECT_EQ(valueOf(ua::Variant(-1.5e-7f)), Value(-1.5e-7));
  EXPECT_EQ(valueOf(ua::Variant(3.4028235e38f)), Value(3.4028235e38));
}

TEST(OpcuaCodec, NaNAndInfinitiesAreRejected) {
  const auto nan = toValue(ua::Variant(std::nan("")));
  ASSERT_FALSE(nan.ok());
  EXPECT_EQ(nan.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(nan.error().describe(), "a Double: Double NaN is not a number Spindle records");
  EXPECT_NE(errorOf(ua::Variant(std::numeric_limits<float>::infinity())).find("Float +Infinity"),
            std::string::npos);
  EXPECT_NE(errorOf(ua::Variant(-std::numeric_limits<double>::infinity())).find("-Infinity"),
            std::string::npos);
}

TEST(OpcuaCodec, TextTypesBecomeStrings) {
  EXPECT_EQ(valueOf(ua::Variant(ua::String("Auto"))), Value(std::string("Auto")));
  EXPECT_EQ(valueOf(ua::Variant(ua::String(""))), Value(std::string()));
  EXPECT_TRUE(model::isUnavailable(valueOf(ua::Variant(ua::String()))));  // null String
  EXPECT_EQ(valueOf(ua::Variant(ua::XmlElement{"<a/>"})), Value(std::string("<a/>")));
  EXPECT_EQ(valueOf(ua::Variant(ua::LocalizedText{"de-DE", "Betrieb"})),
            Value(std::string("Betrieb")));
  EXPECT_TRUE(model::isUnavailable(valueOf(ua::Variant(ua::LocalizedText{"en", std::nullopt}))));
}

TEST(OpcuaCodec, DateTimeIsIsoTextInUtc) {
  auto at = [](std::int64_t ticks) { return text(valueOf(ua::Variant(ua::DateTime{ticks}))); };
  EXPECT_EQ(at(kTicks20261205), "2026-12-05T18:36:23.125Z");
  EXPECT_EQ(at(kTicks20261205 + 1), "2026-12-05T18:36:23.1250001Z");
  EXPECT_EQ(at(kTicksLeapDay), "2000-02-29T23:59:59.000Z");
  EXPECT_EQ(at(kTicksLeapDay + kSecondTicks), "2000-03-01T00:00:00.000Z");
  EXPECT_EQ(at(kTicks1970), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(at(kTicks2026 - 1), "2025-12-31T23:59:59.9999999Z");
  // Part 6 clamps to 1601..9999: 0 and below are the minimum, Int64 max the maximum.
  EXPECT_EQ(at(0), "1601-01-01T00:00:00.000Z");
  EXPECT_EQ(at(-5), "1601-01-01T00:00:00.000Z");
  EXPECT_EQ(at(std::numeric_limits<std::int64_t>::max()), "9999-12-31T23:59:59.9999999Z");
}

TEST(OpcuaCodec, IdentifiersAndNamesBecomeTheirTextForms) {
  ua::Guid g{0x72962B91, 0xFA75, 0x4AE6, {0x8D, 0x28, 0xB4, 0x04, 0xDC, 0x7D, 0xAF, 0x63}};
  EXPECT_EQ(text(valueOf(ua::Variant(g))), "72962B91-FA75-4AE6-8D28-B404DC7DAF63");
  EXPECT_EQ(text(valueOf(ua::Variant(ua::NodeId(2, std::string("Channel1.Speed"))))),
            "ns=2;s=Channel1.Speed");
  ua::ExpandedNodeId x;
  x.nodeId = ua::NodeId(0, std::uint32_t{7});
  x.namespaceUri = "http://spindle.test/cnc";
  EXPECT_EQ(text(valueOf(ua::Variant(x))), "nsu=http://spindle.test/cnc;i=7");
  EXPECT_EQ(text(valueOf(ua::Variant(ua::QualifiedName{0, "Objects"}))), "Objects");
  EXPECT_EQ(text(valueOf(ua::Variant(ua::QualifiedName{3, "Mode"}))), "3:Mode");
  EXPECT_EQ(text(valueOf(ua::Variant(ua::StatusCode{0x80340000}))), "BadNodeIdUnknown");
  EXPECT_EQ(text(valueOf(ua::Variant(ua::StatusCode{0}))), "Good");
  EXPECT_EQ(text(valueOf(ua::Variant(ua::ByteString(ua::Bytes{0x00, 0xAB, 0x7F})))), "00ab7f");
  EXPECT_EQ(text(valueOf(ua::Variant(ua::ByteString(ua::Bytes{})))), "");
  EXPECT_TRUE(model::isUnavailable(valueOf(ua::Variant(ua::ByteString()))));
}

TEST(OpcuaCodec, NumberArraysOfAnyDimensionsBecomeFlatDoubles) {
  EXPECT_EQ(valueOf(ua::Variant(std::vector<std::int32_t>{1, -2, 3})), Value(Doubles{1, -2, 3}));
  EXPECT_EQ(valueOf(ua::Variant(std::vector<bool>{true, false, true})), Value(Doubles{1, 0, 1}));
  EXPECT_EQ(valueOf(ua::Variant(std::vector<float>{0.1f, 2.5f})), Value(Doubles{0.1, 2.5}));
  EXPECT_EQ(valueOf(ua::Variant(std::vector<std::uint8_t>{0, 255})), Value(Doubles{0, 255}));
  EXPECT_EQ(valueOf(ua::Variant(std::vector<std::uint64_t>{1ULL << 63})),
            Value(Doubles{9223372036854775808.0}));
  EXPECT_EQ(valueOf(ua::Variant(std::vector<double>{})), Value(Doubles{}));
  ua::Variant matrix(std::vector<double>{1, 2, 3, 4, 5, 6});
  matrix.dimensions = {2, 3};
  EXPECT_EQ(valueOf(matrix), Value(Doubles{1, 2, 3, 4, 5, 6}));
}

TEST(OpcuaCodec, ANotFiniteArrayElementIsRejectedWithItsIndex) {
  EXPECT_EQ(errorOf(ua::Variant(std::vector<double>{1, std::nan(""), 3})),
            "an array of Double: array element 1: Double element NaN is not a number Spindle "
            "records");
  EXPECT_NE(errorOf(ua::Variant(std::vector<float>{std::numeric_limits<float>::infinity()}))
                .find("array element 0"),
            std::string::npos);
}

TEST(OpcuaCodec, OtherArraysBecomeTextOfTheirElements) {
  EXPECT_EQ(text(valueOf(ua::Variant(std::vector<ua::String>{"a", "b", "c"}))), "[a, b, c]");
  EXPECT_EQ(text(valueOf(ua::Variant(std::vector<ua::String>{"a", std::nullopt}))), "[a, null]");
  EXPECT_EQ(text(valueOf(ua::Variant(std::vector<ua::String>{}))), "[]");
  EXPECT_EQ(
      text(valueOf(ua::Variant(std::vector<ua::LocalizedText>{{"en", "Run"}, {"de", "Halt"}}))),
      "[Run, Halt]");
  EXPECT_EQ(text(valueOf(ua::Variant(std::vector<ua::StatusCode>{{0x00000000}, {0x80340000}}))),
            "[Good, BadNodeIdUnknown]");
  EXPECT_EQ(text(valueOf(ua::Variant(std::vector<ua::DateTime>{{kTicks1970}}))),
            "[1970-01-01T00:00:00.000Z]");
  ua::Variant grid(std::vector<ua::QualifiedName>{{1, "a"}, {0, "b"}, {2, "c"}, {0, "d"}});
  grid.dimensions = {2, 2};
  EXPECT_EQ(text(valueOf(grid)), "[1:a, b, 2:c, d]");
  // Ranges inside an array of structures are shown as their pairs.
  ua::Bytes range{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x59, 0x40};  // 0, 100
  EXPECT_EQ(text(valueOf(ua::Variant(std::vector<ua::ExtensionObject>{structure(886, range)}))),
            "[[0, 100]]");
}

TEST(OpcuaCodec, NestedValuesHaveNoValueAndTheErrorNamesTheType) {
  EXPECT_EQ(errorOf(ua::Variant(ua::Box<ua::Variant>(ua::Variant(1)))),
            "a Variant: no value for a Variant holding a Variant");
  EXPECT_NE(errorOf(ua::Variant(ua::Box<ua::DataValue>(ua::DataValue{}))).find("DataValue"),
            std::string::npos);
  EXPECT_NE(errorOf(ua::Variant(ua::DiagnosticInfo{})).find("DiagnosticInfo"), std::string::npos);
  EXPECT_EQ(errorOf(ua::Variant(std::vector<ua::Variant>{ua::Variant(1)})),
            "an array of Variant: no value for an array of Variant");
  EXPECT_NE(errorOf(ua::Variant(std::vector<ua::DataValue>{})).find("array of DataValue"),
            std::string::npos);
}

TEST(OpcuaCodec, RangeBecomesLowAndHigh) {
  // Range (Part 8, 5.6.2): Double low, Double high. -10.5 = 0xC025000000000000,
  // 250.0 = 0x406F400000000000, little-endian.
  const ua::Bytes body{0, 0, 0, 0, 0, 0, 0x25, 0xC0, 0, 0, 0, 0, 0, 0x40, 0x6F, 0x40};
  EXPECT_EQ(valueOf(ua::Variant(structure(886, body))), Value(Doubles{-10.5, 250.0}));
}

TEST(OpcuaCodec, AMalformedRangeIsAProtocolErrorWithItsOffset) {
  auto truncated = toValue(ua::Variant(structure(886, ua::Bytes(12, 0))));
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().code(), ErrorCode::kProtocol);
  EXPECT_NE(truncated.error().message().find("Range (i=886): truncated: a Double needs 8 bytes"),
            std::string::npos)
      << truncated.error().message();
  EXPECT_NE(truncated.error().message().find("offset 8"), std::string::npos);
  EXPECT_NE(errorOf(ua::Variant(structure(886, ua::Bytes(17, 0)))).find("1 trailing bytes"),
            std::string::npos);
  ua::Bytes nanHigh(16, 0);
  nanHigh[14] = 0xF8;  // 0x7FF8000000000000: a quiet NaN
  nanHigh[15] = 0x7F;
  EXPECT_NE(errorOf(ua::Variant(structure(886, nanHigh))).find("Range high NaN"),
            std::string::npos);
}

TEST(OpcuaCodec, EUInformationBecomesItsDisplayName) {
  // EUInformation (Part 8, 5.6.3): String namespaceUri, Int32 unitId, LocalizedText
  // displayName, LocalizedText description.
  const ua::Bytes body{0x01, 0x00, 0x00, 0x00, 'u',              // namespaceUri "u"
                       0x4C, 0x45, 0x43, 0x00,                   // unitId 4408652 ("CEL")
                       0x03, 0x02, 0x00, 0x00, 0x00, 'e',  'n',  // displayName: locale "en"
                       0x03, 0x00, 0x00, 0x00, 0xC2, 0xB0, 'C',  //   text "°C" (UTF-8)
                       0x02, 0x07, 0x00, 0x00, 0x00, 'C',  'e',
                       'l',  's',  'i',  'u',  's'};  // description
  EXPECT_EQ(valueOf(ua::Variant(structure(889, body))), Value(std::string("\xC2\xB0"
                                                                          "C")));
  // Without a display name text: UNAVAILABLE.
  const ua::Bytes noName{0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0x00, 0x00};
  EXPECT_TRUE(model::isUnavailable(valueOf(ua::Variant(structure(889, noName)))));
  auto cut = toValue(ua::Variant(structure(889, ua::Bytes(body.begin(), body.begin() + 20))));
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.error().code(), ErrorCode::kProtocol);
  EXPECT_NE(cut.error().message().find("EUInformation (i=889)"), std::string::npos);
}

TEST(OpcuaCodec, OtherStructuresAreAnErrorNamingTheirType) {
  ua::ExtensionObject own = structure(0, {1, 2, 3});
  own.typeId = ua::NodeId(2, std::uint32_t{5001});
  const auto r = toValue(ua::Variant(own));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().describe(),
            "an ExtensionObject: structure ns=2;i=5001 is not one Spindle decodes (read its "
            "fields as nodes)");
  ua::ExtensionObject xmlRange = structure(885, {});
  xmlRange.encoding = ua::ExtensionObject::Encoding::kXml;
  EXPECT_NE(errorOf(ua::Variant(xmlRange)).find("structure i=885 in XML"), std::string::npos);
  ua::ExtensionObject empty = structure(886, {});
  empty.encoding = ua::ExtensionObject::Encoding::kNone;
  EXPECT_NE(errorOf(ua::Variant(empty)).find("i=886 without a body"), std::string::npos);
  EXPECT_NE(
      errorOf(ua::Variant(std::vector<ua::ExtensionObject>{structure(886, ua::Bytes(16, 0)), own}))
          .find("array element 1: structure ns=2;i=5001"),
      std::string::npos);
}

ua::DataValue good(ua::Variant v) {
  ua::DataValue dv;
  dv.value = std::move(v);
  return dv;
}

TEST(OpcuaCodec, AGoodValueIsKeptWithoutAProblem) {
  ua::DataValue dv = good(ua::Variant(12.5));
  dv.status = ua::StatusCode{0x00000000};
  const ItemValue item = fromDataValue(dv, kArrival, TimestampSource::kSource);
  EXPECT_EQ(item.value, Value(12.5));
  EXPECT_TRUE(item.problem.empty());
  dv.status.reset();  // an absent status is Good
  EXPECT_EQ(fromDataValue(dv, kArrival, TimestampSource::kSource).value, Value(12.5));
}

TEST(OpcuaCodec, ABadStatusIsUnavailableNamedByTheStatus) {
  ua::DataValue dv = good(ua::Variant(12.5));
  dv.status = ua::StatusCode{0x80340000};
  ItemValue item = fromDataValue(dv, kArrival, TimestampSource::kSource);
  EXPECT_TRUE(model::isUnavailable(item.value));
  EXPECT_EQ(item.problem, "BadNodeIdUnknown");
  dv.status = ua::StatusCode{0xC0000000};  // the reserved severity 11 counts as Bad
  item = fromDataValue(dv, kArrival, TimestampSource::kSource);
  EXPECT_TRUE(model::isUnavailable(item.value));
  EXPECT_EQ(item.problem, "Bad (0xC0000000)");
}

TEST(OpcuaCodec, AnUncertainValueIsKept) {
  ua::DataValue dv = good(ua::Variant(std::int32_t{7}));
  dv.status = ua::StatusCode{0x40900000};  // UncertainLastUsableValue
  const ItemValue item = fromDataValue(dv, kArrival, TimestampSource::kSource);
  EXPECT_EQ(item.value, Value(std::int64_t{7}));
  EXPECT_TRUE(item.problem.empty());
}

TEST(OpcuaCodec, AMissingValueOrOneWithoutAModelValueIsAProblem) {
  ua::DataValue dv;
  dv.status = ua::StatusCode{0};
  ItemValue item = fromDataValue(dv, kArrival, TimestampSource::kSource);
  EXPECT_TRUE(model::isUnavailable(item.value));
  EXPECT_EQ(item.problem, "no value");
  item = fromDataValue(good(ua::Variant(std::nan(""))), kArrival, TimestampSource::kSource);
  EXPECT_TRUE(model::isUnavailable(item.value));
  EXPECT_EQ(item.problem, "a Double: Double NaN is not a number Spindle records");
  // A null Variant is a value: UNAVAILABLE, but nothing is wrong.
  item = fromDataValue(good(ua::Variant()), kArrival, TimestampSource::kSource);
  EXPECT_TRUE(model::isUnavailable(item.value));
  EXPECT_TRUE(item.problem.empty());
}

struct Stamped {
  ua::DataValue dv = good(ua::Variant(true));
  Stamped& source(std::int64_t ticks) {
    dv.sourceTimestamp = ua::DateTime{ticks};
    return *this;
  }
  Stamped& server(std::int64_t ticks) {
    dv.serverTimestamp = ua::DateTime{ticks};
    return *this;
  }
  /// The time chosen, or -1 for arrival (checking that the flag says so).
  TimestampNs time(TimestampSource s) const {
    const ItemValue item = fromDataValue(dv, kArrival, s);
    EXPECT_EQ(item.arrivalTime, item.time == kArrival);
    return item.arrivalTime ? -1 : item.time;
  }
};

constexpr std::int64_t kMinuteAgoTicks = kTicks2026 - 60 * kSecondTicks;
constexpr TimestampNs kMinuteAgo = kArrival - 60 * kSecondNs;
constexpr std::int64_t kSecondAgoTicks = kTicks2026 - kSecondTicks;
constexpr TimestampNs kSecondAgo = kArrival - kSecondNs;

TEST(OpcuaCodec, SourceTimestampsFallBackToTheServerThenArrival) {
  EXPECT_EQ(
      Stamped().source(kMinuteAgoTicks).server(kSecondAgoTicks).time(TimestampSource::kSource),
      kMinuteAgo);
  EXPECT_EQ(Stamped().server(kSecondAgoTicks).time(TimestampSource::kSource), kSecondAgo);
  // 0 is the null DateTime: as if absent.
  EXPECT_EQ(Stamped().source(0).server(kSecondAgoTicks).time(TimestampSource::kSource), kSecondAgo);
  EXPECT_EQ(Stamped().time(TimestampSource::kSource), -1);
}

TEST(OpcuaCodec, ServerTimestampsFallBackToArrival) {
  EXPECT_EQ(
      Stamped().source(kMinuteAgoTicks).server(kSecondAgoTicks).time(TimestampSource::kServer),
      kSecondAgo);
  EXPECT_EQ(Stamped().source(kMinuteAgoTicks).time(TimestampSource::kServer), -1);
}

TEST(OpcuaCodec, ArrivalTimestampsIgnoreTheValuesOwn) {
  EXPECT_EQ(
      Stamped().source(kMinuteAgoTicks).server(kSecondAgoTicks).time(TimestampSource::kArrival),
      -1);
}

TEST(OpcuaCodec, TimestampsBefore1970OrADayAheadAreNotBelieved) {
  const std::int64_t dayTicks = 86400 * kSecondTicks;
  EXPECT_EQ(Stamped().source(1).server(kSecondAgoTicks).time(TimestampSource::kSource),
            -1);  // 1601
  EXPECT_EQ(Stamped().source(kTicks1970 - 1).time(TimestampSource::kSource), -1);
  EXPECT_EQ(Stamped().source(kTicks1970).time(TimestampSource::kSource), 0);
  EXPECT_EQ(Stamped().source(kTicks2026 + dayTicks).time(TimestampSource::kSource),
            kArrival + 86400 * kSecondNs);
  EXPECT_EQ(Stamped().source(kTicks2026 + dayTicks + 1).time(TimestampSource::kSource), -1);
  EXPECT_EQ(
      Stamped().source(std::numeric_limits<std::int64_t>::max()).time(TimestampSource::kSource),
      -1);
  EXPECT_EQ(Stamped().server(kTicks2026 + 2 * dayTicks).time(TimestampSource::kServer), -1);
}

TEST(OpcuaCodec, PicosecondsAddWholeNanoseconds) {
  Stamped s;
  s.source(kMinuteAgoTicks);
  s.dv.sourcePicoseconds = 250;  // 2.5 ns
  EXPECT_EQ(s.time(TimestampSource::kSource), kMinuteAgo + 2);
  s.dv.sourcePicoseconds = 10000;  // above 9999: not a valid count, ignored
  EXPECT_EQ(s.time(TimestampSource::kSource), kMinuteAgo);
}

}  // namespace
}  // namespace spindle::collectors::opcua
