#pragma once
/// Internal to the service codecs (services_*.cpp): a structure is encoded and decoded by
/// one list of its fields, in wire order, so the two directions cannot disagree.
///
///   SPINDLE_OPCUA_FIELDS(ReadValueId, x.nodeId, x.attributeId, x.indexRange, x.dataEncoding)
///
/// defines encode(Writer&, const ReadValueId&) and decode(Reader&, ReadValueId&). Enum fields
/// travel as Int32.

#include <type_traits>

#include "opcua/types.hpp"

namespace spindle::opcua::detail {

struct FieldWriter {
  Writer& w;
  template <typename... Ts>
  void operator()(const Ts&... v) {
    (one(v), ...);
  }
  template <typename T>
  void one(const T& v) {
    if constexpr (std::is_enum_v<T>) {
      w.i32(static_cast<std::int32_t>(v));
    } else {
      encode(w, v);
    }
  }
};

struct FieldReader {
  Reader& r;
  template <typename... Ts>
  void operator()(Ts&... v) {
    (one(v), ...);
  }
  template <typename T>
  void one(T& v) {
    if constexpr (std::is_enum_v<T>) {
      v = static_cast<T>(r.i32());
    } else {
      decode(r, v);
    }
  }
};

}  // namespace spindle::opcua::detail

#define SPINDLE_OPCUA_FIELDS(Type, ...)   \
  void encode(Writer& w, const Type& x) { \
    detail::FieldWriter c{w};             \
    c(__VA_ARGS__);                       \
  }                                       \
  void decode(Reader& r, Type& x) {       \
    detail::FieldReader c{r};             \
    c(__VA_ARGS__);                       \
  }
