#pragma once
/// ProcessStats: what the edge's own process and host use, read from /proc and statvfs: CPU
/// (as a share of one core since the previous sample), resident memory, the host's memory,
/// and the disk holding the data directory. Linux only.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace spindle::control {

struct ProcessSample {
  double cpuPercent = 0;       ///< process CPU since the previous sample, 100 = one core
  std::uint64_t rssBytes = 0;  ///< process resident memory
  std::uint64_t threads = 0;
  std::uint64_t memTotalBytes = 0;  ///< host memory
  std::uint64_t memAvailableBytes = 0;
  std::uint64_t diskTotalBytes = 0;  ///< file system of the data directory
  std::uint64_t diskFreeBytes = 0;   ///< available to the process
  double load1 = 0;                  ///< host load average over 1 minute
};

/// Thread safety: one thread at a time (it remembers the previous CPU reading).
class ProcessStats {
 public:
  /// `dataDir` is the directory whose file system is reported.
  explicit ProcessStats(std::string dataDir);

  /// Reads every figure; a figure that cannot be read stays 0.
  ProcessSample sample();

 private:
  std::string m_dataDir;
  std::optional<std::uint64_t> m_lastCpuTicks;
  std::chrono::steady_clock::time_point m_lastAt;
};

/// Parses /proc/self/stat text: utime + stime in clock ticks; nullopt when malformed.
std::optional<std::uint64_t> parseCpuTicks(const std::string& statText);
/// Reads "Key:   123 kB" from /proc/meminfo or /proc/self/status text, in bytes.
std::optional<std::uint64_t> parseKbField(const std::string& text, const std::string& key);

}  // namespace spindle::control
