#include "transform/key_filter.hpp"

namespace spindle::transform {

bool wildcardMatch(std::string_view p, std::string_view t) {
  // Iterative matching with one backtrack point: linear in practice, never exponential.
  std::size_t pi = 0;
  std::size_t ti = 0;
  std::size_t star = std::string_view::npos;
  std::size_t mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == t[ti])) {
      ++pi;
      ++ti;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

Result<KeyPattern> KeyPattern::parse(const std::string& text) {
  KeyPattern p;
  p.m_text = text;
  if (text.size() >= 2 && text.front() == '/' && text.back() == '/') {
    try {
      p.m_regex = std::make_shared<const std::regex>(text.substr(1, text.size() - 2),
                                                     std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return Error(ErrorCode::kInvalidArgument,
                   "'" + text + "' is not a valid regular expression: " + e.what());
    }
  } else if (text.empty()) {
    return Error(ErrorCode::kInvalidArgument, "an empty key pattern matches nothing");
  }
  return p;
}

bool KeyPattern::matches(std::string_view key) const {
  if (m_regex) {
    try {
      return std::regex_match(key.begin(), key.end(), *m_regex);
    } catch (const std::regex_error&) {
      return false;  // too complex for the regex engine: treated as no match
    }
  }
  return wildcardMatch(m_text, key);
}

bool KeyFilter::passes(std::string_view key) const {
  bool allowed = m_allow.empty();
  for (const auto& p : m_allow) {
    if (p.matches(key)) {
      allowed = true;
      break;
    }
  }
  if (!allowed) return false;
  for (const auto& p : m_deny) {
    if (p.matches(key)) return false;
  }
  return true;
}

}  // namespace spindle::transform
