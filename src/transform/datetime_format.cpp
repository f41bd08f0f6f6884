#include "transform/datetime_format.hpp"

#include <array>
#include <chrono>
#include <cstdio>

namespace spindle::transform {
namespace {

constexpr std::array<const char*, 12> kMonthNames = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<const char*, 7> kDayNames = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                  "Thursday", "Friday", "Saturday"};

void pad(std::string& out, std::int64_t v, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(v));
  out += buf;
}

std::size_t runLength(std::string_view f, std::size_t i) {
  std::size_t n = 1;
  while (i + n < f.size() && f[i + n] == f[i]) ++n;
  return n;
}

}  // namespace

std::string formatDateTime(std::string_view f, TimestampNs time, const TimeZone& zone) {
  std::int64_t seconds = time / 1'000'000'000;
  std::int64_t nanos = time % 1'000'000'000;
  if (nanos < 0) {
    nanos += 1'000'000'000;
    --seconds;
  }
  const std::int32_t offset = zone.offsetAt(seconds);
  const std::int64_t local = seconds + offset;
  std::int64_t days = local / 86400;
  if (local % 86400 < 0) --days;
  const std::int64_t tod = local - days * 86400;
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  civilFromDays(days, year, month, day);
  const int weekday = static_cast<int>(
      std::chrono::weekday(std::chrono::sys_days(std::chrono::days(days))).c_encoding());
  const std::int64_t hour = tod / 3600;
  const std::int64_t minute = tod / 60 % 60;
  const std::int64_t second = tod % 60;

  std::string out;
  for (std::size_t i = 0; i < f.size();) {
    const char c = f[i];
    if (c == '[') {
      const auto close = f.find(']', i);
      if (close == std::string_view::npos) {
        out.append(f.substr(i + 1));
        break;
      }
      out.append(f.substr(i + 1, close - i - 1));
      i = close + 1;
      continue;
    }
    std::size_t n = runLength(f, i);
    switch (c) {
      case 'Y':
        if (n >= 4) {
          pad(out, year, 4), n = 4;
        } else if (n >= 2) {
          pad(out, year % 100, 2), n = 2;
        } else {
          out += 'Y';
        }
        break;
      case 'M':
        if (n >= 4) {
          out += kMonthNames[month - 1], n = 4;
        } else if (n == 3) {
          out.append(kMonthNames[month - 1], 3);
        } else {
          pad(out, month, static_cast<int>(n));
        }
        break;
      case 'D':
        n = std::min<std::size_t>(n, 2);
        pad(out, day, static_cast<int>(n));
        break;
      case 'd':
        if (n >= 4) {
          out += kDayNames[weekday], n = 4;
        } else if (n == 3) {
          out.append(kDayNames[weekday], 3);
        } else {
          pad(out, weekday, 1), n = 1;
        }
        break;
      case 'H':
        n = std::min<std::size_t>(n, 2);
        pad(out, hour, static_cast<int>(n));
        break;
      case 'h':
        n = std::min<std::size_t>(n, 2);
        pad(out, hour % 12 == 0 ? 12 : hour % 12, static_cast<int>(n));
        break;
      case 'A':
      case 'a':
        n = 1;
        out += hour < 12 ? (c == 'A' ? "AM" : "am") : (c == 'A' ? "PM" : "pm");
        break;
      case 'm':
        n = std::min<std::size_t>(n, 2);
        pad(out, minute, static_cast<int>(n));
        break;
      case 's':
        n = std::min<std::size_t>(n, 2);
        pad(out, second, static_cast<int>(n));
        break;
      case 'S':
        n = std::min<std::size_t>(n, 3);
        pad(out,
            nanos / (n == 1   ? 100'000'000
                     : n == 2 ? 10'000'000
                              : 1'000'000),
            static_cast<int>(n));
        break;
      case 'Z': {
        n = std::min<std::size_t>(n, 2);
        const std::int32_t a = offset < 0 ? -offset : offset;
        out += offset < 0 ? '-' : '+';
        pad(out, a / 3600, 2);
        if (n == 1) out += ':';
        pad(out, a / 60 % 60, 2);
        break;
      }
      case 'X':
        n = 1;
        out += std::to_string(seconds);
        break;
      case 'x':
        n = 1;
        out += std::to_string(seconds * 1000 + nanos / 1'000'000);
        break;
      default:
        n = 1;
        out += c;
    }
    i += n;
  }
  return out;
}

}  // namespace spindle::transform
