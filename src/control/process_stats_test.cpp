#include "control/process_stats.hpp"

#include <ctime>
#include <filesystem>

#include <gtest/gtest.h>

namespace spindle::control {
namespace {

TEST(ControlProcessStats, ParsesProcFiles) {
  const std::string stat =
      "4242 (spindle (edge) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 9 0 100 "
      "123456 789 18446744073709551615";
  EXPECT_EQ(parseCpuTicks(stat), std::optional<std::uint64_t>(325));
  EXPECT_EQ(parseCpuTicks("garbage"), std::nullopt);
  EXPECT_EQ(parseCpuTicks("1 (x) S 1 2"), std::nullopt);
  const std::string meminfo = "MemTotal:       24576000 kB\nMemAvailable:   20000000 kB\n";
  EXPECT_EQ(parseKbField(meminfo, "MemAvailable"),
            std::optional<std::uint64_t>(20000000ULL * 1024));
  EXPECT_EQ(parseKbField("Threads:\t9\n", "Threads"), std::optional<std::uint64_t>(9));
  EXPECT_EQ(parseKbField(meminfo, "Missing"), std::nullopt);
}

TEST(ControlProcessStats, SamplesThisProcess) {
  ProcessStats stats(std::filesystem::temp_directory_path().string());
  stats.sample();
  // Burn 50 ms of CPU (5 clock ticks at the usual 100 Hz).
  volatile double sink = 0;
  const std::clock_t start = std::clock();
  while (std::clock() - start < CLOCKS_PER_SEC / 20) sink = sink + 0.5;
  const ProcessSample s = stats.sample();
  EXPECT_GT(s.rssBytes, 1u << 20);
  EXPECT_GT(s.threads, 0u);
  EXPECT_GT(s.memTotalBytes, s.rssBytes);
  EXPECT_GT(s.diskTotalBytes, 0u);
  EXPECT_LE(s.diskFreeBytes, s.diskTotalBytes);
  EXPECT_GT(s.cpuPercent, 0.0);
}

}  // namespace
}  // namespace spindle::control
