#pragma once
/// Timestamps are int64 nanoseconds since the Unix epoch, UTC, everywhere in Spindle.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace spindle {

using TimestampNs = std::int64_t;

/// Wall-clock time now (CLOCK_REALTIME).
TimestampNs wallClockNs();

/// "2022-08-08T13:51:34.716714Z" with microseconds, always with Z.
std::string formatTimestamp(TimestampNs ns);
/// The same text appended to `out` (no allocation beyond out's growth): the hot path of
/// every document and JSON line.
void appendTimestamp(std::string& out, TimestampNs ns);

/// Parses ISO 8601 UTC "YYYY-MM-DDTHH:MM:SS[.fraction][Z]" (fractions up to 9 digits, more
/// are truncated). A missing Z is read as UTC. Years outside kMinTimestampYear to
/// kMaxTimestampYear do not fit nanoseconds since 1970 in 64 bits. Returns nullopt for anything
/// else.
constexpr unsigned kMinTimestampYear = 1678;
constexpr unsigned kMaxTimestampYear = 2261;
std::optional<TimestampNs> parseTimestamp(std::string_view text);

/// Remembers the last date parsed, so a stream of timestamps from one day skips the calendar.
struct TimestampCache {
  char day[10] = {};
  std::int64_t dayStartNs = 0;
  bool valid = false;
};

/// parseTimestamp() with a cache; same results.
std::optional<TimestampNs> parseTimestamp(std::string_view text, TimestampCache& cache);

/// Source of time for the parts that measure it, injectable in tests.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimestampNs now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimestampNs now() const override { return wallClockNs(); }
};

}  // namespace spindle
