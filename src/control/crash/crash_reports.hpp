#pragma once
/// The crash reports a previous run left behind (control/crash/crash_handler.hpp writes them):
/// listed, bounded, parsed, symbolized and sent in Bugsnag's notifier JSON. A report is
/// deleted only after the endpoint accepted it, so reports survive until sent.
///
/// Threads: one thread calls prune(), load() and sendPending(); pendingCount() only lists
/// the directory and may be called from any thread (the health heartbeat).

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "control/crash/bugsnag_payload.hpp"
#include "control/crash/crash_report.hpp"
#include "control/crash/elf_symbols.hpp"

namespace spindle::control::crash {

/// POSTs `body` with `headers` to the crash endpoint; ok only when the server accepted it
/// (2xx). Supplied by the caller (the edge's HTTP client); may block.
using PostFunction = std::function<Status(const std::string& body, const Headers& headers)>;

struct CrashReportsSettings {
  std::string directory;  ///< crashDirectory(<data_dir>)
  std::string apiKey;     ///< readApiKey(); sendPending() sends nothing while it is ""
  std::string releaseStage = "production";
  std::string version;      ///< of this build (notifier.version)
  std::string notifierUrl;  ///< see PayloadContext
  std::size_t keep = 20;    ///< most report files kept (set-aside ones included)
  /// The executable whose symbols name the frames of a report with the same build id: this
  /// process's by default; a test names the binary that crashed.
  std::string executable = "/proc/self/exe";
};

/// A pending report, parsed and symbolized.
struct PendingReport {
  std::string path;
  CrashReport report;
  std::vector<StackLine> stack;
  std::string symbolNote;  ///< how the stack was symbolized, or why not
};

struct SendSummary {
  std::size_t sent = 0;      ///< accepted and deleted
  std::size_t kept = 0;      ///< the post failed: kept for the next try
  std::size_t setAside = 0;  ///< could not be parsed: renamed to *.bad
};

class CrashReports {
 public:
  explicit CrashReports(CrashReportsSettings settings);

  /// Paths of the reports waiting to be sent, oldest first. A missing directory has none.
  std::vector<std::string> pendingFiles() const;
  std::size_t pendingCount() const { return pendingFiles().size(); }

  /// Keeps the directory bounded: leftover temporary files of an interrupted write are set
  /// aside (*.bad), then the oldest files beyond `keep` are removed. Returns how many were
  /// removed. Call at start, before load().
  std::size_t prune();

  /// Parses and symbolizes every pending report. A torn or garbage file is renamed to
  /// <name>.bad with a warning in the log and left out; this never throws or crashes.
  std::vector<PendingReport> load();

  /// The Bugsnag payload (JSON text) of one report.
  std::string payload(const PendingReport& report) const;

  /// Posts every pending report (load() first); deletes each one `post` accepts and keeps
  /// the others for the next try. Does nothing when there is no API key.
  SendSummary sendPending(const PostFunction& post);

  /// Symbolizes `report` against the configured executable (exposed for tests).
  void symbolize(PendingReport& pending);

 private:
  void setAside(const std::string& path, const std::string& why);

  CrashReportsSettings m_settings;
  std::optional<Result<ElfSymbols>> m_symbols;  ///< loaded on first need
  std::string m_hostname;
  std::string m_osVersion;
};

}  // namespace spindle::control::crash
