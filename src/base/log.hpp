#pragma once
/// Logging: one stderr sink for the process, text or JSON lines, loggers named by kind and
/// instance ("collector.shdr.mill-1").

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace spindle {

enum class LogFormat { kText, kJson };

/// Configures the process-wide sink. Called once by the CLI before anything logs; later calls
/// replace the format and level of every logger made so far.
void setupLogging(LogFormat format, spdlog::level::level_enum level);

/// A logger writing to the process sink. Cheap to call; the same name returns the same logger.
std::shared_ptr<spdlog::logger> makeLogger(const std::string& name);

}  // namespace spindle
