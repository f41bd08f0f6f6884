#pragma once
/// Time zones for cron and datetime generators: UTC, an IANA name read from the system's
/// zoneinfo files (TZif, as installed by the tzdata package; $TZDIR overrides the folder), or
/// a POSIX TZ rule such as "EST5EDT,M3.2.0,M11.1.0" (needs no files).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace spindle::transform {

class TimeZone {
 public:
  /// UTC.
  TimeZone();

  /// "UTC", "Z", an IANA name ("America/New_York") or a POSIX TZ rule. kNotFound when no such
  /// zone file exists; kInvalidArgument for a malformed file or rule.
  static Result<TimeZone> load(std::string_view name);

  /// Seconds east of UTC in effect at `utcSeconds`.
  std::int32_t offsetAt(std::int64_t utcSeconds) const;

  /// The UTC instant of a local wall-clock time (seconds since 1970-01-01T00:00 local). When
  /// the time occurs twice (clocks turned back), the earlier; when it does not exist (clocks
  /// turned forward), it is read with the offset in effect before the change.
  std::int64_t toUtc(std::int64_t localSeconds) const;

  const std::string& name() const { return m_name; }

  /// A POSIX TZ rule, for offsets after the last transition listed in a zone file.
  struct Rule {
    std::int32_t stdOffset = 0;  ///< seconds east of UTC
    std::int32_t dstOffset = 0;
    bool hasDst = false;
    struct Date {
      char kind = 'M';  ///< 'J' (1-365, no Feb 29), 'D' (0-365), 'M' (month.week.day)
      int a = 0, b = 0, c = 0;
      std::int32_t time = 7200;  ///< seconds after local midnight
    } start, end;
  };

 private:
  std::string m_name;
  std::vector<std::int64_t> m_transitions;  ///< UTC seconds, ascending
  std::vector<std::int32_t> m_offsets;      ///< offset from each transition on
  std::int32_t m_initialOffset = 0;         ///< before the first transition
  std::optional<Rule> m_rule;               ///< after the last transition
};

/// Parses a POSIX TZ rule; nullopt when malformed.
std::optional<TimeZone::Rule> parsePosixTz(std::string_view text);

/// Days since 1970-01-01 of a civil date, and back.
std::int64_t daysFromCivil(int year, unsigned month, unsigned day);
void civilFromDays(std::int64_t days, int& year, unsigned& month, unsigned& day);

}  // namespace spindle::transform
