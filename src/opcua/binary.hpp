#pragma once
/// The primitive layer of the OPC UA binary encoding (Part 6, 5.2): a bounded little-endian
/// Reader over bytes someone else owns, and a Writer appending to a byte vector.
///
/// The Reader's errors are sticky: the first failed read records what was being read and the
/// offset, later reads return zeros and consume nothing, and the caller checks `ok()` (or takes
/// `status()`) once at the end of a structure. This keeps the decoders free of a branch per
/// field while guaranteeing that nothing is read past the end and that loops over counted items
/// terminate (every count is bounded by the bytes that remain).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace spindle::opcua {

using Bytes = std::vector<std::uint8_t>;

class Reader {
 public:
  /// How deep Variants, DataValues and DiagnosticInfos may nest before decoding fails.
  static constexpr int kMaxDepth = 32;

  /// Reads `bytes` (not copied: they must outlive the Reader). `baseOffset` is added to the
  /// offsets in error messages, so an error in a message body names its place in the chunk.
  explicit Reader(std::span<const std::uint8_t> bytes, std::size_t baseOffset = 0)
      : m_bytes(bytes), m_base(baseOffset), m_budget(bytes.size() * kBudgetFactor + kBudgetBase) {}

  bool ok() const { return m_error.empty(); }
  std::size_t offset() const { return m_pos; }
  std::size_t remaining() const { return m_bytes.size() - m_pos; }
  bool atEnd() const { return m_pos == m_bytes.size(); }
  /// The bytes not read yet.
  std::span<const std::uint8_t> rest() const { return m_bytes.subspan(m_pos); }

  std::uint8_t u8() {
    if (!need(1, "a byte")) return 0;
    return m_bytes[m_pos++];
  }
  bool boolean() { return u8() != 0; }
  std::int8_t i8() { return static_cast<std::int8_t>(u8()); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(little(2, "a UInt16")); }
  std::int16_t i16() { return static_cast<std::int16_t>(u16()); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(little(4, "a UInt32")); }
  std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
  std::uint64_t u64() { return little(8, "a UInt64"); }
  std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
  float f32() {
    const auto bits = static_cast<std::uint32_t>(little(4, "a Float"));
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }
  double f64() {
    const std::uint64_t bits = little(8, "a Double");
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }
  /// The next `n` bytes (a view into the input), or an empty span and a failure.
  std::span<const std::uint8_t> raw(std::size_t n, const char* what = "bytes") {
    if (!need(n, what)) return {};
    auto out = m_bytes.subspan(m_pos, n);
    m_pos += n;
    return out;
  }

  /// An Int32 length prefix: -1 (null) or a count whose `minElementSize`-byte elements fit in
  /// the remaining bytes. Anything else (below -1, or more than could fit) fails and gives 0, so
  /// no caller allocates for elements that cannot be there.
  std::int32_t length(std::size_t minElementSize, const char* what);

  /// Charges `bytes` of decoded memory (array elements as the decoder allocates them) against
  /// the budget: a few bytes on the wire can name elements that take a hundred times more
  /// once decoded (a Variant array of nulls), so what one message may make is bounded
  /// (kBudgetFactor times its size, plus kBudgetBase). False (and a failure) past it.
  bool charge(std::size_t bytes, const char* what);
  static constexpr std::size_t kBudgetFactor = 32;
  static constexpr std::size_t kBudgetBase = 1 << 20;

  /// Records a failure (kept only when it is the first).
  void fail(std::string what);

  /// Enters one level of a recursive type; false (and a failure) past kMaxDepth. Every
  /// successful enter() is paired with leave().
  bool enter(const char* what);
  void leave() { --m_depth; }

  /// kProtocol "<what> at offset N" for the first failure; ok otherwise.
  Status status() const;
  /// The failure as an Error (only meaningful when !ok()).
  Error error() const;

 private:
  bool need(std::size_t n, const char* what) {
    if (m_bytes.size() - m_pos >= n && ok()) return true;
    if (ok())
      fail(std::string("truncated: ") + what + " needs " + std::to_string(n) + " bytes, " +
           std::to_string(remaining()) + " left");
    return false;
  }
  std::uint64_t little(std::size_t n, const char* what) {
    if (!need(n, what)) return 0;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t{m_bytes[m_pos + i]} << (8 * i);
    m_pos += n;
    return v;
  }

  std::span<const std::uint8_t> m_bytes;
  std::size_t m_base = 0;
  std::size_t m_pos = 0;
  int m_depth = 0;
  std::size_t m_budget;  ///< decoded bytes still allowed (charge())
  std::size_t m_errorOffset = 0;
  std::string m_error;
};

/// Appends little-endian values to a byte vector it does not own.
class Writer {
 public:
  explicit Writer(Bytes& out) : m_out(out) {}

  Bytes& bytes() { return m_out; }
  std::size_t size() const { return m_out.size(); }

  void u8(std::uint8_t v) { m_out.push_back(v); }
  void boolean(bool v) { u8(v ? 1 : 0); }
  void i8(std::int8_t v) { u8(static_cast<std::uint8_t>(v)); }
  void u16(std::uint16_t v) { little(v, 2); }
  void i16(std::int16_t v) { u16(static_cast<std::uint16_t>(v)); }
  void u32(std::uint32_t v) { little(v, 4); }
  void i32(std::int32_t v) { u32(static_cast<std::uint32_t>(v)); }
  void u64(std::uint64_t v) { little(v, 8); }
  void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
  void f32(float v) {
    std::uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    u32(bits);
  }
  void f64(double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    u64(bits);
  }
  void raw(std::span<const std::uint8_t> b) { m_out.insert(m_out.end(), b.begin(), b.end()); }
  /// Overwrites four bytes at `at` (a size written after what it measures).
  void patchU32(std::size_t at, std::uint32_t v) {
    for (std::size_t i = 0; i < 4; ++i) m_out[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
  }

 private:
  void little(std::uint64_t v, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) m_out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }

  Bytes& m_out;
};

}  // namespace spindle::opcua
