#pragma once
/// Test support: records the lines every logger writes while it lives (beside stderr).

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <spdlog/sinks/base_sink.h>

#include "base/log_sinks.hpp"

namespace spindle::testing {

class LogCapture {
 public:
  LogCapture() : m_sink(std::make_shared<Sink>()) { addLogSink(m_sink); }
  ~LogCapture() { removeLogSink(m_sink); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  /// The messages written by the logger named `logger` so far.
  std::vector<std::string> lines(const std::string& logger) const {
    std::lock_guard lock(m_sink->linesMutex);
    std::vector<std::string> out;
    for (const auto& [name, text] : m_sink->lines) {
      if (name == logger) out.push_back(text);
    }
    return out;
  }

 private:
  struct Sink final : spdlog::sinks::base_sink<std::mutex> {
    void sink_it_(const spdlog::details::log_msg& msg) override {
      std::lock_guard lock(linesMutex);
      lines.emplace_back(std::string(msg.logger_name.data(), msg.logger_name.size()),
                         std::string(msg.payload.data(), msg.payload.size()));
    }
    void flush_() override {}
    mutable std::mutex linesMutex;
    std::vector<std::pair<std::string, std::string>> lines;
  };
  std::shared_ptr<Sink> m_sink;
};

}  // namespace spindle::testing
