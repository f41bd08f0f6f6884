#include "base/log.hpp"

#include <mutex>

#include <nlohmann/json.hpp>
#include <spdlog/formatter.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "base/log_sinks.hpp"
#include "base/time.hpp"

namespace spindle {
namespace {

/// One JSON object per line: time, level, logger, msg. Messages are escaped properly, which
/// a pattern string cannot do.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    nlohmann::json line;
    const auto ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(msg.time.time_since_epoch());
    line["time"] = formatTimestamp(ns.count());
    line["level"] = std::string(spdlog::level::to_string_view(msg.level).data(),
                                spdlog::level::to_string_view(msg.level).size());
    line["logger"] = std::string(msg.logger_name.data(), msg.logger_name.size());
    line["msg"] = std::string(msg.payload.data(), msg.payload.size());
    const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

std::mutex g_mutex;
// stderr, plus what addLogSink adds; a dist_sink so sinks can come and go while logging.
std::shared_ptr<spdlog::sinks::dist_sink_mt> g_sink;
LogFormat g_format = LogFormat::kText;
spdlog::level::level_enum g_level = spdlog::level::info;

void applyFormat(const spdlog::sink_ptr& sink) {
  if (g_format == LogFormat::kJson) {
    sink->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    sink->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%n] %v");
  }
}

spdlog::sink_ptr sinkLocked() {
  if (!g_sink) {
    g_sink = std::make_shared<spdlog::sinks::dist_sink_mt>();
    g_sink->add_sink(std::make_shared<spdlog::sinks::stderr_sink_mt>());
    applyFormat(g_sink);
  }
  return g_sink;
}

}  // namespace

void setupLogging(LogFormat format, spdlog::level::level_enum level) {
  std::lock_guard lock(g_mutex);
  g_format = format;
  g_level = level;
  applyFormat(sinkLocked());
  spdlog::apply_all([level](const std::shared_ptr<spdlog::logger>& l) { l->set_level(level); });
}

void addLogSink(spdlog::sink_ptr sink) {
  std::lock_guard lock(g_mutex);
  (void)sinkLocked();
  applyFormat(sink);
  g_sink->add_sink(std::move(sink));
}

void removeLogSink(const spdlog::sink_ptr& sink) {
  std::lock_guard lock(g_mutex);
  if (g_sink) g_sink->remove_sink(sink);
}

std::shared_ptr<spdlog::logger> makeLogger(const std::string& name) {
  std::lock_guard lock(g_mutex);
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = std::make_shared<spdlog::logger>(name, sinkLocked());
  logger->set_level(g_level);
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace spindle
