#pragma once
/// Typed values from Modbus registers and bits, decoded here rather than by any library (their
/// float helpers differ across versions). Pure functions, no allocation beyond the result.
///
/// Registers travel big-endian. A value of 32 or 64 bits spans 2 or 4 registers whose order
/// devices do not agree on; the order names the bytes of the value, most significant first,
/// as they arrive: for a 32-bit value with bytes A (most significant) B C D,
///   ABCD  registers [AB][CD]  high word first (the standard's own order)
///   CDAB  registers [CD][AB]  low word first ("word swapped", common in PLCs and meters)
///   BADC  registers [BA][DC]  bytes swapped within each register
///   DCBA  registers [DC][BA]  fully reversed
/// 64-bit values extend the same rule word by word (CDAB: lowest word first). 16-bit values
/// and strings only see the byte swap (BADC, DCBA).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "model/value.hpp"

namespace spindle::collectors::modbus_tcp {

enum class ValueType : std::uint8_t {
  kBool,
  kInt16,
  kUint16,
  kInt32,
  kUint32,
  kInt64,
  kUint64,
  kFloat32,
  kFloat64,
  kString,
};

enum class ByteOrder : std::uint8_t { kABCD, kCDAB, kBADC, kDCBA };

/// "int16", "float32", "bool" (or "boolean"), "string"...; nothing for other names.
std::optional<ValueType> parseValueType(std::string_view name);
const char* toString(ValueType type);
/// "ABCD", "CDAB", "BADC", "DCBA" (any case), "big" (= ABCD), "little" (= CDAB).
std::optional<ByteOrder> parseByteOrder(std::string_view name);
const char* toString(ByteOrder order);

/// How one register-backed input is decoded.
struct ValueFormat {
  ValueType type = ValueType::kUint16;
  ByteOrder order = ByteOrder::kABCD;
  double scale = 1.0;  ///< value = raw * scale + offset (numbers only)
  double offset = 0.0;
  int bit = -1;    ///< 0-15: the value is this bit of the (first) register, a boolean
  int length = 0;  ///< strings: registers read (2 characters each)
};

/// Registers the format reads: 1 (16-bit, bool, bit), 2, 4, or `length` for strings.
int registerCount(const ValueFormat& format);

/// Decodes `registers` (exactly registerCount(format) of them). Integers without scale and
/// offset become int64 (a uint64 above the int64 range a double); scaled values and floats
/// doubles; bool (non-zero) and bit booleans; strings the text up to the first NUL, trailing
/// spaces removed. Error when the register count is wrong.
Result<model::Value> decodeRegisters(std::span<const std::uint16_t> registers,
                                     const ValueFormat& format);

/// The registers that carry `value` in `format` (the reverse of decodeRegisters, for writes
/// and the simulator). Error when the value does not fit the type.
Result<std::vector<std::uint16_t>> encodeRegisters(const model::Value& value,
                                                   const ValueFormat& format);

}  // namespace spindle::collectors::modbus_tcp
