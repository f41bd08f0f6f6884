#pragma once
/// Durations and byte sizes as users write them in configuration: "250ms", "5s", "2GiB".

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace spindle {

using Duration = std::chrono::nanoseconds;

/// A byte count. Parsed from "512", "64KiB", "10MB", "2GiB" (KB=1000, KiB=1024).
struct ByteSize {
  std::uint64_t bytes = 0;
  friend bool operator==(ByteSize, ByteSize) = default;
};

/// Accepts an integer or decimal followed by ns, us, ms, s, m, h or d ("1.5s", "250ms").
/// A bare number is rejected: the unit is never guessed.
Result<Duration> parseDuration(std::string_view text);
Result<ByteSize> parseByteSize(std::string_view text);

/// The shortest exact spelling: 1500ms -> "1500ms", 2000ms -> "2s".
std::string formatDuration(Duration d);
std::string formatByteSize(ByteSize size);

}  // namespace spindle
