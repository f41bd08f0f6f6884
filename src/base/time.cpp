#include "base/time.hpp"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <limits>

namespace spindle {
namespace {

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's
// well-known civil-date algorithm, written out from its description).
constexpr std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

[[gnu::always_inline]] inline bool digits(std::string_view s, size_t pos, size_t count,
                                          unsigned& out) {
  if (pos + count > s.size()) return false;
  unsigned v = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    const unsigned c = static_cast<unsigned char>(s[i]) - '0';
    if (c > 9) return false;
    v = v * 10 + c;
  }
  out = v;
  return true;
}

}  // namespace

TimestampNs wallClockNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string formatTimestamp(TimestampNs ns) {
  std::string out;
  out.reserve(32);
  appendTimestamp(out, ns);
  return out;
}

void appendTimestamp(std::string& out, TimestampNs ns) {
  using namespace std::chrono;
  // Observations come in runs within one second: the date and time of the last second a
  // thread wrote are kept, and only the microseconds are written anew.
  struct LastSecond {
    std::int64_t second = std::numeric_limits<std::int64_t>::min();
    char text[19] = {};
  };
  thread_local LastSecond last;
  const std::int64_t second = ns >= 0 ? ns / 1'000'000'000 : -((-ns + 999'999'999) / 1'000'000'000);
  if (second == last.second) {
    char buf[8];
    buf[0] = '.';
    long long micros = (ns - second * 1'000'000'000) / 1000;
    for (int i = 6; i >= 1; --i, micros /= 10) buf[i] = char('0' + micros % 10);
    buf[7] = 'Z';
    out.append(last.text, sizeof last.text);
    out.append(buf, sizeof buf);
    return;
  }
  const sys_time<nanoseconds> tp{nanoseconds(ns)};
  const auto day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss hms{floor<microseconds>(tp - day)};
  const int year = int(ymd.year());
  if (year < 0 || year > 9999) {  // outside what four digits say: the general form
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%06lldZ", year,
                  unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                  int(hms.minutes().count()), int(hms.seconds().count()),
                  static_cast<long long>(hms.subseconds().count()));
    out += buf;
    return;
  }
  // "YYYY-MM-DDThh:mm:ss.uuuuuuZ", digits written directly (printf was a tenth of the CPU of
  // a busy edge).
  char buf[27];
  auto digits = [&buf](int at, long long value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10) buf[at + i] = char('0' + value % 10);
  };
  digits(0, year, 4);
  buf[4] = '-';
  digits(5, unsigned(ymd.month()), 2);
  buf[7] = '-';
  digits(8, unsigned(ymd.day()), 2);
  buf[10] = 'T';
  digits(11, hms.hours().count(), 2);
  buf[13] = ':';
  digits(14, hms.minutes().count(), 2);
  buf[16] = ':';
  digits(17, hms.seconds().count(), 2);
  buf[19] = '.';
  digits(20, hms.subseconds().count(), 6);
  buf[26] = 'Z';
  out.append(buf, sizeof buf);
  last.second = second;
  std::memcpy(last.text, buf, sizeof last.text);
}

std::optional<TimestampNs> parseTimestamp(std::string_view s) {
  TimestampCache cache;
  return parseTimestamp(s, cache);
}

std::optional<TimestampNs> parseTimestamp(std::string_view s, TimestampCache& cache) {
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
      s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  const bool sameDay = cache.valid && std::memcmp(cache.day, s.data(), 10) == 0;
  if (!sameDay) {
    if (!digits(s, 0, 4, year) || !digits(s, 5, 2, month) || !digits(s, 8, 2, day) || month < 1 ||
        month > 12 || day < 1 || day > 31 || year < kMinTimestampYear || year > kMaxTimestampYear) {
      return std::nullopt;  // beyond the years int64 nanoseconds hold: no overflow (fuzzing)
    }
  }
  if (!digits(s, 11, 2, hour) || !digits(s, 14, 2, minute) || !digits(s, 17, 2, second) ||
      hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::int64_t fraction = 0;
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int scale = 0;
    const size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (scale < 9) {
        fraction = fraction * 10 + (s[pos] - '0');
        ++scale;
      }
      ++pos;
    }
    if (pos == start) return std::nullopt;
    for (; scale < 9; ++scale) fraction *= 10;
  }
  if (pos < s.size() && s[pos] == 'Z') ++pos;
  if (pos != s.size()) return std::nullopt;
  if (!sameDay) {
    std::memcpy(cache.day, s.data(), 10);
    cache.dayStartNs = daysFromCivil(year, month, day) * 86400 * 1'000'000'000;
    cache.valid = true;
  }
  const std::int64_t secs = std::int64_t{hour} * 3600 + minute * 60 + second;
  return cache.dayStartNs + secs * 1'000'000'000 + fraction;
}

}  // namespace spindle
