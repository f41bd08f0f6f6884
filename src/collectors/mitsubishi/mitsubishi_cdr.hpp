#pragma once
/// CDR reads and writes for the Mitsubishi codec (internal to the folder): integers in either
/// byte order, alignment counted from the start of the GIOP message, every read checked.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace spindle::collectors::mitsubishi {

inline std::uint32_t load32(std::span<const std::uint8_t> b, std::size_t at, bool le) {
  return le ? (std::uint32_t{b[at]} | std::uint32_t{b[at + 1]} << 8 |
               std::uint32_t{b[at + 2]} << 16 | std::uint32_t{b[at + 3]} << 24)
            : (std::uint32_t{b[at]} << 24 | std::uint32_t{b[at + 1]} << 16 |
               std::uint32_t{b[at + 2]} << 8 | std::uint32_t{b[at + 3]});
}

inline std::uint16_t load16(std::span<const std::uint8_t> b, std::size_t at, bool le) {
  return static_cast<std::uint16_t>(le ? (b[at] | b[at + 1] << 8) : (b[at] << 8 | b[at + 1]));
}

inline std::uint64_t load64(std::span<const std::uint8_t> b, std::size_t at, bool le) {
  const std::uint64_t first = load32(b, at, le);
  const std::uint64_t second = load32(b, at + 4, le);
  return le ? (first | second << 32) : (first << 32 | second);
}

/// The text of a fixed, NUL-padded field of at most `max` bytes.
inline std::string fixedText(std::span<const std::uint8_t> field, std::size_t max) {
  const std::size_t n = std::min(field.size(), max);
  std::size_t len = 0;
  while (len < n && field[len] != 0) ++len;
  return std::string(field.begin(), field.begin() + static_cast<std::ptrdiff_t>(len));
}

inline void putText(std::vector<std::uint8_t>& out, const std::string& text, std::size_t size) {
  const std::size_t n = std::min(text.size(), size - 1);
  out.insert(out.end(), text.begin(), text.begin() + static_cast<std::ptrdiff_t>(n));
  out.insert(out.end(), size - n, 0);
}

/// Reads `bytes` that start at offset `origin` of their message.
class CdrReader {
 public:
  CdrReader(std::span<const std::uint8_t> bytes, std::size_t origin, bool le)
      : m_bytes(bytes), m_origin(origin), m_le(le) {}

  std::size_t at() const { return m_at; }
  std::size_t left() const { return m_bytes.size() - m_at; }
  std::span<const std::uint8_t> rest() const { return m_bytes.subspan(m_at); }

  Status align(std::size_t n) {
    const std::size_t pad = (n - (m_origin + m_at) % n) % n;
    if (pad > left()) return short_("alignment padding");
    m_at += pad;
    return okStatus();
  }
  Result<std::uint32_t> u32(const char* what) {
    if (auto a = align(4); !a) return std::move(a).error();
    if (left() < 4) return short_(what);
    const auto v = load32(m_bytes, m_at, m_le);
    m_at += 4;
    return v;
  }
  Result<std::uint8_t> u8(const char* what) {
    if (left() < 1) return short_(what);
    return m_bytes[m_at++];
  }
  /// A sequence<octet>: u32 length, then that many bytes.
  Result<std::vector<std::uint8_t>> octets(const char* what) {
    auto n = u32(what);
    if (!n) return std::move(n).error();
    if (*n > left()) return tooLong(what, *n);
    std::vector<std::uint8_t> out(m_bytes.begin() + static_cast<std::ptrdiff_t>(m_at),
                                  m_bytes.begin() + static_cast<std::ptrdiff_t>(m_at + *n));
    m_at += *n;
    return out;
  }
  /// A CDR string: u32 length including the NUL, the characters; text up to the first NUL.
  Result<std::string> string(const char* what) {
    auto raw = octets(what);
    if (!raw) return std::move(raw).error();
    std::string s(raw->begin(), raw->end());
    s.resize(std::strlen(s.c_str()));
    return s;
  }

 private:
  Error short_(const char* what) const {
    return Error(ErrorCode::kProtocol, std::string("message ends before its ") + what + " (" +
                                           std::to_string(left()) + " bytes left)");
  }
  Error tooLong(const char* what, std::uint32_t n) const {
    return Error(ErrorCode::kProtocol, std::string(what) + " length " + std::to_string(n) +
                                           " passes the " + std::to_string(left()) + " bytes left");
  }
  std::span<const std::uint8_t> m_bytes;
  std::size_t m_origin;
  bool m_le;
  std::size_t m_at = 0;
};

/// Appends to a message whose first byte is out[0] (alignment from there).
class CdrWriter {
 public:
  CdrWriter(std::vector<std::uint8_t>& out, bool le, std::size_t origin = 0)
      : m_out(out), m_le(le), m_origin(origin) {}

  void align(std::size_t n) {
    while ((m_origin + m_out.size()) % n != 0) m_out.push_back(0);
  }
  void u32(std::uint32_t v) {
    align(4);
    raw32(v);
  }
  void raw32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) {
      const int shift = m_le ? 8 * i : 8 * (3 - i);
      m_out.push_back(static_cast<std::uint8_t>(v >> shift));
    }
  }
  void raw16(std::uint16_t v) {
    m_out.push_back(static_cast<std::uint8_t>(m_le ? v : v >> 8));
    m_out.push_back(static_cast<std::uint8_t>(m_le ? v >> 8 : v));
  }
  void raw64(std::uint64_t v) {
    raw32(static_cast<std::uint32_t>(m_le ? v : v >> 32));
    raw32(static_cast<std::uint32_t>(m_le ? v >> 32 : v));
  }
  void octets(std::span<const std::uint8_t> b) {
    u32(static_cast<std::uint32_t>(b.size()));
    m_out.insert(m_out.end(), b.begin(), b.end());
  }
  void string(const std::string& s) {
    u32(static_cast<std::uint32_t>(s.size() + 1));
    m_out.insert(m_out.end(), s.begin(), s.end());
    m_out.push_back(0);
  }

 private:
  std::vector<std::uint8_t>& m_out;
  bool m_le;
  std::size_t m_origin;
};

}  // namespace spindle::collectors::mitsubishi
