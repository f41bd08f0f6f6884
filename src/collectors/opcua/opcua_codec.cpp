#include "collectors/opcua/opcua_codec.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "opcua/status_codes.hpp"

namespace spindle::collectors::opcua {

namespace {

constexpr std::uint32_t kRangeEncoding = 886;           ///< Range_Encoding_DefaultBinary
constexpr std::uint32_t kEuInformationEncoding = 889;   ///< EUInformation_Encoding_DefaultBinary
constexpr std::int64_t kTicksPerDay = 864'000'000'000;  ///< 100 ns ticks
constexpr std::int64_t kDayNs = 86'400'000'000'000;
/// 10000-01-01 in ticks: Part 6 (5.2.2.5) clamps DateTimes to 1601..9999.
constexpr std::int64_t kYear10000Ticks = 2'650'467'744'000'000'000;

const char* typeName(ua::BuiltinType type) {
  static constexpr const char* kNames[] = {
      "null",          "Boolean",       "SByte",           "Byte",           "Int16",
      "UInt16",        "Int32",         "UInt32",          "Int64",          "UInt64",
      "Float",         "Double",        "String",          "DateTime",       "Guid",
      "ByteString",    "XmlElement",    "NodeId",          "ExpandedNodeId", "StatusCode",
      "QualifiedName", "LocalizedText", "ExtensionObject", "DataValue",      "Variant",
      "DiagnosticInfo"};
  return kNames[static_cast<std::size_t>(type)];
}

/// A Float as the double its shortest text names: a PLC's REAL 0.1 is recorded as 0.1, not
/// as 0.10000000149011612.
double widen(float f) {
  char text[32];
  const auto written = std::to_chars(text, text + sizeof text, f);
  double d = static_cast<double>(f);
  std::from_chars(text, written.ptr, d);
  return d;
}

Error notFinite(const char* type, double v) {
  return Error(ErrorCode::kInvalidArgument, std::string(type) + " " +
                                                (std::isnan(v) ? "NaN"
                                                 : v > 0       ? "+Infinity"
                                                               : "-Infinity") +
                                                " is not a number Spindle records");
}

/// "YYYY-MM-DDTHH:MM:SS.fffZ" with 3 to 7 fraction digits (trailing zeros dropped), counted
/// from 1601 directly so no year saturates; Part 6's clamp to 1601..9999 applies.
std::string isoText(ua::DateTime t) {
  const std::int64_t ticks = std::clamp<std::int64_t>(t.ticks, 0, kYear10000Ticks - 1);
  std::int64_t days = ticks / kTicksPerDay;
  const std::int64_t inDay = ticks % kTicksPerDay;
  // 1601 starts a 400-year Gregorian cycle: 146097 days, of four centuries of 36524 days (the
  // last one day longer), of 4-year blocks of 1461 days (the last of the century one shorter).
  std::int64_t year = 1601 + 400 * (days / 146097);
  days %= 146097;
  const std::int64_t centuries = std::min<std::int64_t>(days / 36524, 3);
  year += 100 * centuries;
  days -= 36524 * centuries;
  year += 4 * (days / 1461);
  days %= 1461;
  const std::int64_t years = std::min<std::int64_t>(days / 365, 3);
  year += years;
  days -= 365 * years;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int monthDays[] = {31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int month = 0;
  while (days >= monthDays[month]) days -= monthDays[month++];
  const std::int64_t seconds = inDay / 10'000'000;
  char text[48];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%07d", static_cast<int>(year),
                month + 1, static_cast<int>(days) + 1, static_cast<int>(seconds / 3600),
                static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60),
                static_cast<int>(inDay % 10'000'000));
  std::string out(text);
  while (out.size() > 23 && out.back() == '0') out.pop_back();  // keep milliseconds
  return out + "Z";
}

std::string hexText(const ua::Bytes& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 0xF];
  }
  return out;
}

Result<model::Value> rangeValue(const ua::Bytes& body) {
  ua::Reader r(body);
  const double low = r.f64();
  const double high = r.f64();
  if (r.ok() && !r.atEnd()) r.fail(std::to_string(r.remaining()) + " trailing bytes");
  if (!r.ok()) return Error(ErrorCode::kProtocol, "Range (i=886): " + r.error().message());
  if (!std::isfinite(low)) return notFinite("Range low", low);
  if (!std::isfinite(high)) return notFinite("Range high", high);
  return model::Value(std::vector<double>{low, high});
}

Result<model::Value> euInformationValue(const ua::Bytes& body) {
  ua::Reader r(body);
  ua::String namespaceUri;
  ua::LocalizedText displayName, description;
  ua::decode(r, namespaceUri);
  r.i32();  // unitId
  ua::decode(r, displayName);
  ua::decode(r, description);
  if (r.ok() && !r.atEnd()) r.fail(std::to_string(r.remaining()) + " trailing bytes");
  if (!r.ok()) return Error(ErrorCode::kProtocol, "EUInformation (i=889): " + r.error().message());
  if (!displayName.text) return model::Value(model::Unavailable{});
  return model::Value(std::move(*displayName.text));
}

Result<model::Value> structureValue(const ua::ExtensionObject& x) {
  const auto id = x.typeId.ns0Numeric();
  const bool binary = x.encoding == ua::ExtensionObject::Encoding::kBinary;
  if (binary && id == kRangeEncoding) return rangeValue(x.body);
  if (binary && id == kEuInformationEncoding) return euInformationValue(x.body);
  const char* how = binary                                              ? ""
                    : x.encoding == ua::ExtensionObject::Encoding::kXml ? " in XML"
                                                                        : " without a body";
  return Error(ErrorCode::kInvalidArgument,
               "structure " + x.typeId.toString() + how +
                   " is not one Spindle decodes (read its fields as nodes)");
}

template <typename T>
constexpr bool kNumber = std::is_arithmetic_v<T>;

/// One scalar of the table in the header.
template <typename T>
Result<model::Value> scalarValue(const T& v) {
  using model::Value;
  if constexpr (std::is_same_v<T, std::monostate>) {
    return Value(model::Unavailable{});
  } else if constexpr (std::is_same_v<T, bool>) {
    return Value(v);
  } else if constexpr (std::is_same_v<T, std::uint64_t>) {
    if (v <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return Value(static_cast<std::int64_t>(v));
    return Value(static_cast<double>(v));
  } else if constexpr (std::is_integral_v<T>) {
    return Value(static_cast<std::int64_t>(v));
  } else if constexpr (std::is_same_v<T, float>) {
    if (!std::isfinite(v)) return notFinite("Float", v);
    return Value(widen(v));
  } else if constexpr (std::is_same_v<T, double>) {
    if (!std::isfinite(v)) return notFinite("Double", v);
    return Value(v);
  } else if constexpr (std::is_same_v<T, ua::String>) {
    return v ? Value(*v) : Value(model::Unavailable{});
  } else if constexpr (std::is_same_v<T, ua::XmlElement>) {
    return v.xml ? Value(*v.xml) : Value(model::Unavailable{});
  } else if constexpr (std::is_same_v<T, ua::LocalizedText>) {
    return v.text ? Value(*v.text) : Value(model::Unavailable{});
  } else if constexpr (std::is_same_v<T, ua::DateTime>) {
    return Value(isoText(v));
  } else if constexpr (std::is_same_v<T, ua::Guid> || std::is_same_v<T, ua::NodeId> ||
                       std::is_same_v<T, ua::ExpandedNodeId>) {
    return Value(v.toString());
  } else if constexpr (std::is_same_v<T, ua::QualifiedName>) {
    const std::string name = v.name.value_or("");
    return Value(v.namespaceIndex == 0 ? name : std::to_string(v.namespaceIndex) + ":" + name);
  } else if constexpr (std::is_same_v<T, ua::StatusCode>) {
    return Value(ua::describe(v));
  } else if constexpr (std::is_same_v<T, ua::ByteString>) {
    return v ? Value(hexText(*v)) : Value(model::Unavailable{});
  } else if constexpr (std::is_same_v<T, ua::ExtensionObject>) {
    return structureValue(v);
  } else {
    static_assert(std::is_same_v<T, ua::Box<ua::DataValue>> ||
                  std::is_same_v<T, ua::Box<ua::Variant>> || std::is_same_v<T, ua::DiagnosticInfo>);
    return Error(ErrorCode::kInvalidArgument,
                 "no value for a Variant holding a " +
                     std::string(std::is_same_v<T, ua::DiagnosticInfo>     ? "DiagnosticInfo"
                                 : std::is_same_v<T, ua::Box<ua::Variant>> ? "Variant"
                                                                           : "DataValue"));
  }
}

std::string numberText(double v) {
  char text[32];
  const auto written = std::to_chars(text, text + sizeof text, v);
  return std::string(text, written.ptr);
}

/// An array element's value as text, for "[a, b, c]".
std::string elementText(const model::Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return numberText(*d);
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const auto* r = std::get_if<std::vector<double>>(&v)) {  // a Range
    std::string out = "[";
    for (std::size_t i = 0; i < r->size(); ++i) out += (i ? ", " : "") + numberText((*r)[i]);
    return out + "]";
  }
  return "null";  // UNAVAILABLE: a null String, LocalizedText without text...
}

template <typename T>
Result<model::Value> arrayValue(const std::vector<T>& elements) {
  if constexpr (kNumber<T>) {
    std::vector<double> out;
    out.reserve(elements.size());
    for (std::size_t i = 0; i < elements.size(); ++i) {
      double d;
      if constexpr (std::is_same_v<T, float>) {
        d = widen(elements[i]);
      } else {
        d = static_cast<double>(elements[i]);
      }
      if (!std::isfinite(d)) {
        return notFinite(std::is_same_v<T, float> ? "Float element" : "Double element", d)
            .with("array element " + std::to_string(i));
      }
      out.push_back(d);
    }
    return model::Value(std::move(out));
  } else if constexpr (std::is_same_v<T, ua::DataValue> || std::is_same_v<T, ua::Variant> ||
                       std::is_same_v<T, ua::DiagnosticInfo>) {
    return Error(ErrorCode::kInvalidArgument,
                 std::string("no value for an array of ") +
                     (std::is_same_v<T, ua::DataValue> ? "DataValue"
                      : std::is_same_v<T, ua::Variant> ? "Variant"
                                                       : "DiagnosticInfo"));
  } else {
    std::string out = "[";
    for (std::size_t i = 0; i < elements.size(); ++i) {
      auto v = scalarValue(elements[i]);
      if (!v) return std::move(v).error().with("array element " + std::to_string(i));
      if (i != 0) out += ", ";
      out += elementText(*v);
    }
    return model::Value(out + "]");
  }
}

template <typename T>
struct IsVector : std::false_type {};
template <typename T>
struct IsVector<std::vector<T>> : std::true_type {};

std::optional<TimestampNs> stampOf(const std::optional<ua::DateTime>& t,
                                   const std::optional<std::uint16_t>& picoseconds) {
  if (!t || t->ticks == 0) return std::nullopt;  // 0 is the null DateTime (Part 6, 5.2.2.5)
  std::int64_t ns = t->toUnixNanos();
  // Picoseconds count 10 ps units within the 100 ns tick (at most 9999).
  if (picoseconds && *picoseconds <= 9999 && ns < std::numeric_limits<std::int64_t>::max() - 100)
    ns += *picoseconds / 100;
  return ns;
}

}  // namespace

Result<model::Value> toValue(const ua::Variant& variant) {
  auto value = std::visit(
      [](const auto& v) -> Result<model::Value> {
        using T = std::decay_t<decltype(v)>;
        if constexpr (IsVector<T>::value) {
          return arrayValue(v);
        } else {
          return scalarValue(v);
        }
      },
      variant.value);
  if (!value) {
    const std::string name = typeName(variant.type());
    const bool vowel = std::string_view("AEIOX").find(name.front()) != std::string_view::npos;
    return std::move(value).error().with((variant.isArray() ? "an array of "
                                          : vowel           ? "an "
                                                            : "a ") +
                                         name);
  }
  return value;
}

ItemValue fromDataValue(const ua::DataValue& dataValue, TimestampNs arrival,
                        TimestampSource source) {
  ItemValue out;
  std::optional<TimestampNs> stamp;
  if (source == TimestampSource::kSource)
    stamp = stampOf(dataValue.sourceTimestamp, dataValue.sourcePicoseconds);
  if (source != TimestampSource::kArrival && !stamp)
    stamp = stampOf(dataValue.serverTimestamp, dataValue.serverPicoseconds);
  const TimestampNs latest =
      arrival > std::numeric_limits<TimestampNs>::max() - kDayNs ? arrival : arrival + kDayNs;
  if (stamp && *stamp >= 0 && *stamp <= latest) {
    out.time = *stamp;
  } else {
    out.time = arrival;
    out.arrivalTime = true;
  }

  out.value = model::Unavailable{};
  const ua::StatusCode status = dataValue.status.value_or(ua::status::kGood);
  if (status.isBad()) {
    out.problem = ua::describe(status);
  } else if (!dataValue.value) {
    out.problem = "no value";
  } else if (auto value = toValue(*dataValue.value)) {
    out.value = std::move(*value);
  } else {
    out.problem = value.error().describe();
  }
  return out;
}

}  // namespace spindle::collectors::opcua
