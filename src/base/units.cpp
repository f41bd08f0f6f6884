#include "base/units.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <utility>

namespace spindle {
namespace {

struct Unit {
  std::string_view suffix;
  double factor;
};

// Longest suffixes first so "ms" is not read as "m" + "s".
constexpr std::array<Unit, 7> kDurationUnits{{{"ns", 1.0},
                                              {"us", 1e3},
                                              {"ms", 1e6},
                                              {"s", 1e9},
                                              {"m", 60e9},
                                              {"h", 3600e9},
                                              {"d", 86400e9}}};

constexpr std::array<Unit, 9> kSizeUnits{{{"KiB", 1024.0},
                                          {"MiB", 1024.0 * 1024},
                                          {"GiB", 1024.0 * 1024 * 1024},
                                          {"TiB", 1024.0 * 1024 * 1024 * 1024},
                                          {"KB", 1e3},
                                          {"MB", 1e6},
                                          {"GB", 1e9},
                                          {"TB", 1e12},
                                          {"B", 1.0}}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits "12.5ms" into 12.5 and "ms".
bool splitNumber(std::string_view text, double& number, std::string_view& suffix) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, number);
  if (ec != std::errc() || ptr == text.data()) return false;
  suffix = trim(std::string_view(ptr, static_cast<size_t>(end - ptr)));
  return std::isfinite(number) && number >= 0;
}

}  // namespace

Result<Duration> parseDuration(std::string_view text) {
  text = trim(text);
  double number = 0;
  std::string_view suffix;
  if (!splitNumber(text, number, suffix)) {
    return Error(ErrorCode::kInvalidArgument,
                 "'" + std::string(text) + "' is not a duration (write e.g. 250ms, 5s, 2m, 1h)");
  }
  if (suffix.empty()) {
    return Error(ErrorCode::kInvalidArgument, "'" + std::string(text) +
                                                  "' has no unit (write e.g. " + std::string(text) +
                                                  "s or " + std::string(text) + "ms)");
  }
  for (const auto& unit : kDurationUnits) {
    if (suffix == unit.suffix) {
      // Refused rather than saturated: 2^63 ns is about 292 years.
      const double ns = number * unit.factor;
      if (!(ns < 9.2e18)) {
        return Error(ErrorCode::kInvalidArgument,
                     "'" + std::string(text) + "' is too long (at most about 292 years)");
      }
      return Duration(static_cast<std::int64_t>(std::llround(ns)));
    }
  }
  return Error(ErrorCode::kInvalidArgument, "unknown duration unit '" + std::string(suffix) +
                                                "' (use ns, us, ms, s, m, h or d)");
}

Result<ByteSize> parseByteSize(std::string_view text) {
  text = trim(text);
  double number = 0;
  std::string_view suffix;
  if (!splitNumber(text, number, suffix)) {
    return Error(ErrorCode::kInvalidArgument,
                 "'" + std::string(text) + "' is not a size (write e.g. 512MiB, 2GiB, 64KB)");
  }
  auto bytes = [&](double factor) -> Result<ByteSize> {
    // Refused rather than saturated or wrapped: 2^63 bytes is 8 EiB.
    const double value = number * factor;
    if (!(value < 9.2e18)) {
      return Error(ErrorCode::kInvalidArgument,
                   "'" + std::string(text) + "' is too large (at most 8EiB)");
    }
    return ByteSize{static_cast<std::uint64_t>(std::llround(value))};
  };
  if (suffix.empty()) return bytes(1.0);
  for (const auto& unit : kSizeUnits) {
    if (suffix == unit.suffix) return bytes(unit.factor);
  }
  return Error(ErrorCode::kInvalidArgument, "unknown size unit '" + std::string(suffix) +
                                                "' (use B, KB, MB, GB, KiB, MiB, GiB or TiB)");
}

std::string formatDuration(Duration d) {
  std::int64_t ns = d.count();
  // Jittered delays are not round numbers: show them to the millisecond.
  if (ns > 1'000'000 && ns % 1'000 != 0) ns = (ns + 500'000) / 1'000'000 * 1'000'000;
  constexpr std::array<std::pair<std::int64_t, const char*>, 6> kSteps{{{86400'000'000'000, "d"},
                                                                        {3600'000'000'000, "h"},
                                                                        {60'000'000'000, "m"},
                                                                        {1'000'000'000, "s"},
                                                                        {1'000'000, "ms"},
                                                                        {1'000, "us"}}};
  for (const auto& [factor, suffix] : kSteps) {
    if (ns != 0 && ns % factor == 0) return std::to_string(ns / factor) + suffix;
  }
  return std::to_string(ns) + "ns";
}

std::string formatByteSize(ByteSize size) {
  constexpr std::array<std::pair<std::uint64_t, const char*>, 4> kSteps{
      {{1ULL << 40, "TiB"}, {1ULL << 30, "GiB"}, {1ULL << 20, "MiB"}, {1ULL << 10, "KiB"}}};
  for (const auto& [factor, suffix] : kSteps) {
    if (size.bytes != 0 && size.bytes % factor == 0) {
      return std::to_string(size.bytes / factor) + suffix;
    }
  }
  return std::to_string(size.bytes) + "B";
}

}  // namespace spindle
