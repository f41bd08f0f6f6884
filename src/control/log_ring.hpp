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
  /// The lines logged after the first `seen` lines ever logged (at most the capacity: older
  /// ones are gone), oldest first; `total` becomes the number of lines ever logged, the `seen`
  /// of the next call. For following the log live.
  std::vector<std::string> linesAfter(std::uint64_t seen, std::uint64_t& total);
  std::size_t capacity() const { return m_capacity; }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  std::size_t m_capacity;
  std::size_t m_maxLineBytes;
  std::deque<std::string> m_lines;
  std::uint64_t m_total = 0;  ///< lines ever logged
};

}  // namespace spindle::control
