#include "control/crash/bugsnag_payload.hpp"

#include <csignal>
#include <cstdio>

#include "base/time.hpp"

namespace spindle::control::crash {
namespace {

constexpr const char* kNotifierName = "Spindle crash reporter";

const char* codeName(int signal, int code) {
  if (signal == SIGSEGV) {
    if (code == SEGV_MAPERR) return "SEGV_MAPERR";
    if (code == SEGV_ACCERR) return "SEGV_ACCERR";
  } else if (signal == SIGBUS) {
    if (code == BUS_ADRALN) return "BUS_ADRALN";
    if (code == BUS_ADRERR) return "BUS_ADRERR";
    if (code == BUS_OBJERR) return "BUS_OBJERR";
  } else if (signal == SIGFPE) {
    if (code == FPE_INTDIV) return "FPE_INTDIV";
    if (code == FPE_INTOVF) return "FPE_INTOVF";
    if (code == FPE_FLTDIV) return "FPE_FLTDIV";
  } else if (signal == SIGILL) {
    if (code == ILL_ILLOPC) return "ILL_ILLOPC";
    if (code == ILL_PRVOPC) return "ILL_PRVOPC";
  }
  if (code == SI_USER) return "SI_USER";
  if (code == SI_TKILL) return "SI_TKILL";
  return nullptr;
}

const char* meaning(int signal) {
  switch (signal) {
    case SIGSEGV:
      return "segmentation fault";
    case SIGABRT:
      return "aborted";
    case SIGBUS:
      return "bus error";
    case SIGFPE:
      return "arithmetic exception";
    case SIGILL:
      return "illegal instruction";
    default:
      return "fatal signal";
  }
}

std::string hex(std::uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace

std::string describeSignal(const CrashReport& r) {
  std::string text = meaning(r.signal);
  if (r.code) {
    const char* name = codeName(r.signal, *r.code);
    text += name != nullptr ? " (" + std::string(name) + ")"
                            : " (si_code " + std::to_string(*r.code) + ")";
  }
  // A fault address means something for faults, not for abort() or kill.
  if (r.address &&
      (r.signal == SIGSEGV || r.signal == SIGBUS || r.signal == SIGFPE || r.signal == SIGILL)) {
    text += " at " + hex(*r.address);
  }
  return text;
}

nlohmann::json bugsnagPayload(const CrashReport& r, const std::vector<StackLine>& stack,
                              const std::string& symbolNote, const PayloadContext& context) {
  using nlohmann::json;
  json frames = json::array();
  for (const auto& line : stack) {
    frames.push_back({{"method", line.method}, {"file", line.file}, {"inProject", line.inProject}});
  }
  const bool exception = r.terminate && !r.exceptionType.empty();
  json event = {
      {"exceptions", json::array({{{"errorClass", exception ? r.exceptionType : r.signalName},
                                   {"message", exception ? r.exceptionMessage : describeSignal(r)},
                                   {"type", "c"},  // a native report, as Bugsnag's own
                                   {"stacktrace", frames}}})},
      {"severity", "error"},
      {"unhandled", true},
      {"severityReason",
       r.terminate ? json{{"type", "unhandledException"}}
                   : json{{"type", "signal"}, {"attributes", {{"signalType", r.signalName}}}}},
      {"app",
       {{"version", r.version}, {"releaseStage", context.releaseStage}, {"duration", r.uptimeMs}}},
      {"device", {{"osName", "linux"}, {"time", formatTimestamp(r.time * 1'000'000'000LL)}}},
  };
  if (!context.hostname.empty()) event["device"]["hostname"] = context.hostname;
  if (!context.osVersion.empty()) event["device"]["osVersion"] = context.osVersion;
  json spindle = {{"build_id", r.buildId},  {"config_hash", r.configHash},
                  {"signal", r.signalName}, {"signal_number", r.signal},
                  {"thread", r.threadName}, {"thread_id", r.threadId},
                  {"pid", r.pid},           {"uptime_ms", r.uptimeMs},
                  {"symbols", symbolNote}};
  if (r.code) spindle["signal_code"] = *r.code;
  if (r.address) spindle["fault_address"] = hex(*r.address);
  if (r.terminate) {
    spindle["exception_type"] = r.exceptionType;
    spindle["exception_message"] = r.exceptionMessage;
  }
  event["metaData"] = {{"spindle", spindle}};
  return {{"apiKey", context.apiKey},
          {"payloadVersion", "5"},
          {"notifier",
           {{"name", kNotifierName},
            {"version", context.notifierVersion},
            {"url", context.notifierUrl}}},
          {"events", json::array({event})}};
}

Headers bugsnagHeaders(const std::string& apiKey, std::int64_t sentAtNs) {
  return {{"Content-Type", "application/json"},
          {"Bugsnag-Api-Key", apiKey},
          {"Bugsnag-Payload-Version", "5"},
          {"Bugsnag-Sent-At", formatTimestamp(sentAtNs)}};
}

}  // namespace spindle::control::crash
