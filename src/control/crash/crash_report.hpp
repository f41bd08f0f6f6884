#pragma once
/// A crash report as the handler (control/crash/crash_handler.hpp) writes it: a small text
/// file, one `key value` line each, written with write(2) only in a signal handler.
///
///   spindle-crash 1                      (format and version)
///   kind signal|terminate
///   signal 11 SIGSEGV
///   code 1                               (si_code; signals only)
///   address 0x0                          (si_addr, the fault address; signals only)
///   pid 4242
///   thread 4250 uplink-nats              (thread id and its name at the crash)
///   time 1765000000                      (unix seconds)
///   uptime_ms 93512
///   version 0.9.0
///   build_id 8e9141a5...                 (GNU build id of the executable, hex)
///   config_hash ab12...
///   exception_type std::runtime_error    (terminate only)
///   exception_message what() said        (terminate only)
///   module 0 /usr/bin/spindle            (loaded objects; 0 is the executable)
///   frame 0 0x1a2b3c                     (module index and offset in it; `-` and an
///   frame - 0x7f001234                    absolute address when in no module)
///   end                                  (absent: the file is torn)

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace spindle::control::crash {

inline constexpr const char* kReportMagic = "spindle-crash 1";
inline constexpr const char* kReportSuffix = ".report";

/// "SIGSEGV" for 11; "SIG?" for a signal the handler does not catch. Async-signal-safe.
const char* signalName(int signal);

/// One stack frame: an offset in a loaded object (module >= 0) or an absolute address.
struct CrashFrame {
  int module = -1;  ///< index into CrashReport::modules; -1: `address` is absolute
  std::uint64_t address = 0;
};

struct CrashReport {
  bool terminate = false;  ///< std::terminate (an uncaught exception) rather than a signal
  int signal = 0;
  std::string signalName;
  std::optional<int> code;               ///< si_code
  std::optional<std::uint64_t> address;  ///< si_addr
  long pid = 0;
  long threadId = 0;
  std::string threadName;
  std::int64_t time = 0;  ///< unix seconds
  std::int64_t uptimeMs = 0;
  std::string version;
  std::string buildId;
  std::string configHash;
  std::string exceptionType;
  std::string exceptionMessage;
  std::vector<std::string> modules;  ///< [0] is the executable
  std::vector<CrashFrame> frames;    ///< innermost first
};

/// Parses a report's text. A file without its final `end` line (torn by a second crash or a
/// full disk), without the magic first line, or with a line that does not parse is an error
/// naming the line; unknown keys are skipped (a newer writer may add some).
Result<CrashReport> parseCrashReport(const std::string& text);

}  // namespace spindle::control::crash
