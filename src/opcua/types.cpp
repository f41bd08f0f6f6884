#include "opcua/types.hpp"

namespace spindle::opcua {

// Scalars: fixed-size little-endian values.
void encode(Writer& w, bool v) { w.boolean(v); }
void encode(Writer& w, std::int8_t v) { w.i8(v); }
void encode(Writer& w, std::uint8_t v) { w.u8(v); }
void encode(Writer& w, std::int16_t v) { w.i16(v); }
void encode(Writer& w, std::uint16_t v) { w.u16(v); }
void encode(Writer& w, std::int32_t v) { w.i32(v); }
void encode(Writer& w, std::uint32_t v) { w.u32(v); }
void encode(Writer& w, std::int64_t v) { w.i64(v); }
void encode(Writer& w, std::uint64_t v) { w.u64(v); }
void encode(Writer& w, float v) { w.f32(v); }
void encode(Writer& w, double v) { w.f64(v); }
void encode(Writer& w, DateTime v) { w.i64(v.ticks); }
void encode(Writer& w, StatusCode v) { w.u32(v.value); }

void decode(Reader& r, bool& v) { v = r.boolean(); }
void decode(Reader& r, std::int8_t& v) { v = r.i8(); }
void decode(Reader& r, std::uint8_t& v) { v = r.u8(); }
void decode(Reader& r, std::int16_t& v) { v = r.i16(); }
void decode(Reader& r, std::uint16_t& v) { v = r.u16(); }
void decode(Reader& r, std::int32_t& v) { v = r.i32(); }
void decode(Reader& r, std::uint32_t& v) { v = r.u32(); }
void decode(Reader& r, std::int64_t& v) { v = r.i64(); }
void decode(Reader& r, std::uint64_t& v) { v = r.u64(); }
void decode(Reader& r, float& v) { v = r.f32(); }
void decode(Reader& r, double& v) { v = r.f64(); }
void decode(Reader& r, DateTime& v) { v.ticks = r.i64(); }
void decode(Reader& r, StatusCode& v) { v.value = r.u32(); }

// Strings and byte strings: Int32 length, -1 = null.
void encode(Writer& w, const String& v) {
  if (!v) {
    w.i32(-1);
    return;
  }
  w.i32(static_cast<std::int32_t>(v->size()));
  w.raw({reinterpret_cast<const std::uint8_t*>(v->data()), v->size()});
}

void encode(Writer& w, const ByteString& v) {
  if (!v) {
    w.i32(-1);
    return;
  }
  w.i32(static_cast<std::int32_t>(v->size()));
  w.raw(*v);
}

void encode(Writer& w, const XmlElement& v) { encode(w, v.xml); }

void decode(Reader& r, String& v) {
  const std::int32_t n = r.length(1, "a String");
  if (n < 0 || !r.ok()) {
    v.reset();
    return;
  }
  auto b = r.raw(static_cast<std::size_t>(n));
  v.emplace(reinterpret_cast<const char*>(b.data()), b.size());
}

void decode(Reader& r, ByteString& v) {
  const std::int32_t n = r.length(1, "a ByteString");
  if (n < 0 || !r.ok()) {
    v.reset();
    return;
  }
  auto b = r.raw(static_cast<std::size_t>(n));
  v.emplace(b.begin(), b.end());
}

void decode(Reader& r, XmlElement& v) { decode(r, v.xml); }

void encode(Writer& w, const Guid& v) {
  w.u32(v.data1);
  w.u16(v.data2);
  w.u16(v.data3);
  w.raw(v.data4);
}

void decode(Reader& r, Guid& v) {
  v.data1 = r.u32();
  v.data2 = r.u16();
  v.data3 = r.u16();
  auto b = r.raw(8, "a Guid");
  if (b.size() == 8) std::copy(b.begin(), b.end(), v.data4.begin());
}

// NodeId (Part 6, 5.2.2.9): an encoding byte, then the form's fields. The top two bits of
// the encoding byte belong to ExpandedNodeId.
namespace {

constexpr std::uint8_t kTwoByte = 0, kFourByte = 1, kNumeric = 2, kStringId = 3, kGuidId = 4,
                       kOpaque = 5;
constexpr std::uint8_t kUriFlag = 0x80, kServerFlag = 0x40;

void encodeNodeId(Writer& w, const NodeId& v, std::uint8_t flags) {
  const std::uint16_t ns = v.namespaceIndex;
  if (const auto* n = std::get_if<std::uint32_t>(&v.identifier)) {
    if (ns == 0 && *n <= 0xFF) {
      w.u8(kTwoByte | flags);
      w.u8(static_cast<std::uint8_t>(*n));
    } else if (ns <= 0xFF && *n <= 0xFFFF) {
      w.u8(kFourByte | flags);
      w.u8(static_cast<std::uint8_t>(ns));
      w.u16(static_cast<std::uint16_t>(*n));
    } else {
      w.u8(kNumeric | flags);
      w.u16(ns);
      w.u32(*n);
    }
  } else if (const auto* s = std::get_if<std::string>(&v.identifier)) {
    w.u8(kStringId | flags);
    w.u16(ns);
    encode(w, String(*s));
  } else if (const auto* g = std::get_if<Guid>(&v.identifier)) {
    w.u8(kGuidId | flags);
    w.u16(ns);
    encode(w, *g);
  } else {
    w.u8(kOpaque | flags);
    w.u16(ns);
    encode(w, ByteString(std::get<Bytes>(v.identifier)));
  }
}

/// Returns the ExpandedNodeId flag bits of the encoding byte.
std::uint8_t decodeNodeId(Reader& r, NodeId& v) {
  const std::uint8_t first = r.u8();
  switch (first & 0x3F) {
    case kTwoByte:
      v.namespaceIndex = 0;
      v.identifier = std::uint32_t{r.u8()};
      break;
    case kFourByte:
      v.namespaceIndex = r.u8();
      v.identifier = std::uint32_t{r.u16()};
      break;
    case kNumeric:
      v.namespaceIndex = r.u16();
      v.identifier = r.u32();
      break;
    case kStringId: {
      v.namespaceIndex = r.u16();
      String s;
      decode(r, s);
      v.identifier = s ? std::move(*s) : std::string();
      break;
    }
    case kGuidId: {
      v.namespaceIndex = r.u16();
      Guid g;
      decode(r, g);
      v.identifier = g;
      break;
    }
    case kOpaque: {
      v.namespaceIndex = r.u16();
      ByteString b;
      decode(r, b);
      v.identifier = b ? std::move(*b) : Bytes();
      break;
    }
    default:
      if (r.ok()) r.fail("unknown NodeId encoding byte " + std::to_string(first));
      return 0;
  }
  return first & 0xC0;
}

}  // namespace

bool NodeId::isNull() const {
  const auto* n = std::get_if<std::uint32_t>(&identifier);
  return namespaceIndex == 0 && n != nullptr && *n == 0;
}

std::optional<std::uint32_t> NodeId::ns0Numeric() const {
  const auto* n = std::get_if<std::uint32_t>(&identifier);
  if (namespaceIndex != 0 || n == nullptr) return std::nullopt;
  return *n;
}

void encode(Writer& w, const NodeId& v) { encodeNodeId(w, v, 0); }

void decode(Reader& r, NodeId& v) {
  const std::size_t at = r.offset();
  if (decodeNodeId(r, v) != 0 && r.ok()) {
    r.fail("ExpandedNodeId flags in a NodeId (byte at " + std::to_string(at) + ")");
  }
}

void encode(Writer& w, const ExpandedNodeId& v) {
  const std::uint8_t flags =
      (v.namespaceUri ? kUriFlag : 0) | (v.serverIndex != 0 ? kServerFlag : 0);
  encodeNodeId(w, v.nodeId, flags);
  if (v.namespaceUri) encode(w, v.namespaceUri);
  if (v.serverIndex != 0) w.u32(v.serverIndex);
}

void decode(Reader& r, ExpandedNodeId& v) {
  const std::uint8_t flags = decodeNodeId(r, v.nodeId);
  v.namespaceUri.reset();
  v.serverIndex = 0;
  if (flags & kUriFlag) {
    decode(r, v.namespaceUri);
    // A null URI with the flag set would not encode back the same; treat it as "".
    if (!v.namespaceUri) v.namespaceUri.emplace();
  }
  if (flags & kServerFlag) v.serverIndex = r.u32();
}

void encode(Writer& w, const QualifiedName& v) {
  w.u16(v.namespaceIndex);
  encode(w, v.name);
}

void decode(Reader& r, QualifiedName& v) {
  v.namespaceIndex = r.u16();
  decode(r, v.name);
}

void encode(Writer& w, const LocalizedText& v) {
  w.u8((v.locale ? 0x01 : 0) | (v.text ? 0x02 : 0));
  if (v.locale) encode(w, v.locale);
  if (v.text) encode(w, v.text);
}

void decode(Reader& r, LocalizedText& v) {
  const std::uint8_t mask = r.u8();
  v.locale.reset();
  v.text.reset();
  if (mask & ~0x03) r.fail("LocalizedText mask " + std::to_string(mask) + " has unknown bits");
  if (mask & 0x01) {
    decode(r, v.locale);
    if (!v.locale) v.locale.emplace();
  }
  if (mask & 0x02) {
    decode(r, v.text);
    if (!v.text) v.text.emplace();
  }
}

void encode(Writer& w, const ExtensionObject& v) {
  encode(w, v.typeId);
  w.u8(static_cast<std::uint8_t>(v.encoding));
  if (v.encoding == ExtensionObject::Encoding::kNone) return;
  w.i32(static_cast<std::int32_t>(v.body.size()));
  w.raw(v.body);
}

void decode(Reader& r, ExtensionObject& v) {
  decode(r, v.typeId);
  const std::uint8_t enc = r.u8();
  v.body.clear();
  if (enc > 2) {
    r.fail("ExtensionObject encoding " + std::to_string(enc) + " is not 0, 1 or 2");
    return;
  }
  v.encoding = static_cast<ExtensionObject::Encoding>(enc);
  if (v.encoding == ExtensionObject::Encoding::kNone) return;
  // A null body (-1) is read as empty: both carry nothing.
  const std::int32_t n = r.length(1, "an ExtensionObject body");
  if (n <= 0) return;
  auto b = r.raw(static_cast<std::size_t>(n));
  v.body.assign(b.begin(), b.end());
}

// DiagnosticInfo (Part 6, 5.2.2.12): mask, then the present fields in this order: SymbolicId,
// NamespaceUri, Locale, LocalizedText, AdditionalInfo, InnerStatusCode, InnerDiagnosticInfo.
void encode(Writer& w, const DiagnosticInfo& v) {
  std::uint8_t mask = 0;
  if (v.symbolicId) mask |= 0x01;
  if (v.namespaceUri) mask |= 0x02;
  if (v.localizedText) mask |= 0x04;
  if (v.locale) mask |= 0x08;
  if (v.additionalInfo) mask |= 0x10;
  if (v.innerStatusCode) mask |= 0x20;
  if (v.innerDiagnosticInfo.has_value()) mask |= 0x40;
  w.u8(mask);
  if (v.symbolicId) w.i32(*v.symbolicId);
  if (v.namespaceUri) w.i32(*v.namespaceUri);
  if (v.locale) w.i32(*v.locale);
  if (v.localizedText) w.i32(*v.localizedText);
  if (v.additionalInfo) encode(w, v.additionalInfo);
  if (v.innerStatusCode) w.u32(v.innerStatusCode->value);
  if (v.innerDiagnosticInfo.has_value()) encode(w, *v.innerDiagnosticInfo);
}

void decode(Reader& r, DiagnosticInfo& v) {
  if (!r.enter("DiagnosticInfo")) return;
  v = DiagnosticInfo{};
  const std::uint8_t mask = r.u8();
  if (mask & 0x80) r.fail("DiagnosticInfo mask has unknown bit 0x80");
  if (mask & 0x01) v.symbolicId = r.i32();
  if (mask & 0x02) v.namespaceUri = r.i32();
  if (mask & 0x08) v.locale = r.i32();
  if (mask & 0x04) v.localizedText = r.i32();
  if (mask & 0x10) {
    decode(r, v.additionalInfo);
    if (!v.additionalInfo) v.additionalInfo.emplace();
  }
  if (mask & 0x20) v.innerStatusCode = StatusCode{r.u32()};
  if ((mask & 0x40) && r.ok()) decode(r, v.innerDiagnosticInfo.emplace());
  r.leave();
}

}  // namespace spindle::opcua
