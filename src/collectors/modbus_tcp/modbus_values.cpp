#include "collectors/modbus_tcp/modbus_values.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <limits>

namespace spindle::collectors::modbus_tcp {
namespace {

bool swapsBytes(ByteOrder o) { return o == ByteOrder::kBADC || o == ByteOrder::kDCBA; }
bool lowWordFirst(ByteOrder o) { return o == ByteOrder::kCDAB || o == ByteOrder::kDCBA; }

std::uint16_t swap16(std::uint16_t v) { return static_cast<std::uint16_t>((v << 8) | (v >> 8)); }

/// The registers as one unsigned number, most significant word first.
std::uint64_t assemble(std::span<const std::uint16_t> regs, ByteOrder order) {
  std::uint64_t raw = 0;
  const std::size_t n = regs.size();
  for (std::size_t i = 0; i < n; ++i) {
    std::uint16_t word = regs[lowWordFirst(order) ? n - 1 - i : i];
    if (swapsBytes(order)) word = swap16(word);
    raw = (raw << 16) | word;
  }
  return raw;
}

std::vector<std::uint16_t> disassemble(std::uint64_t raw, std::size_t n, ByteOrder order) {
  std::vector<std::uint16_t> regs(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint16_t word = static_cast<std::uint16_t>(raw >> (16 * (n - 1 - i)));
    if (swapsBytes(order)) word = swap16(word);
    regs[lowWordFirst(order) ? n - 1 - i : i] = word;
  }
  return regs;
}

bool scaled(const ValueFormat& f) { return f.scale != 1.0 || f.offset != 0.0; }

model::Value number(std::int64_t raw, const ValueFormat& f) {
  if (!scaled(f)) return raw;
  return static_cast<double>(raw) * f.scale + f.offset;
}

std::optional<double> asNumber(const model::Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* b = std::get_if<bool>(&v)) return *b ? 1.0 : 0.0;
  return std::nullopt;
}

}  // namespace

std::optional<ValueType> parseValueType(std::string_view n) {
  if (n == "bool" || n == "boolean") return ValueType::kBool;
  if (n == "int16") return ValueType::kInt16;
  if (n == "uint16") return ValueType::kUint16;
  if (n == "int32") return ValueType::kInt32;
  if (n == "uint32") return ValueType::kUint32;
  if (n == "int64") return ValueType::kInt64;
  if (n == "uint64") return ValueType::kUint64;
  if (n == "float32") return ValueType::kFloat32;
  if (n == "float64") return ValueType::kFloat64;
  if (n == "string") return ValueType::kString;
  return std::nullopt;
}

const char* toString(ValueType t) {
  static constexpr const char* kNames[] = {"bool",  "int16",  "uint16",  "int32",   "uint32",
                                           "int64", "uint64", "float32", "float64", "string"};
  return kNames[static_cast<int>(t)];
}

std::optional<ByteOrder> parseByteOrder(std::string_view name) {
  std::string n(name);
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::toupper(c); });
  if (n == "ABCD" || n == "BIG") return ByteOrder::kABCD;
  if (n == "CDAB" || n == "LITTLE") return ByteOrder::kCDAB;
  if (n == "BADC") return ByteOrder::kBADC;
  if (n == "DCBA") return ByteOrder::kDCBA;
  return std::nullopt;
}

const char* toString(ByteOrder o) {
  static constexpr const char* kNames[] = {"ABCD", "CDAB", "BADC", "DCBA"};
  return kNames[static_cast<int>(o)];
}

int registerCount(const ValueFormat& f) {
  if (f.bit >= 0) return 1;
  switch (f.type) {
    case ValueType::kInt32:
    case ValueType::kUint32:
    case ValueType::kFloat32:
      return 2;
    case ValueType::kInt64:
    case ValueType::kUint64:
    case ValueType::kFloat64:
      return 4;
    case ValueType::kString:
      return std::max(f.length, 1);
    default:
      return 1;
  }
}

Result<model::Value> decodeRegisters(std::span<const std::uint16_t> regs, const ValueFormat& f) {
  const int want = registerCount(f);
  if (regs.size() != static_cast<std::size_t>(want)) {
    return Error(ErrorCode::kInvalidArgument, std::string(toString(f.type)) + " needs " +
                                                  std::to_string(want) + " registers, got " +
                                                  std::to_string(regs.size()));
  }
  if (f.bit >= 0) return model::Value(((regs[0] >> f.bit) & 1u) != 0);
  const std::uint64_t raw = assemble(regs, f.order);
  switch (f.type) {
    case ValueType::kBool:
      return model::Value(raw != 0);
    case ValueType::kInt16:
      return number(static_cast<std::int16_t>(raw), f);
    case ValueType::kUint16:
    case ValueType::kUint32:
      return number(static_cast<std::int64_t>(raw), f);
    case ValueType::kInt32:
      return number(static_cast<std::int32_t>(raw), f);
    case ValueType::kInt64:
      return number(static_cast<std::int64_t>(raw), f);
    case ValueType::kUint64:
      if (raw > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return model::Value(static_cast<double>(raw) * f.scale + f.offset);
      }
      return number(static_cast<std::int64_t>(raw), f);
    case ValueType::kFloat32:
      return model::Value(
          static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(raw))) * f.scale +
          f.offset);
    case ValueType::kFloat64:
      return model::Value(std::bit_cast<double>(raw) * f.scale + f.offset);
    case ValueType::kString: {
      std::string text;
      for (std::uint16_t word : regs) {
        if (swapsBytes(f.order)) word = swap16(word);
        text += static_cast<char>(word >> 8);
        text += static_cast<char>(word & 0xFF);
      }
      if (const auto nul = text.find('\0'); nul != std::string::npos) text.resize(nul);
      while (!text.empty() && text.back() == ' ') text.pop_back();
      return model::Value(std::move(text));
    }
  }
  return Error(ErrorCode::kInternal, "unknown value type");
}

Result<std::vector<std::uint16_t>> encodeRegisters(const model::Value& value,
                                                   const ValueFormat& f) {
  const auto n = static_cast<std::size_t>(registerCount(f));
  if (f.type == ValueType::kString) {
    const auto* text = std::get_if<std::string>(&value);
    if (!text) return Error(ErrorCode::kInvalidArgument, "a string register needs text");
    if (text->size() > n * 2) {
      return Error(ErrorCode::kInvalidArgument, "text of " + std::to_string(text->size()) +
                                                    " bytes does not fit " + std::to_string(n) +
                                                    " registers");
    }
    std::vector<std::uint16_t> regs(n, 0);
    for (std::size_t i = 0; i < text->size(); ++i) {
      const auto byte = static_cast<std::uint8_t>((*text)[i]);
      regs[i / 2] = static_cast<std::uint16_t>(regs[i / 2] | (i % 2 == 0 ? byte << 8 : byte));
    }
    if (swapsBytes(f.order))
      for (auto& r : regs) r = swap16(r);
    return regs;
  }
  const auto v = asNumber(value);
  if (!v) return Error(ErrorCode::kInvalidArgument, "a register value needs a number");
  const double raw = (*v - f.offset) / f.scale;
  std::uint64_t bits = 0;
  auto integer = [&](double lo, double hi) -> bool {
    const double r = std::round(raw);
    if (!(r >= lo && r <= hi)) return false;
    bits = static_cast<std::uint64_t>(static_cast<std::int64_t>(r));
    return true;
  };
  bool fits = true;
  switch (f.type) {
    case ValueType::kBool:
      bits = raw != 0 ? 1 : 0;
      break;
    case ValueType::kInt16:
      fits = integer(-32768, 32767);
      bits &= 0xFFFF;
      break;
    case ValueType::kUint16:
      fits = integer(0, 65535);
      break;
    case ValueType::kInt32:
      fits = integer(-2147483648.0, 2147483647.0);
      bits &= 0xFFFFFFFFu;
      break;
    case ValueType::kUint32:
      fits = integer(0, 4294967295.0);
      break;
    case ValueType::kInt64:
      fits = integer(-9.2233720368547758e18, 9.2233720368547748e18);
      break;
    case ValueType::kUint64:
      fits = raw >= 0 && raw < 1.8446744073709552e19;
      if (fits) bits = static_cast<std::uint64_t>(std::round(raw));
      break;
    case ValueType::kFloat32:
      bits = std::bit_cast<std::uint32_t>(static_cast<float>(raw));
      break;
    case ValueType::kFloat64:
      bits = std::bit_cast<std::uint64_t>(raw);
      break;
    case ValueType::kString:
      break;
  }
  if (!fits) {
    return Error(ErrorCode::kInvalidArgument,
                 "value does not fit " + std::string(toString(f.type)));
  }
  return disassemble(bits, n, f.order);
}

}  // namespace spindle::collectors::modbus_tcp
