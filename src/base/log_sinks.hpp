#pragma once
/// Extra log sinks beside the process's stderr sink (base/log.hpp).

#include <spdlog/common.h>

namespace spindle {

/// Adds a sink beside stderr for every logger, made before or after (e.g. the in-memory ring
/// of recent lines behind the `logs` diagnostic). Thread-safe; the sink gets the same format.
void addLogSink(spdlog::sink_ptr sink);
/// Removes a sink added with addLogSink. Thread-safe.
void removeLogSink(const spdlog::sink_ptr& sink);

}  // namespace spindle
