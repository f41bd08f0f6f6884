#include "control/crash/crash_reports.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include <sys/utsname.h>
#include <unistd.h>

#include "base/log.hpp"
#include "base/time.hpp"

namespace spindle::control::crash {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSetAsideSuffix = ".bad";

bool endsWith(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() &&
         text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

/// Order of crash-<time>-<pid>.report[.bad] and .crash-<time>-<pid>.tmp names: by time, then
/// pid; names that do not follow the pattern sort first (oldest), by name.
std::tuple<long long, long long, std::string> age(const std::string& name) {
  long long time = -1;
  long long pid = -1;
  const std::string stem = name.rfind(".crash-", 0) == 0 ? name.substr(1) : name;
  if (std::sscanf(stem.c_str(), "crash-%lld-%lld", &time, &pid) != 2) time = pid = -1;
  return {time, pid, name};
}

std::vector<std::string> sortedByAge(std::vector<std::string> names) {
  std::sort(names.begin(), names.end(),
            [](const std::string& a, const std::string& b) { return age(a) < age(b); });
  return names;
}

std::vector<std::string> namesIn(const std::string& directory) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) names.push_back(it->path().filename().string());
  }
  return names;
}

std::string hex(std::uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

std::string baseName(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

CrashReports::CrashReports(CrashReportsSettings settings) : m_settings(std::move(settings)) {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) m_hostname = host;
  utsname uts{};
  if (::uname(&uts) == 0) m_osVersion = uts.release;
}

std::vector<std::string> CrashReports::pendingFiles() const {
  std::vector<std::string> reports;
  for (const auto& name : namesIn(m_settings.directory)) {
    if (name.rfind("crash-", 0) == 0 && endsWith(name, kReportSuffix)) reports.push_back(name);
  }
  std::vector<std::string> paths;
  for (const auto& name : sortedByAge(reports)) paths.push_back(m_settings.directory + "/" + name);
  return paths;
}

void CrashReports::setAside(const std::string& path, const std::string& why) {
  std::error_code ec;
  fs::rename(path, path + kSetAsideSuffix, ec);
  makeLogger("control.crash")
      ->warn("crash report {} set aside as {}{}: {}", path, baseName(path), kSetAsideSuffix, why);
}

std::size_t CrashReports::prune() {
  for (const auto& name : namesIn(m_settings.directory)) {
    if (name.rfind(".crash-", 0) == 0 && endsWith(name, ".tmp")) {
      setAside(m_settings.directory + "/" + name, "its writer was interrupted");
    }
  }
  std::vector<std::string> files;
  for (const auto& name : namesIn(m_settings.directory)) {
    const bool report = name.rfind("crash-", 0) == 0 || name.rfind(".crash-", 0) == 0;
    if (report && (endsWith(name, kReportSuffix) || endsWith(name, kSetAsideSuffix))) {
      files.push_back(name);
    }
  }
  files = sortedByAge(files);
  std::size_t removed = 0;
  for (std::size_t i = 0; i + m_settings.keep < files.size(); ++i) {
    std::error_code ec;
    if (fs::remove(m_settings.directory + "/" + files[i], ec)) ++removed;
  }
  if (removed > 0) {
    makeLogger("control.crash")
        ->warn("removed the {} oldest crash reports (crash_reports.keep is {})", removed,
               m_settings.keep);
  }
  return removed;
}

void CrashReports::symbolize(PendingReport& pending) {
  const CrashReport& r = pending.report;
  if (!m_symbols) m_symbols = ElfSymbols::load(m_settings.executable);
  const ElfSymbols* symbols = nullptr;
  if (!m_symbols->ok()) {
    pending.symbolNote = "raw addresses: " + m_symbols->error().describe();
  } else if (r.buildId.empty() || m_symbols->value().buildId() != r.buildId) {
    pending.symbolNote = "raw addresses: the report comes from build " +
                         (r.buildId.empty() ? std::string("(unknown)") : r.buildId) +
                         ", this is build " + m_symbols->value().buildId();
  } else {
    symbols = &m_symbols->value();
    pending.symbolNote = "symbolized from the executable's symbol table (build " + r.buildId + ")";
  }
  pending.stack.clear();
  for (std::size_t i = 0; i < r.frames.size(); ++i) {
    const CrashFrame& f = r.frames[i];
    StackLine line;
    line.inProject = f.module == 0;
    line.file = f.module >= 0 ? r.modules[static_cast<std::size_t>(f.module)] : "";
    line.method = hex(f.address);
    if (symbols != nullptr && f.module == 0) {
      // Frames past the first hold return addresses: the call is the byte before.
      const std::uint64_t lookup = i > 0 && f.address > 0 ? f.address - 1 : f.address;
      if (auto symbol = symbols->find(lookup)) {
        line.method = symbol->name + "+" + hex(f.address - symbol->start);
      }
    }
    pending.stack.push_back(std::move(line));
  }
}

std::vector<PendingReport> CrashReports::load() {
  std::vector<PendingReport> out;
  for (const auto& path : pendingFiles()) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = parseCrashReport(text.str());
    if (!parsed) {
      setAside(path, parsed.error().describe());
      continue;
    }
    PendingReport pending;
    pending.path = path;
    pending.report = std::move(parsed).value();
    symbolize(pending);
    out.push_back(std::move(pending));
  }
  return out;
}

std::string CrashReports::payload(const PendingReport& report) const {
  PayloadContext context;
  context.apiKey = m_settings.apiKey;
  context.releaseStage = m_settings.releaseStage;
  context.notifierVersion = m_settings.version;
  context.notifierUrl = m_settings.notifierUrl;
  context.hostname = m_hostname;
  context.osVersion = m_osVersion;
  return bugsnagPayload(report.report, report.stack, report.symbolNote, context).dump();
}

SendSummary CrashReports::sendPending(const PostFunction& post) {
  SendSummary summary;
  if (m_settings.apiKey.empty()) return summary;
  const std::size_t before = pendingCount();
  const auto reports = load();
  summary.setAside = before > reports.size() ? before - reports.size() : 0;
  auto log = makeLogger("control.crash");
  for (const auto& report : reports) {
    const auto status = post(payload(report), bugsnagHeaders(m_settings.apiKey, wallClockNs()));
    if (status.ok()) {
      std::error_code ec;
      fs::remove(report.path, ec);
      ++summary.sent;
      log->info("sent crash report {} ({})", baseName(report.path), report.report.signalName);
    } else {
      ++summary.kept;
      log->warn("crash report {} not sent, kept for the next try: {}", baseName(report.path),
                status.error().describe());
    }
  }
  return summary;
}

}  // namespace spindle::control::crash
