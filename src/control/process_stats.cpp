#include "control/process_stats.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

#include <sys/statvfs.h>
#include <unistd.h>

namespace spindle::control {
namespace {

std::string slurp(const char* path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::optional<std::uint64_t> parseCpuTicks(const std::string& text) {
  // "pid (comm) state ppid ..." : comm may hold spaces and parentheses, so fields are counted
  // after the last ')'. utime and stime are fields 14 and 15 (1-based) of the whole line.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(text.substr(close + 1));
  std::vector<std::string> fields;
  std::string f;
  while (rest >> f && fields.size() < 13) fields.push_back(f);
  if (fields.size() < 13) return std::nullopt;
  std::uint64_t utime = 0, stime = 0;
  const auto& u = fields[11];  // field 14 overall: fields[0] is field 3 (state)
  const auto& s = fields[12];
  if (std::from_chars(u.data(), u.data() + u.size(), utime).ec != std::errc() ||
      std::from_chars(s.data(), s.data() + s.size(), stime).ec != std::errc()) {
    return std::nullopt;
  }
  return utime + stime;
}

std::optional<std::uint64_t> parseKbField(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) != 0) continue;
    std::istringstream fields(line.substr(key.size() + 1));
    std::uint64_t value = 0;
    std::string unit;
    if (!(fields >> value)) return std::nullopt;
    fields >> unit;
    return unit == "kB" ? value * 1024 : value;
  }
  return std::nullopt;
}

ProcessStats::ProcessStats(std::string dataDir) : m_dataDir(std::move(dataDir)) {}

ProcessSample ProcessStats::sample() {
  ProcessSample out;
  const auto now = std::chrono::steady_clock::now();
  if (const auto ticks = parseCpuTicks(slurp("/proc/self/stat"))) {
    if (m_lastCpuTicks) {
      const double seconds = std::chrono::duration<double>(now - m_lastAt).count();
      const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
      if (seconds > 0 && hz > 0) {
        out.cpuPercent = 100.0 * static_cast<double>(*ticks - *m_lastCpuTicks) / hz / seconds;
      }
    }
    m_lastCpuTicks = ticks;
    m_lastAt = now;
  }
  const std::string status = slurp("/proc/self/status");
  out.rssBytes = parseKbField(status, "VmRSS").value_or(0);
  out.threads = parseKbField(status, "Threads").value_or(0);
  const std::string meminfo = slurp("/proc/meminfo");
  out.memTotalBytes = parseKbField(meminfo, "MemTotal").value_or(0);
  out.memAvailableBytes = parseKbField(meminfo, "MemAvailable").value_or(0);
  struct statvfs vfs {};
  if (::statvfs(m_dataDir.c_str(), &vfs) == 0) {
    out.diskTotalBytes = static_cast<std::uint64_t>(vfs.f_blocks) * vfs.f_frsize;
    out.diskFreeBytes = static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  }
  double loads[1] = {0};
  if (::getloadavg(loads, 1) == 1) out.load1 = loads[0];
  return out;
}

}  // namespace spindle::control
