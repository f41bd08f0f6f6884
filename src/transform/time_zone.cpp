#include "transform/time_zone.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace spindle::transform {
namespace {

namespace chr = std::chrono;

std::int64_t readBig(const std::string& data, std::size_t pos, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(data[pos + i]);
  if (bytes == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  return static_cast<std::int64_t>(v);
}

// [+-]hh[:mm[:ss]]
bool parseClock(std::string_view& s, std::int32_t& seconds, bool allowSign) {
  int sign = 1;
  if (allowSign && !s.empty() && (s[0] == '+' || s[0] == '-')) {
    sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
  }
  std::int32_t parts[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    if (i > 0) {
      if (s.empty() || s[0] != ':') break;
      s.remove_prefix(1);
    }
    if (s.empty() || s[0] < '0' || s[0] > '9') return false;
    int v = 0;
    int digits = 0;
    while (!s.empty() && s[0] >= '0' && s[0] <= '9' && digits < 3) {
      v = v * 10 + (s[0] - '0');
      s.remove_prefix(1);
      ++digits;
    }
    parts[i] = v;
  }
  if (parts[0] > 167 || parts[1] > 59 || parts[2] > 59) return false;
  seconds = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
  return true;
}

bool parseName(std::string_view& s) {
  if (!s.empty() && s[0] == '<') {
    const auto close = s.find('>');
    if (close == std::string_view::npos || close < 4) return false;
    s.remove_prefix(close + 1);
    return true;
  }
  std::size_t n = 0;
  while (n < s.size() && ((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z'))) ++n;
  if (n < 3) return false;
  s.remove_prefix(n);
  return true;
}

bool parseDate(std::string_view& s, TimeZone::Rule::Date& d) {
  auto number = [&s](int& out) {
    if (s.empty() || s[0] < '0' || s[0] > '9') return false;
    out = 0;
    while (!s.empty() && s[0] >= '0' && s[0] <= '9' && out < 1000) {
      out = out * 10 + (s[0] - '0');
      s.remove_prefix(1);
    }
    return true;
  };
  if (!s.empty() && s[0] == 'M') {
    s.remove_prefix(1);
    d.kind = 'M';
    if (!number(d.a) || s.empty() || s[0] != '.') return false;
    s.remove_prefix(1);
    if (!number(d.b) || s.empty() || s[0] != '.') return false;
    s.remove_prefix(1);
    if (!number(d.c)) return false;
    if (d.a < 1 || d.a > 12 || d.b < 1 || d.b > 5 || d.c > 6) return false;
  } else if (!s.empty() && s[0] == 'J') {
    s.remove_prefix(1);
    d.kind = 'J';
    if (!number(d.a) || d.a < 1 || d.a > 365) return false;
  } else {
    d.kind = 'D';
    if (!number(d.a) || d.a > 365) return false;
  }
  d.time = 7200;
  if (!s.empty() && s[0] == '/') {
    s.remove_prefix(1);
    if (!parseClock(s, d.time, true)) return false;
  }
  return true;
}

bool isLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Local seconds (since the epoch) at which a rule date of `year` happens.
std::int64_t ruleLocalSeconds(const TimeZone::Rule::Date& d, int year) {
  std::int64_t day = 0;
  if (d.kind == 'J') {
    day = daysFromCivil(year, 1, 1) + d.a - 1 + (isLeap(year) && d.a >= 60 ? 1 : 0);
  } else if (d.kind == 'D') {
    day = daysFromCivil(year, 1, 1) + d.a;
  } else {
    const std::int64_t first = daysFromCivil(year, static_cast<unsigned>(d.a), 1);
    const auto firstWeekday =
        static_cast<int>(chr::weekday(chr::sys_days(chr::days(first))).c_encoding());
    int mday = 1 + (d.c - firstWeekday + 7) % 7 + (d.b - 1) * 7;
    const unsigned last = static_cast<unsigned>(
        (chr::year(year) / chr::month(static_cast<unsigned>(d.a)) / chr::last).day());
    while (mday > static_cast<int>(last)) mday -= 7;
    day = first + mday - 1;
  }
  return day * 86400 + d.time;
}

std::int32_t ruleOffset(const TimeZone::Rule& r, std::int64_t utc) {
  if (!r.hasDst) return r.stdOffset;
  int year = 0;
  unsigned m = 0;
  unsigned d = 0;
  std::int64_t days = utc / 86400;
  if (utc % 86400 < 0) --days;
  civilFromDays(days, year, m, d);
  const std::int64_t start = ruleLocalSeconds(r.start, year) - r.stdOffset;
  const std::int64_t end = ruleLocalSeconds(r.end, year) - r.dstOffset;
  const bool dst = start < end ? (utc >= start && utc < end) : (utc < end || utc >= start);
  return dst ? r.dstOffset : r.stdOffset;
}

Result<TimeZone::Rule> ruleOrError(std::string_view text, const std::string& what) {
  auto rule = parsePosixTz(text);
  if (!rule) {
    return Error(ErrorCode::kInvalidArgument,
                 "'" + std::string(text) + "' is not a valid time zone rule")
        .with(what);
  }
  return *rule;
}

}  // namespace

std::int64_t daysFromCivil(int year, unsigned month, unsigned day) {
  const chr::sys_days d = chr::year(year) / chr::month(month) / chr::day(day);
  return d.time_since_epoch().count();
}

void civilFromDays(std::int64_t days, int& year, unsigned& month, unsigned& day) {
  const chr::year_month_day ymd{chr::sys_days(chr::days(days))};
  year = static_cast<int>(ymd.year());
  month = static_cast<unsigned>(ymd.month());
  day = static_cast<unsigned>(ymd.day());
}

std::optional<TimeZone::Rule> parsePosixTz(std::string_view s) {
  TimeZone::Rule r;
  if (!parseName(s)) return std::nullopt;
  std::int32_t west = 0;
  if (!parseClock(s, west, true)) return std::nullopt;
  r.stdOffset = -west;
  if (s.empty()) return r;
  if (!parseName(s)) return std::nullopt;
  r.hasDst = true;
  r.dstOffset = r.stdOffset + 3600;
  if (!s.empty() && s[0] != ',') {
    if (!parseClock(s, west, true)) return std::nullopt;
    r.dstOffset = -west;
  }
  if (s.empty()) {  // no rule given: the US rule, as POSIX systems assume
    r.start = {'M', 3, 2, 0, 7200};
    r.end = {'M', 11, 1, 0, 7200};
    return r;
  }
  if (s[0] != ',') return std::nullopt;
  s.remove_prefix(1);
  if (!parseDate(s, r.start) || s.empty() || s[0] != ',') return std::nullopt;
  s.remove_prefix(1);
  if (!parseDate(s, r.end) || !s.empty()) return std::nullopt;
  return r;
}

TimeZone::TimeZone() : m_name("UTC") {}

Result<TimeZone> TimeZone::load(std::string_view name) {
  TimeZone zone;
  zone.m_name = std::string(name);
  if (name == "UTC" || name == "Z" || name == "Etc/UTC" || name == "GMT") return zone;
  if (auto rule = parsePosixTz(name)) {  // "EST5EDT,M3.2.0,M11.1.0"; names have no offset
    zone.m_rule = *rule;
    return zone;
  }
  if (name.find_first_of("0123456789,<") != std::string_view::npos &&
      name.find_first_of("/_") == std::string_view::npos) {
    return std::move(ruleOrError(name, "reading time zone '" + zone.m_name + "'")).error();
  }
  if (name.empty() || name.find("..") != std::string_view::npos || name.front() == '/') {
    return Error(ErrorCode::kInvalidArgument, "'" + zone.m_name + "' is not a time zone name");
  }
  const char* dir = std::getenv("TZDIR");
  const std::string path =
      std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + zone.m_name;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(ErrorCode::kNotFound, "unknown time zone '" + zone.m_name + "' (no " + path +
                                           "; is the tzdata package installed?)");
  }
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto bad = [&](const char* why) {
    return Error(ErrorCode::kInvalidArgument, path + " is not a valid zone file: " + why);
  };
  if (data.size() < 44 || data.compare(0, 4, "TZif") != 0) return bad("no TZif header");
  std::size_t pos = 0;
  int timeBytes = 4;
  if (data[4] >= '2') {  // skip the 32-bit block, use the 64-bit one
    const auto counts = [&](std::size_t at, int i) {
      return static_cast<std::size_t>(readBig(data, at + 20 + i * 4, 4));
    };
    const std::size_t v1 = 44 + counts(0, 3) * 5 + counts(0, 4) * 6 + counts(0, 5) +
                           counts(0, 2) * 8 + counts(0, 1) + counts(0, 0);
    if (data.size() < v1 + 44 || data.compare(v1, 4, "TZif") != 0) return bad("no 64-bit block");
    pos = v1;
    timeBytes = 8;
  }
  const auto count = [&](int i) {
    return static_cast<std::size_t>(readBig(data, pos + 20 + i * 4, 4));
  };
  const std::size_t isut = count(0), isstd = count(1), leap = count(2), times = count(3),
                    types = count(4), chars = count(5);
  std::size_t p = pos + 44;
  const std::size_t need =
      times * (timeBytes + 1) + types * 6 + chars + leap * (timeBytes + 4) + isstd + isut;
  if (types == 0 || data.size() < p + need) return bad("truncated");
  std::vector<std::int32_t> typeOffsets(types);
  const std::size_t typeBase = p + times * (timeBytes + 1);
  for (std::size_t i = 0; i < types; ++i) {
    typeOffsets[i] = static_cast<std::int32_t>(readBig(data, typeBase + i * 6, 4));
  }
  for (std::size_t i = 0; i < times; ++i) {
    const auto index = static_cast<unsigned char>(data[p + times * timeBytes + i]);
    if (index >= types) return bad("bad type index");
    zone.m_transitions.push_back(readBig(data, p + i * timeBytes, timeBytes));
    zone.m_offsets.push_back(typeOffsets[index]);
  }
  zone.m_initialOffset = typeOffsets[0];
  p += need;
  if (timeBytes == 8 && p < data.size() && data[p] == '\n') {
    const auto end = data.find('\n', p + 1);
    if (end != std::string::npos && end > p + 1) {
      zone.m_rule = parsePosixTz(std::string_view(data).substr(p + 1, end - p - 1));
    }
  }
  return zone;
}

std::int32_t TimeZone::offsetAt(std::int64_t utc) const {
  if (m_transitions.empty()) return m_rule ? ruleOffset(*m_rule, utc) : m_initialOffset;
  if (utc < m_transitions.front()) return m_initialOffset;
  if (utc >= m_transitions.back() && m_rule) return ruleOffset(*m_rule, utc);
  const auto it = std::upper_bound(m_transitions.begin(), m_transitions.end(), utc);
  return m_offsets[static_cast<std::size_t>(it - m_transitions.begin()) - 1];
}

std::int64_t TimeZone::toUtc(std::int64_t local) const {
  const std::int32_t before = offsetAt(local - 86400 - 14 * 3600);
  const std::int32_t after = offsetAt(local + 86400 + 14 * 3600);
  std::int64_t best = 0;
  bool found = false;
  for (std::int32_t o : {before, after, offsetAt(local)}) {
    const std::int64_t u = local - o;
    if (offsetAt(u) == o && (!found || u < best)) {
      best = u;
      found = true;
    }
  }
  return found ? best : local - before;
}

}  // namespace spindle::transform
