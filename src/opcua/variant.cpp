// Variant and DataValue (Part 6, 5.2.2.16 and 5.2.2.17), the recursive built-in types.
#include <algorithm>
#include <array>
#include <utility>

#include "opcua/types.hpp"

namespace spindle::opcua {
namespace {

constexpr std::uint8_t kArrayBit = 0x80;
constexpr std::uint8_t kDimensionsBit = 0x40;

// Scalars of the recursive types sit in Boxes; the rest are encoded directly.
template <typename T>
void encodeScalar(Writer& w, const T& v) {
  encode(w, v);
}
template <typename T>
void encodeScalar(Writer& w, const Box<T>& v) {
  if (v.has_value()) {
    encode(w, *v);
  } else {
    encode(w, T{});
  }
}

template <typename T>
void encodeElements(Writer& w, const std::vector<T>& v) {
  w.i32(static_cast<std::int32_t>(v.size()));
  for (const auto& x : v) encode(w, static_cast<const T&>(x));
}
void encodeElements(Writer& w, const std::vector<bool>& v) {
  w.i32(static_cast<std::int32_t>(v.size()));
  for (bool x : v) w.boolean(x);
}

template <typename T>
void decodeScalar(Reader& r, Variant::Value& out) {
  decode(r, out.emplace<T>());
}
template <typename T>
void decodeBoxed(Reader& r, Variant::Value& out) {
  decode(r, out.emplace<Box<T>>().emplace());
}

template <typename T>
void decodeElements(Reader& r, Variant::Value& out, std::size_t count) {
  auto& v = out.emplace<std::vector<T>>();
  if (!r.charge(count * sizeof(T), "a Variant array")) return;
  v.resize(count);
  for (auto& x : v) {
    decode(r, x);
    if (!r.ok()) return;
  }
}
template <>
void decodeElements<bool>(Reader& r, Variant::Value& out, std::size_t count) {
  auto& v = out.emplace<std::vector<bool>>();
  v.reserve(count);
  for (std::size_t i = 0; i < count && r.ok(); ++i) v.push_back(r.boolean());
}

// The element type of the array alternative at index 25 + id, for the minimum sizes.
template <std::size_t I>
using ArrayElement =
    typename std::variant_alternative_t<I + kBuiltinTypeCount, Variant::Value>::value_type;

template <std::size_t... I>
constexpr std::array<std::size_t, kBuiltinTypeCount + 1> minSizes(std::index_sequence<I...>) {
  return {1, minEncodedSize<ArrayElement<I + 1>>()...};
}
constexpr auto kMinSize = minSizes(std::make_index_sequence<kBuiltinTypeCount>{});

void decodeScalarOf(Reader& r, std::uint8_t type, Variant::Value& out) {
  switch (type) {
    case 1:
      return decodeScalar<bool>(r, out);
    case 2:
      return decodeScalar<std::int8_t>(r, out);
    case 3:
      return decodeScalar<std::uint8_t>(r, out);
    case 4:
      return decodeScalar<std::int16_t>(r, out);
    case 5:
      return decodeScalar<std::uint16_t>(r, out);
    case 6:
      return decodeScalar<std::int32_t>(r, out);
    case 7:
      return decodeScalar<std::uint32_t>(r, out);
    case 8:
      return decodeScalar<std::int64_t>(r, out);
    case 9:
      return decodeScalar<std::uint64_t>(r, out);
    case 10:
      return decodeScalar<float>(r, out);
    case 11:
      return decodeScalar<double>(r, out);
    case 12:
      return decodeScalar<String>(r, out);
    case 13:
      return decodeScalar<DateTime>(r, out);
    case 14:
      return decodeScalar<Guid>(r, out);
    case 15:
      return decodeScalar<ByteString>(r, out);
    case 16:
      return decodeScalar<XmlElement>(r, out);
    case 17:
      return decodeScalar<NodeId>(r, out);
    case 18:
      return decodeScalar<ExpandedNodeId>(r, out);
    case 19:
      return decodeScalar<StatusCode>(r, out);
    case 20:
      return decodeScalar<QualifiedName>(r, out);
    case 21:
      return decodeScalar<LocalizedText>(r, out);
    case 22:
      return decodeScalar<ExtensionObject>(r, out);
    case 23:
      return decodeBoxed<DataValue>(r, out);
    case 24:
      return decodeBoxed<Variant>(r, out);
    case 25:
      return decodeScalar<DiagnosticInfo>(r, out);
    default:
      break;
  }
}

void decodeArrayOf(Reader& r, std::uint8_t type, Variant::Value& out, std::size_t n) {
  switch (type) {
    case 1:
      return decodeElements<bool>(r, out, n);
    case 2:
      return decodeElements<std::int8_t>(r, out, n);
    case 3:
      return decodeElements<std::uint8_t>(r, out, n);
    case 4:
      return decodeElements<std::int16_t>(r, out, n);
    case 5:
      return decodeElements<std::uint16_t>(r, out, n);
    case 6:
      return decodeElements<std::int32_t>(r, out, n);
    case 7:
      return decodeElements<std::uint32_t>(r, out, n);
    case 8:
      return decodeElements<std::int64_t>(r, out, n);
    case 9:
      return decodeElements<std::uint64_t>(r, out, n);
    case 10:
      return decodeElements<float>(r, out, n);
    case 11:
      return decodeElements<double>(r, out, n);
    case 12:
      return decodeElements<String>(r, out, n);
    case 13:
      return decodeElements<DateTime>(r, out, n);
    case 14:
      return decodeElements<Guid>(r, out, n);
    case 15:
      return decodeElements<ByteString>(r, out, n);
    case 16:
      return decodeElements<XmlElement>(r, out, n);
    case 17:
      return decodeElements<NodeId>(r, out, n);
    case 18:
      return decodeElements<ExpandedNodeId>(r, out, n);
    case 19:
      return decodeElements<StatusCode>(r, out, n);
    case 20:
      return decodeElements<QualifiedName>(r, out, n);
    case 21:
      return decodeElements<LocalizedText>(r, out, n);
    case 22:
      return decodeElements<ExtensionObject>(r, out, n);
    case 23:
      return decodeElements<DataValue>(r, out, n);
    case 24:
      return decodeElements<Variant>(r, out, n);
    case 25:
      return decodeElements<DiagnosticInfo>(r, out, n);
    default:
      break;
  }
}

/// Checks ArrayDimensions against the element count: each >= 0, product == count.
void checkDimensions(Reader& r, const std::vector<std::int32_t>& dims, std::size_t count) {
  constexpr std::uint64_t kCap = std::uint64_t{1} << 32;  // above any count; no overflow
  std::uint64_t product = 1;
  for (std::int32_t d : dims) {
    if (d < 0) {
      r.fail("negative array dimension " + std::to_string(d));
      return;
    }
    product = std::min(product, kCap) * static_cast<std::uint64_t>(d);
  }
  if (dims.empty() || product != count) {
    r.fail("array dimensions do not multiply to the " + std::to_string(count) + " elements");
  }
}

}  // namespace

void encode(Writer& w, const Variant& v) {
  const std::size_t index = v.value.index();
  if (index == 0) {
    w.u8(0);
    return;
  }
  const bool array = index > kBuiltinTypeCount;
  const auto type = static_cast<std::uint8_t>(array ? index - kBuiltinTypeCount : index);
  const bool dims = array && !v.dimensions.empty();
  w.u8(type | (array ? kArrayBit : 0) | (dims ? kDimensionsBit : 0));
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
        } else if constexpr (requires { typename T::allocator_type; }) {
          encodeElements(w, x);
        } else {
          encodeScalar(w, x);
        }
      },
      v.value);
  if (dims) {
    w.i32(static_cast<std::int32_t>(v.dimensions.size()));
    for (std::int32_t d : v.dimensions) w.i32(d);
  }
}

void decode(Reader& r, Variant& v) {
  if (!r.enter("Variant")) return;
  v.dimensions.clear();
  const std::uint8_t mask = r.u8();
  const std::uint8_t type = mask & 0x3F;
  if (type > kBuiltinTypeCount) {
    r.fail("Variant type " + std::to_string(type) + " is not a built-in type");
  } else if (type == 0) {
    v.value = std::monostate{};
    // A null Variant with array bits is malformed; accept only the plain 0 mask.
    if (mask != 0) r.fail("null Variant with mask " + std::to_string(mask));
  } else if (!(mask & kArrayBit)) {
    if (mask & kDimensionsBit) r.fail("scalar Variant with ArrayDimensions");
    decodeScalarOf(r, type, v.value);
  } else {
    const std::int32_t n = r.length(kMinSize[type], "a Variant array");
    decodeArrayOf(r, type, v.value, n < 0 ? 0 : static_cast<std::size_t>(n));
    if ((mask & kDimensionsBit) && r.ok()) {
      const std::int32_t d = r.length(4, "ArrayDimensions");
      for (std::int32_t i = 0; i < d && r.ok(); ++i) v.dimensions.push_back(r.i32());
      if (r.ok()) checkDimensions(r, v.dimensions, n < 0 ? 0 : static_cast<std::size_t>(n));
    }
  }
  r.leave();
}

void encode(Writer& w, const DataValue& v) {
  std::uint8_t mask = 0;
  if (v.value) mask |= 0x01;
  if (v.status) mask |= 0x02;
  if (v.sourceTimestamp) mask |= 0x04;
  if (v.serverTimestamp) mask |= 0x08;
  if (v.sourcePicoseconds) mask |= 0x10;
  if (v.serverPicoseconds) mask |= 0x20;
  w.u8(mask);
  if (v.value) encode(w, *v.value);
  if (v.status) w.u32(v.status->value);
  if (v.sourceTimestamp) w.i64(v.sourceTimestamp->ticks);
  if (v.sourcePicoseconds) w.u16(*v.sourcePicoseconds);
  if (v.serverTimestamp) w.i64(v.serverTimestamp->ticks);
  if (v.serverPicoseconds) w.u16(*v.serverPicoseconds);
}

void decode(Reader& r, DataValue& v) {
  if (!r.enter("DataValue")) return;
  const std::uint8_t mask = r.u8();
  if (mask & 0xC0) r.fail("DataValue mask " + std::to_string(mask) + " has unknown bits");
  if (mask & 0x01) {
    decode(r, v.value.emplace());
  } else {
    v.value.reset();
  }
  v.status.reset();
  v.sourceTimestamp.reset();
  v.sourcePicoseconds.reset();
  v.serverTimestamp.reset();
  v.serverPicoseconds.reset();
  if (mask & 0x02) v.status = StatusCode{r.u32()};
  if (mask & 0x04) v.sourceTimestamp = DateTime{r.i64()};
  if (mask & 0x10) v.sourcePicoseconds = r.u16();
  if (mask & 0x08) v.serverTimestamp = DateTime{r.i64()};
  if (mask & 0x20) v.serverPicoseconds = r.u16();
  r.leave();
}

}  // namespace spindle::opcua
