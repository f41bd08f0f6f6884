#include "update/version.hpp"

#include <charconv>
#include <vector>

#include "update/build_stamp.hpp"

namespace spindle::update {
namespace {

bool allDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Result<long> number(std::string_view part, std::string_view whole) {
  long value = 0;
  if (!allDigits(part) || part.size() > 9 || (part.size() > 1 && part[0] == '0') ||
      std::from_chars(part.data(), part.data() + part.size(), value).ec != std::errc()) {
    return Error(ErrorCode::kInvalidArgument,
                 "'" + std::string(whole) + "' is not a version (MAJOR.MINOR.PATCH[-pre])");
  }
  return value;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

// Pre-release identifiers: numbers before words, numbers by value, words by ASCII, and a
// shorter list first when all its identifiers are equal (SemVer 2.0.0, rule 11).
std::strong_ordering comparePre(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return a.empty() <=> b.empty();  // a release is greater
  const auto x = split(a, '.');
  const auto y = split(b, '.');
  for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
    const bool xn = allDigits(x[i]), yn = allDigits(y[i]);
    if (xn && yn) {
      if (x[i].size() != y[i].size()) return x[i].size() <=> y[i].size();
    } else if (xn != yn) {
      return xn ? std::strong_ordering::less : std::strong_ordering::greater;
    }
    if (const int c = x[i].compare(y[i]); c != 0) return c <=> 0;
  }
  return x.size() <=> y.size();
}

}  // namespace

std::string Version::text() const {
  std::string out =
      std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  if (!pre.empty()) out += "-" + pre;
  return out;
}

Result<Version> Version::parse(std::string_view text) {
  const auto dash = text.find('-');
  const std::string_view core = text.substr(0, dash);
  const auto parts = split(core, '.');
  const Error bad(ErrorCode::kInvalidArgument,
                  "'" + std::string(text) + "' is not a version (MAJOR.MINOR.PATCH[-pre])");
  if (parts.size() != 3) return bad;
  Version v;
  long* fields[] = {&v.major, &v.minor, &v.patch};
  for (int i = 0; i < 3; ++i) {
    auto n = number(parts[static_cast<std::size_t>(i)], text);
    if (!n) return std::move(n).error();
    *fields[i] = *n;
  }
  if (dash != std::string_view::npos) {
    v.pre = std::string(text.substr(dash + 1));
    if (v.pre.empty() || v.pre.size() > 40) return bad;
    for (const auto id : split(v.pre, '.')) {
      if (id.empty()) return bad;
      for (char c : id) {
        const bool ok =
            (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
        if (!ok) return bad;
      }
    }
  }
  return v;
}

std::strong_ordering operator<=>(const Version& a, const Version& b) {
  if (a.major != b.major) return a.major <=> b.major;
  if (a.minor != b.minor) return a.minor <=> b.minor;
  if (a.patch != b.patch) return a.patch <=> b.patch;
  return comparePre(a.pre, b.pre);
}

Version runningVersion() {
  auto v = Version::parse(buildVersion());
  return v ? *v : Version{};
}

}  // namespace spindle::update
