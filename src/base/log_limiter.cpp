#include "base/log_limiter.hpp"

namespace spindle {

std::string printable(std::string_view text, std::size_t maxBytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  const std::size_t shown = std::min(text.size(), maxBytes);
  out.reserve(shown + 16);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  if (shown < text.size()) {
    out += "...(" + std::to_string(text.size() - shown) + " more bytes)";
  }
  return out;
}

LogLimiter::LogLimiter(int burst, std::chrono::nanoseconds window)
    : m_burst(burst), m_window(window) {}

bool LogLimiter::allow(std::chrono::steady_clock::time_point now, std::uint64_t& suppressedBefore) {
  std::lock_guard lock(m_mutex);
  suppressedBefore = 0;
  if (!m_started || now - m_windowStart >= m_window) {
    suppressedBefore = m_suppressedInWindow;
    m_started = true;
    m_windowStart = now;
    m_inWindow = 0;
    m_suppressedInWindow = 0;
  }
  if (m_inWindow < m_burst) {
    ++m_inWindow;
    return true;
  }
  ++m_suppressedInWindow;
  ++m_suppressedTotal;
  return false;
}

std::uint64_t LogLimiter::suppressedTotal() const {
  std::lock_guard lock(m_mutex);
  return m_suppressedTotal;
}

}  // namespace spindle
