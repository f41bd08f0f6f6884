#pragma once
/// Logging what the outside world triggers: escape what it sent, and limit how often it can
/// make us write. An adapter, an agent or an HTTP client must neither forge log lines (raw
/// CR, LF, ESC, NUL) nor fill the disk with them.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

namespace spindle {

/// `text` with every control byte (below 0x20, and 0x7f) and backslash escaped (\n, \r, \t,
/// \\, \xNN otherwise), cut to `maxBytes` bytes with a note of what was cut. Bytes of 0x80
/// and up pass as they are (UTF-8; the JSON log format replaces invalid sequences).
std::string printable(std::string_view text, std::size_t maxBytes = 256);

/// Lets at most `burst` messages through per `window` and counts the rest; when a new window
/// opens, one line says how many were left out. Thread-safe. One limiter per kind of message
/// (or per source) so that a flood of one kind cannot hide another.
class LogLimiter {
 public:
  explicit LogLimiter(int burst = 20, std::chrono::nanoseconds window = std::chrono::minutes(1));

  /// Whether a message may be written at `now` (steady time). When this call opens a new
  /// window and the last one suppressed messages, `suppressedBefore` gets their count.
  bool allow(std::chrono::steady_clock::time_point now, std::uint64_t& suppressedBefore);

  /// Logs the message at `level` unless the limit is reached (then counts it).
  template <typename... Args>
  void log(spdlog::logger& logger, spdlog::level::level_enum level,
           spdlog::format_string_t<Args...> format, Args&&... args) {
    if (!logger.should_log(level)) return;
    std::uint64_t suppressed = 0;
    const bool allowed = allow(std::chrono::steady_clock::now(), suppressed);
    if (suppressed > 0) {
      logger.log(level, "{} more such messages in the last {} s were not logged", suppressed,
                 std::chrono::duration_cast<std::chrono::seconds>(m_window).count());
    }
    if (allowed) logger.log(level, format, std::forward<Args>(args)...);
  }

  /// Messages left out since the start.
  std::uint64_t suppressedTotal() const;

 private:
  int m_burst;
  std::chrono::nanoseconds m_window;
  mutable std::mutex m_mutex;
  std::chrono::steady_clock::time_point m_windowStart{};
  bool m_started = false;
  int m_inWindow = 0;
  std::uint64_t m_suppressedInWindow = 0;
  std::uint64_t m_suppressedTotal = 0;
};

}  // namespace spindle
