#pragma once
/// Bugsnag's notifier JSON (Error Reporting API, payload version 5) for one crash report.
/// Pure: a report and its symbolized stack in, JSON out; no files, no clock.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "control/crash/crash_report.hpp"

namespace spindle::control::crash {

/// One line of the stack as Bugsnag shows it.
struct StackLine {
  std::string method;      ///< "spindle::cli::spindleDebugCrashHere()+0x12", or "0x1a2b3c" raw
  std::string file;        ///< the loaded object: the executable's path or a library's
  bool inProject = false;  ///< in the spindle executable (not libc, not a library)
};

/// What the payload says beside the report.
struct PayloadContext {
  std::string apiKey;
  std::string releaseStage = "production";
  std::string notifierVersion;  ///< the sending build's version
  std::string notifierUrl;      ///< the project's home page (notifier.url; "" until it has one)
  std::string hostname;         ///< "" leaves device.hostname out
  std::string osVersion;        ///< uname release; "" leaves it out
};

using Headers = std::vector<std::pair<std::string, std::string>>;

/// The payload: apiKey, payloadVersion "5", notifier, and one event with the report's
/// exception (errorClass: the signal name, or the exception type for std::terminate),
/// stacktrace, app, device and metaData.spindle. `symbolNote` says how the stack was
/// symbolized (or why it was not) and lands in metaData.spindle.symbols.
nlohmann::json bugsnagPayload(const CrashReport& report, const std::vector<StackLine>& stack,
                              const std::string& symbolNote, const PayloadContext& context);

/// The request headers: Content-Type, Bugsnag-Api-Key, Bugsnag-Payload-Version: 5 and
/// Bugsnag-Sent-At (ISO 8601 of `sentAtNs`, unix nanoseconds).
Headers bugsnagHeaders(const std::string& apiKey, std::int64_t sentAtNs);

/// "segmentation fault (SEGV_MAPERR) at 0x0": a readable message for a signal report.
std::string describeSignal(const CrashReport& report);

}  // namespace spindle::control::crash
