#pragma once
/// The built-in types of OPC UA (Part 6, 5.1 and 5.2) as plain structs, with their binary
/// encode and decode. Decoding goes through a Reader (binary.hpp): it never reads past the
/// input, never allocates for more elements than the remaining bytes could hold, and fails
/// (kProtocol, with the offset) on nesting deeper than Reader::kMaxDepth.
///
/// Memory: every decoded element consumes at least one input byte, so a decode holds at most
/// (input bytes) x sizeof(largest element) (DataValue: 192 bytes on x86-64); the chunk layer's
/// MaxMessageSize is what bounds the input.
///
/// Null and empty are different on the wire for String, ByteString and arrays; the types
/// keep the difference (std::optional, Array::null) so what was decoded encodes back to the
/// same bytes.

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "base/error.hpp"
#include "opcua/binary.hpp"
#include "opcua/status_codes.hpp"

namespace spindle::opcua {

/// A String: nullopt is the null string (length -1), "" the empty one.
using String = std::optional<std::string>;
/// A ByteString: nullopt is null (length -1).
using ByteString = std::optional<Bytes>;

/// An array field: the elements, and whether an empty one travels as null (-1) rather
/// than as length 0.
template <typename T>
struct Array : std::vector<T> {
  using std::vector<T>::vector;
  bool null = false;  ///< encode an empty array as -1 (set by the decoder when it read -1)
  friend bool operator==(const Array& a, const Array& b) {
    return a.null == b.null &&
           static_cast<const std::vector<T>&>(a) == static_cast<const std::vector<T>&>(b);
  }
};

/// A heap slot with value semantics for the recursive types (a Variant holding a Variant,
/// a DiagnosticInfo its inner one). Empty until assigned; copies copy the value.
template <typename T>
class Box {
 public:
  Box() = default;
  Box(T value) : m_p(std::make_unique<T>(std::move(value))) {}  // NOLINT
  Box(const Box& o) : m_p(o.m_p ? std::make_unique<T>(*o.m_p) : nullptr) {}
  Box(Box&&) noexcept = default;
  Box& operator=(const Box& o) {
    if (this != &o) m_p = o.m_p ? std::make_unique<T>(*o.m_p) : nullptr;
    return *this;
  }
  Box& operator=(Box&&) noexcept = default;
  ~Box() = default;

  bool has_value() const { return m_p != nullptr; }
  T& operator*() { return *m_p; }
  const T& operator*() const { return *m_p; }
  T* operator->() { return m_p.get(); }
  const T* operator->() const { return m_p.get(); }
  /// The value, created default if empty.
  T& emplace() {
    m_p = std::make_unique<T>();
    return *m_p;
  }
  friend bool operator==(const Box& a, const Box& b) {
    if (!a.m_p || !b.m_p) return !a.m_p && !b.m_p;
    return *a.m_p == *b.m_p;
  }

 private:
  std::unique_ptr<T> m_p;
};

/// DateTime: 100 ns ticks since 1601-01-01 UTC. 0 and INT64_MAX mean "no time" / "max".
struct DateTime {
  std::int64_t ticks = 0;

  /// Ticks between 1601-01-01 and 1970-01-01.
  static constexpr std::int64_t kUnixEpochTicks = 116444736000000000;
  /// From nanoseconds since the Unix epoch (truncated to 100 ns).
  static DateTime fromUnixNanos(std::int64_t ns) { return {ns / 100 + kUnixEpochTicks}; }
  /// To nanoseconds since the Unix epoch (negative before 1970). Int64 nanoseconds reach
  /// only years 1678 to 2262: times outside saturate to the Int64 minimum or maximum.
  std::int64_t toUnixNanos() const {
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
    if (ticks < kMin / 100 + kUnixEpochTicks) return kMin;
    const std::int64_t since = ticks - kUnixEpochTicks;
    if (since > kMax / 100) return kMax;
    return since * 100;
  }
  friend bool operator==(const DateTime&, const DateTime&) = default;
};

struct Guid {
  std::uint32_t data1 = 0;
  std::uint16_t data2 = 0;
  std::uint16_t data3 = 0;
  std::array<std::uint8_t, 8> data4{};
  /// "72962B91-FA75-4AE6-8D28-B404DC7DAF63"; parse accepts either case.
  std::string toString() const;
  static std::optional<Guid> parse(std::string_view text);
  friend bool operator==(const Guid&, const Guid&) = default;
};

/// XmlElement: the XML text as bytes (kept apart from String so a Variant knows its type).
struct XmlElement {
  String xml;
  friend bool operator==(const XmlElement&, const XmlElement&) = default;
};

/// NodeId: a namespace index and a numeric, string, GUID or opaque identifier. The encoder
/// picks the smallest form (two-byte, four-byte, numeric).
struct NodeId {
  using Identifier = std::variant<std::uint32_t, std::string, Guid, Bytes>;
  std::uint16_t namespaceIndex = 0;
  Identifier identifier = std::uint32_t{0};

  NodeId() = default;
  NodeId(std::uint16_t ns, std::uint32_t id) : namespaceIndex(ns), identifier(id) {}
  NodeId(std::uint16_t ns, std::string id) : namespaceIndex(ns), identifier(std::move(id)) {}
  NodeId(std::uint16_t ns, Guid id) : namespaceIndex(ns), identifier(id) {}
  NodeId(std::uint16_t ns, Bytes id) : namespaceIndex(ns), identifier(std::move(id)) {}

  /// ns=0;i=0, the "no node" NodeId.
  bool isNull() const;
  /// The numeric id when this is ns 0 and numeric (the service type ids), else nullopt.
  std::optional<std::uint32_t> ns0Numeric() const;
  /// Text form: "i=2258", "ns=2;s=Channel1.Speed", "ns=1;g=<guid>", "ns=1;b=<base64>".
  std::string toString() const;
  /// Parses the text form; kInvalidArgument naming what is wrong.
  static Result<NodeId> parse(std::string_view text);
  friend bool operator==(const NodeId&, const NodeId&) = default;
};

/// ExpandedNodeId: a NodeId that may name its namespace by URI and live on another server.
struct ExpandedNodeId {
  NodeId nodeId;
  String namespaceUri;            ///< when set, replaces nodeId.namespaceIndex
  std::uint32_t serverIndex = 0;  ///< 0 = this server

  /// Text form: "svr=1;nsu=http://x/;s=A", or the NodeId's form.
  std::string toString() const;
  static Result<ExpandedNodeId> parse(std::string_view text);
  friend bool operator==(const ExpandedNodeId&, const ExpandedNodeId&) = default;
};

struct QualifiedName {
  std::uint16_t namespaceIndex = 0;
  String name;
  friend bool operator==(const QualifiedName&, const QualifiedName&) = default;
};

struct LocalizedText {
  String locale;  ///< absent (mask bit 0 clear) when nullopt
  String text;    ///< absent (mask bit 1 clear) when nullopt
  friend bool operator==(const LocalizedText&, const LocalizedText&) = default;
};

/// ExtensionObject: a structure the receiver may or may not know, as its encoding's NodeId
/// and body bytes. The service layer decodes the bodies it knows (services.hpp).
struct ExtensionObject {
  enum class Encoding : std::uint8_t { kNone = 0, kBinary = 1, kXml = 2 };
  NodeId typeId;  ///< the NodeId of the body's encoding (e.g. i=321 AnonymousIdentityToken)
  Encoding encoding = Encoding::kNone;
  Bytes body;  ///< the ByteString or XmlElement body (empty for kNone)
  friend bool operator==(const ExtensionObject&, const ExtensionObject&) = default;
};

struct DiagnosticInfo {
  std::optional<std::int32_t> symbolicId;
  std::optional<std::int32_t> namespaceUri;
  std::optional<std::int32_t> localizedText;
  std::optional<std::int32_t> locale;
  String additionalInfo;
  std::optional<StatusCode> innerStatusCode;
  Box<DiagnosticInfo> innerDiagnosticInfo;
  friend bool operator==(const DiagnosticInfo&, const DiagnosticInfo&) = default;
};

struct DataValue;
struct Variant;

/// The built-in type ids (Part 6, 5.1.2); also the Variant's type bits.
enum class BuiltinType : std::uint8_t {
  kNull = 0,
  kBoolean,
  kSByte,
  kByte,
  kInt16,
  kUInt16,
  kInt32,
  kUInt32,
  kInt64,
  kUInt64,
  kFloat,
  kDouble,
  kString,
  kDateTime,
  kGuid,
  kByteString,
  kXmlElement,
  kNodeId,
  kExpandedNodeId,
  kStatusCode,
  kQualifiedName,
  kLocalizedText,
  kExtensionObject,
  kDataValue,
  kVariant,
  kDiagnosticInfo,
};
inline constexpr std::size_t kBuiltinTypeCount = 25;

/// Variant: null, a scalar of any built-in type or an array of one. The alternative's index
/// is the built-in type id for scalars (1..25) and 25 + the id for arrays (26..50).
/// Multi-dimensional arrays keep their elements flat with `dimensions` (product = size).
struct Variant {
  using Value = std::variant<
      std::monostate, bool, std::int8_t, std::uint8_t, std::int16_t, std::uint16_t, std::int32_t,
      std::uint32_t, std::int64_t, std::uint64_t, float, double, String, DateTime, Guid, ByteString,
      XmlElement, NodeId, ExpandedNodeId, StatusCode, QualifiedName, LocalizedText, ExtensionObject,
      Box<DataValue>, Box<Variant>, DiagnosticInfo,
      // arrays
      std::vector<bool>, std::vector<std::int8_t>, std::vector<std::uint8_t>,
      std::vector<std::int16_t>, std::vector<std::uint16_t>, std::vector<std::int32_t>,
      std::vector<std::uint32_t>, std::vector<std::int64_t>, std::vector<std::uint64_t>,
      std::vector<float>, std::vector<double>, std::vector<String>, std::vector<DateTime>,
      std::vector<Guid>, std::vector<ByteString>, std::vector<XmlElement>, std::vector<NodeId>,
      std::vector<ExpandedNodeId>, std::vector<StatusCode>, std::vector<QualifiedName>,
      std::vector<LocalizedText>, std::vector<ExtensionObject>, std::vector<DataValue>,
      std::vector<Variant>, std::vector<DiagnosticInfo>>;

  template <typename T, typename... Ts>
  static constexpr bool isAlternative(std::variant<Ts...>*) {
    return (std::is_same_v<T, Ts> || ...);
  }

  Value value;
  std::vector<std::int32_t> dimensions;  ///< ArrayDimensions; empty when not sent

  Variant() = default;
  /// From a value of exactly one of the alternatives' types (int is Int32, String not
  /// std::string, Box<DataValue> for a DataValue scalar).
  template <typename T>
  requires(isAlternative<T>(static_cast<Value*>(nullptr))) Variant(T v)
      : value(std::move(v)) {}  // NOLINT(google-explicit-constructor)

  bool isNull() const { return value.index() == 0; }
  bool isArray() const { return value.index() > kBuiltinTypeCount; }
  BuiltinType type() const {
    const std::size_t i = value.index();
    return static_cast<BuiltinType>(i > kBuiltinTypeCount ? i - kBuiltinTypeCount : i);
  }
  friend bool operator==(const Variant&, const Variant&) = default;
};

/// DataValue: every field optional (the encoding mask says which are present).
struct DataValue {
  std::optional<Variant> value;
  std::optional<StatusCode> status;
  std::optional<DateTime> sourceTimestamp;
  std::optional<std::uint16_t> sourcePicoseconds;  ///< 10 ps units on top of the timestamp
  std::optional<DateTime> serverTimestamp;
  std::optional<std::uint16_t> serverPicoseconds;
  friend bool operator==(const DataValue&, const DataValue&) = default;
};

// Encoding and decoding, one pair per type. Decoders record failures in the Reader.
void encode(Writer& w, bool v);
void encode(Writer& w, std::int8_t v);
void encode(Writer& w, std::uint8_t v);
void encode(Writer& w, std::int16_t v);
void encode(Writer& w, std::uint16_t v);
void encode(Writer& w, std::int32_t v);
void encode(Writer& w, std::uint32_t v);
void encode(Writer& w, std::int64_t v);
void encode(Writer& w, std::uint64_t v);
void encode(Writer& w, float v);
void encode(Writer& w, double v);
void encode(Writer& w, const String& v);
void encode(Writer& w, const ByteString& v);
void encode(Writer& w, DateTime v);
void encode(Writer& w, const Guid& v);
void encode(Writer& w, const XmlElement& v);
void encode(Writer& w, const NodeId& v);
void encode(Writer& w, const ExpandedNodeId& v);
void encode(Writer& w, StatusCode v);
void encode(Writer& w, const QualifiedName& v);
void encode(Writer& w, const LocalizedText& v);
void encode(Writer& w, const ExtensionObject& v);
void encode(Writer& w, const DiagnosticInfo& v);
void encode(Writer& w, const Variant& v);
void encode(Writer& w, const DataValue& v);

void decode(Reader& r, bool& v);
void decode(Reader& r, std::int8_t& v);
void decode(Reader& r, std::uint8_t& v);
void decode(Reader& r, std::int16_t& v);
void decode(Reader& r, std::uint16_t& v);
void decode(Reader& r, std::int32_t& v);
void decode(Reader& r, std::uint32_t& v);
void decode(Reader& r, std::int64_t& v);
void decode(Reader& r, std::uint64_t& v);
void decode(Reader& r, float& v);
void decode(Reader& r, double& v);
void decode(Reader& r, String& v);
void decode(Reader& r, ByteString& v);
void decode(Reader& r, DateTime& v);
void decode(Reader& r, Guid& v);
void decode(Reader& r, XmlElement& v);
void decode(Reader& r, NodeId& v);
void decode(Reader& r, ExpandedNodeId& v);
void decode(Reader& r, StatusCode& v);
void decode(Reader& r, QualifiedName& v);
void decode(Reader& r, LocalizedText& v);
void decode(Reader& r, ExtensionObject& v);
void decode(Reader& r, DiagnosticInfo& v);
void decode(Reader& r, Variant& v);
void decode(Reader& r, DataValue& v);

/// The fewest bytes one encoded T takes: bounds an array's count by the bytes left.
template <typename T>
constexpr std::size_t minEncodedSize() {
  if constexpr (std::is_same_v<T, std::int16_t> || std::is_same_v<T, std::uint16_t>) return 2;
  if constexpr (std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::uint32_t> ||
                std::is_same_v<T, float> || std::is_same_v<T, StatusCode> ||
                std::is_same_v<T, String> || std::is_same_v<T, ByteString> ||
                std::is_same_v<T, XmlElement>)
    return 4;
  if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, std::uint64_t> ||
                std::is_same_v<T, double> || std::is_same_v<T, DateTime>)
    return 8;
  if constexpr (std::is_same_v<T, Guid>) return 16;
  if constexpr (std::is_same_v<T, NodeId> || std::is_same_v<T, ExpandedNodeId>) return 2;
  if constexpr (std::is_same_v<T, QualifiedName>) return 6;
  if constexpr (std::is_same_v<T, ExtensionObject>) return 3;
  return 1;
}

/// Arrays: Int32 count (-1 = null) then the elements.
template <typename T>
void encode(Writer& w, const Array<T>& a) {
  if (a.empty() && a.null) {
    w.i32(-1);
    return;
  }
  w.i32(static_cast<std::int32_t>(a.size()));
  for (const T& x : a) encode(w, x);
}

template <typename T>
void decode(Reader& r, Array<T>& a) {
  a.clear();
  const std::int32_t n = r.length(minEncodedSize<T>(), "an array");
  a.null = n == -1;
  if (n <= 0) return;
  if (!r.charge(static_cast<std::size_t>(n) * sizeof(T), "an array")) return;
  a.resize(static_cast<std::size_t>(n));
  for (T& x : a) {
    decode(r, x);
    if (!r.ok()) {
      a.clear();
      return;
    }
  }
}

/// Decodes exactly one T from `bytes` (trailing bytes are an error).
template <typename T>
Result<T> decodeAll(std::span<const std::uint8_t> bytes) {
  Reader r(bytes);
  T out{};
  decode(r, out);
  if (r.ok() && !r.atEnd()) r.fail(std::to_string(r.remaining()) + " trailing bytes");
  if (!r.ok()) return r.error();
  return out;
}

/// Encodes one value into a fresh byte vector.
template <typename T>
Bytes encodeToBytes(const T& v) {
  Bytes out;
  Writer w(out);
  encode(w, v);
  return out;
}

}  // namespace spindle::opcua
