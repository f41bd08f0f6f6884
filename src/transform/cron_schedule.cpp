#include "transform/cron_schedule.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <sstream>

namespace spindle::transform {
namespace {

namespace chr = std::chrono;

constexpr std::array<std::string_view, 12> kMonths = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                      "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<std::string_view, 7> kWeekdays = {"SUN", "MON", "TUE", "WED",
                                                       "THU", "FRI", "SAT"};

struct FieldSpec {
  const char* what;
  int min;
  int max;
  const std::string_view* names;  ///< names[i] stands for min + i
  int nameCount;
};

Error fieldError(const FieldSpec& f, std::string_view element, const std::string& why) {
  return Error(ErrorCode::kInvalidArgument,
               std::string(f.what) + " field '" + std::string(element) + "': " + why);
}

bool parseInt(std::string_view s, const FieldSpec& f, int& out) {
  if (s.empty()) return false;
  for (int i = 0; i < f.nameCount; ++i) {
    if (s.size() == 3) {
      bool same = true;
      for (int k = 0; k < 3; ++k) {
        char c = s[k];
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        same = same && c == f.names[i][k];
      }
      if (same) {
        out = f.min + i;
        return true;
      }
    }
  }
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9' || out > 10000) return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

// One comma-separated element: *, n, a-b, with an optional /step. Sets bits [min..max].
template <std::size_t N>
Status parseElement(std::string_view e, const FieldSpec& f, std::bitset<N>& bits, int offset,
                    int maxValue) {
  int step = 1;
  const auto slash = e.find('/');
  std::string_view range = e.substr(0, slash);
  if (slash != std::string_view::npos) {
    if (!parseInt(e.substr(slash + 1), f, step) || step < 1) {
      return fieldError(f, e, "the step after '/' must be a number above 0");
    }
  }
  int lo = f.min;
  int hi = maxValue;
  if (range != "*") {
    const auto dash = range.find('-', 1);
    if (!parseInt(range.substr(0, dash), f, lo)) return fieldError(f, e, "not a number or name");
    hi = slash != std::string_view::npos && dash == std::string_view::npos ? maxValue : lo;
    if (dash != std::string_view::npos && !parseInt(range.substr(dash + 1), f, hi)) {
      return fieldError(f, e, "not a range");
    }
  }
  if (lo < f.min || hi > maxValue || lo > hi) {
    return fieldError(f, e,
                      "must be within " + std::to_string(f.min) + "-" + std::to_string(f.max));
  }
  for (int v = lo; v <= hi; v += step) bits.set(static_cast<std::size_t>(v - offset));
  return okStatus();
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto at = s.find(sep, start);
    parts.push_back(s.substr(start, at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

unsigned lastDayOf(int year, unsigned month) {
  return static_cast<unsigned>((chr::year(year) / chr::month(month) / chr::last).day());
}

int weekdayOf(int year, unsigned month, unsigned day) {
  return static_cast<int>(
      chr::weekday(chr::sys_days(chr::year(year) / chr::month(month) / chr::day(day)))
          .c_encoding());
}

}  // namespace

Result<CronSchedule> CronSchedule::parse(std::string_view text) {
  std::vector<std::string> fields;
  {
    std::istringstream in{std::string(text)};
    for (std::string f; in >> f;) fields.push_back(f);
  }
  if (fields.size() < 5 || fields.size() > 7) {
    return Error(ErrorCode::kInvalidArgument,
                 "a cron schedule has 5 fields (minute hour day month weekday), 6 with seconds "
                 "first, or 7 with a year last; got " +
                     std::to_string(fields.size()));
  }
  CronSchedule c;
  std::size_t i = 0;
  const FieldSpec second{"second", 0, 59, nullptr, 0};
  const FieldSpec minute{"minute", 0, 59, nullptr, 0};
  const FieldSpec hour{"hour", 0, 23, nullptr, 0};
  const FieldSpec day{"day-of-month", 1, 31, nullptr, 0};
  const FieldSpec month{"month", 1, 12, kMonths.data(), 12};
  const FieldSpec weekday{"day-of-week", 0, 7, kWeekdays.data(), 7};
  const FieldSpec year{"year", 1970, 2199, nullptr, 0};

  auto simple = [&](const std::string& field, const FieldSpec& spec, auto& bits) -> Status {
    for (auto e : split(field, ',')) {
      if (auto s = parseElement(e, spec, bits, 0, spec.max); !s) return s;
    }
    return okStatus();
  };
  if (fields.size() >= 6) {
    if (auto s = simple(fields[i++], second, c.m_seconds); !s) return std::move(s).error();
  } else {
    c.m_seconds.set(0);
  }
  if (auto s = simple(fields[i++], minute, c.m_minutes); !s) return std::move(s).error();
  if (auto s = simple(fields[i++], hour, c.m_hours); !s) return std::move(s).error();

  const std::string& dom = fields[i++];
  c.m_daysRestricted = dom[0] != '*' && dom[0] != '?';
  for (auto e : split(dom, ',')) {
    if (e == "?") {
      c.m_days.set();
    } else if (e == "L") {
      c.m_lastDay = true;
    } else if (e == "LW") {
      c.m_lastWeekday = true;
    } else if (e.size() > 2 && e.substr(0, 2) == "L-") {
      int n = 0;
      if (!parseInt(e.substr(2), day, n) || n > 30) return fieldError(day, e, "L-n needs n 0-30");
      c.m_lastDayMinus.push_back(n);
    } else if (e.size() > 1 && e.back() == 'W') {
      int n = 0;
      if (!parseInt(e.substr(0, e.size() - 1), day, n) || n < 1 || n > 31) {
        return fieldError(day, e, "nW needs a day 1-31");
      }
      c.m_nearestWeekday.push_back(n);
    } else if (auto s = parseElement(e, day, c.m_days, 0, 31); !s) {
      return std::move(s).error();
    }
  }
  if (auto s = simple(fields[i++], month, c.m_months); !s) return std::move(s).error();

  const std::string& dow = fields[i++];
  c.m_weekdaysRestricted = dow[0] != '*' && dow[0] != '?';
  std::bitset<8> weekdays;
  for (auto e : split(dow, ',')) {
    if (e == "?") {
      weekdays.set();
    } else if (e.size() > 1 && e.back() == 'L') {
      int n = 0;
      if (!parseInt(e.substr(0, e.size() - 1), weekday, n) || n > 7) {
        return fieldError(weekday, e, "nL needs a weekday 0-7");
      }
      c.m_lastOfMonth.push_back(n % 7);
    } else if (const auto hash = e.find('#'); hash != std::string_view::npos) {
      int n = 0;
      int k = 0;
      if (!parseInt(e.substr(0, hash), weekday, n) || n > 7 ||
          !parseInt(e.substr(hash + 1), day, k) || k < 1 || k > 5) {
        return fieldError(weekday, e, "n#k needs a weekday 0-7 and k 1-5");
      }
      c.m_nthOfMonth.emplace_back(n % 7, k);
    } else if (auto s = parseElement(e, weekday, weekdays, 0, 7); !s) {
      return std::move(s).error();
    }
  }
  for (int d = 0; d < 7; ++d) c.m_weekdays[d] = weekdays[d] || (d == 0 && weekdays[7]);

  if (i < fields.size()) {
    c.m_anyYear = fields[i] == "*" || fields[i] == "?";
    if (!c.m_anyYear) {
      for (auto e : split(fields[i], ',')) {
        if (auto s = parseElement(e, year, c.m_years, 1970, 2199); !s) {
          return std::move(s).error();
        }
      }
    }
  }
  return c;
}

bool CronSchedule::matchesDay(int y, unsigned m, unsigned d) const {
  if (!m_months[m]) return false;
  if (!m_anyYear && (y < 1970 || y > 2199 || !m_years[static_cast<std::size_t>(y - 1970)])) {
    return false;
  }
  const unsigned last = lastDayOf(y, m);
  const int wd = weekdayOf(y, m, d);
  bool dom = m_days[d] || (m_lastDay && d == last);
  for (int n : m_lastDayMinus) dom = dom || static_cast<int>(d) == static_cast<int>(last) - n;
  auto nearest = [&](int target) {  // the weekday nearest to `target`, within the month
    if (target > static_cast<int>(last)) return -1;
    const int w = weekdayOf(y, m, static_cast<unsigned>(target));
    if (w == 6) return target == 1 ? 3 : target - 1;
    if (w == 0) return target == static_cast<int>(last) ? target - 2 : target + 1;
    return target;
  };
  for (int n : m_nearestWeekday) dom = dom || nearest(n) == static_cast<int>(d);
  if (m_lastWeekday) dom = dom || nearest(static_cast<int>(last)) == static_cast<int>(d);

  bool dowMatch = m_weekdays[static_cast<std::size_t>(wd)];
  for (int n : m_lastOfMonth) dowMatch = dowMatch || (wd == n && d + 7 > last);
  for (auto [n, k] : m_nthOfMonth) {
    dowMatch = dowMatch || (wd == n && static_cast<int>((d - 1) / 7 + 1) == k);
  }
  const bool domSpecial =
      m_lastDay || m_lastWeekday || !m_lastDayMinus.empty() || !m_nearestWeekday.empty();
  const bool dowSpecial = !m_lastOfMonth.empty() || !m_nthOfMonth.empty();
  const bool domRestricted = m_daysRestricted || domSpecial;
  const bool dowRestricted = m_weekdaysRestricted || dowSpecial;
  if (domRestricted && dowRestricted) return dom || dowMatch;
  if (domRestricted) return dom;
  if (dowRestricted) return dowMatch;
  return true;
}

std::optional<std::int64_t> CronSchedule::next(std::int64_t afterUtc, const TimeZone& zone) const {
  const std::int64_t start = afterUtc + zone.offsetAt(afterUtc) + 1;  // local seconds
  std::int64_t day = start / 86400;
  if (start % 86400 < 0) --day;
  std::int64_t from = start - day * 86400;  // seconds into the first day
  for (int n = 0; n <= 366 * 5 + 1; ++n, ++day, from = 0) {
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    civilFromDays(day, y, m, d);
    if (!m_anyYear && (y < 1970 || y > 2199 || !m_years[static_cast<std::size_t>(y - 1970)])) {
      int later = std::max(y + 1, 1970);  // jump to January 1st of the next allowed year
      while (later <= 2199 && !m_years[static_cast<std::size_t>(later - 1970)]) ++later;
      if (later > 2199) return std::nullopt;
      day = daysFromCivil(later, 1, 1) - 1;
      continue;
    }
    if (!matchesDay(y, m, d)) continue;
    for (int h = static_cast<int>(from / 3600); h < 24; ++h) {
      if (!m_hours[h]) continue;
      for (int mi = 0; mi < 60; ++mi) {
        if (!m_minutes[mi]) continue;
        for (int s = 0; s < 60; ++s) {
          if (!m_seconds[s]) continue;
          const std::int64_t tod = h * 3600 + mi * 60 + s;
          if (tod < from) continue;
          const std::int64_t utc = zone.toUtc(day * 86400 + tod);
          if (utc > afterUtc) return utc;
        }
      }
    }
  }
  return std::nullopt;
}

}  // namespace spindle::transform
