#pragma once
/// Cron schedules for the `cron` generator. Five fields (minute hour day-of-month month
/// day-of-week), six (a leading second) or seven (a trailing year). Each field takes `*`,
/// numbers, ranges `a-b`, steps `*/n` and `a-b/n`, lists `a,b`; months JAN-DEC and weekdays
/// SUN-SAT by name (0 and 7 are Sunday). Day of month also takes `?`, `L` (last day), `L-n`,
/// `nW` (nearest weekday) and `LW`; day of week `?`, `nL` (last such weekday of the month)
/// and `n#k` (k-th such weekday). When both day fields are restricted, either may match.

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "transform/time_zone.hpp"

namespace spindle::transform {

class CronSchedule {
 public:
  static Result<CronSchedule> parse(std::string_view text);

  /// The first firing strictly after `afterUtc` (seconds since the epoch) in `zone`, or
  /// nullopt when there is none in the next five years (e.g. "0 0 30 2 *").
  std::optional<std::int64_t> next(std::int64_t afterUtc, const TimeZone& zone) const;

  /// True when the schedule fires on this local date (weekday: 0 = Sunday).
  bool matchesDay(int year, unsigned month, unsigned day) const;

 private:
  std::bitset<60> m_seconds;
  std::bitset<60> m_minutes;
  std::bitset<24> m_hours;
  std::bitset<32> m_days;    ///< 1-31
  std::bitset<13> m_months;  ///< 1-12
  std::bitset<7> m_weekdays;
  bool m_anyYear = true;
  std::bitset<230> m_years;  ///< 1970-2199
  bool m_daysRestricted = false;
  bool m_weekdaysRestricted = false;
  // Special day-of-month forms.
  bool m_lastDay = false;
  std::vector<int> m_lastDayMinus;    ///< L-n
  std::vector<int> m_nearestWeekday;  ///< nW
  bool m_lastWeekday = false;         ///< LW
  // Special day-of-week forms.
  std::vector<int> m_lastOfMonth;                 ///< nL: weekday n
  std::vector<std::pair<int, int>> m_nthOfMonth;  ///< n#k: (weekday, k)
};

}  // namespace spindle::transform
