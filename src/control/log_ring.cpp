#include "control/log_ring.hpp"

namespace spindle::control {

LogRing::LogRing(std::size_t capacity, std::size_t maxLineBytes)
    : m_capacity(std::max<std::size_t>(1, capacity)), m_maxLineBytes(maxLineBytes) {
  set_pattern("%Y-%m-%dT%H:%M:%S.%e %-5l [%n] %v");
}

void LogRing::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t formatted;
  formatter_->format(msg, formatted);
  std::string line(formatted.data(), formatted.size());
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (line.size() > m_maxLineBytes) line.resize(m_maxLineBytes);
  if (m_lines.size() == m_capacity) m_lines.pop_front();
  m_lines.push_back(std::move(line));
  ++m_total;
}

std::vector<std::string> LogRing::linesAfter(std::uint64_t seen, std::uint64_t& total) {
  std::lock_guard lock(mutex_);
  total = m_total;
  const auto fresh = static_cast<std::size_t>(
      std::min<std::uint64_t>(m_total > seen ? m_total - seen : 0, m_lines.size()));
  return std::vector<std::string>(m_lines.end() - static_cast<std::ptrdiff_t>(fresh),
                                  m_lines.end());
}

std::vector<std::string> LogRing::lines(std::size_t n) {
  std::lock_guard lock(mutex_);
  n = std::min(n, m_lines.size());
  return std::vector<std::string>(m_lines.end() - static_cast<std::ptrdiff_t>(n), m_lines.end());
}

}  // namespace spindle::control
