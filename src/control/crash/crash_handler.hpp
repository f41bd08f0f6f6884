#pragma once
/// The crash handler: when the process dies of SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL or
/// std::terminate, it writes one small report file (control/crash/crash_report.hpp describes
/// the format) into a directory, then lets the process die of the same signal, so systemd
/// restarts it and core dumps still work. The next start reads the reports
/// (control/crash/crash_reports.hpp) and sends them.
///
/// Async-signal safety: everything the handler needs is prepared by installCrashHandler() into
/// static storage; in the signal path it only calls write(2)-family functions, clock_gettime,
/// open/read of /proc/self/task/<tid>/comm, and glibc backtrace(). backtrace() is not
/// documented as async-signal-safe: its only unsafe step is loading libgcc_s on first use,
/// which installCrashHandler() forces, so it is safe in practice (a heap corrupted badly
/// enough can still make the unwinder fail; the report then has fewer frames).

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace spindle::control::crash {

/// What the handler writes into every report beside the crash itself.
struct CrashContext {
  /// Where reports go (`<data_dir>/crash`, see crashDirectory()); created (0700) if missing.
  /// The directory is opened at install: renaming it later keeps reports going to it.
  std::string directory;
  std::string version;     ///< the running build's version (update::buildVersion())
  std::string configHash;  ///< of the configuration that runs; setCrashConfigHash() updates it
};

/// `<dataDir>/crash`: the directory the edge keeps its reports in.
std::string crashDirectory(const std::string& dataDir);

/// Installs the handlers for SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL and std::terminate, and
/// an alternate signal stack for the calling thread (so a stack overflow still reports).
/// Call once, early, from the main thread; a second call replaces the context. Fails (and
/// installs nothing) when the directory cannot be created or opened. Version, build id and
/// hash longer than the static buffers are cut (128 bytes each).
Status installCrashHandler(const CrashContext& context);

/// Gives the calling thread its own alternate signal stack (threads do not inherit one), so a
/// stack overflow on that thread still writes a report. Optional for each thread; the
/// memory (64 KiB) is kept until the process exits.
Status prepareThreadForCrashReports();

/// Updates the configuration hash later reports carry (after a configuration reload).
/// Any thread; a crash during the update reports the old or the new hash, never a mix.
void setCrashConfigHash(std::string_view hash);

/// The GNU build id (hex) of the running executable, read from its NT_GNU_BUILD_ID note in
/// memory; "" when it has none.
std::string runningBuildId();

/// The address the running executable is loaded at (its load bias; 0 for a non-PIE build).
/// Reports store addresses inside the executable relative to it.
std::uintptr_t runningLoadBase();

}  // namespace spindle::control::crash
