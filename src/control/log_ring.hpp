#pragma once
/// LogRing: an spdlog sink that keeps the last N formatted log lines in memory, for the `logs`
/// diagnostic. Bounded: the oldest line goes when a new one arrives at capacity.

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include <spdlog/sinks/base_sink.h>

namespace spindle::control {

/// Thread safety: spdlog calls sink_it_ under the sink's mutex; lines() takes the same mutex.
class LogRing final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  /// Keeps at most `capacity` lines, each cut at `maxLineBytes`.
  explicit LogRing(std::size_t capacity = 1000, std::size_t maxLineBytes = 2048);

  /// The last `n` lines (fewer if fewer were logged), oldest first, without newlines.
  std::vector<std::string> lines(std::size_t n);
  std::size_t capacity() const { return m_capacity; }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  std::size_t m_capacity;
  std::size_t m_maxLineBytes;
  std::deque<std::string> m_lines;
};

}  // namespace spindle::control
