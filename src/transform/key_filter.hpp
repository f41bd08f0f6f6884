#pragma once
/// allow-keys / deny-keys: which incoming keys pass through a script unchanged. A pattern is
/// a plain key, a wildcard (`*` any run of characters, `?` one character) or a regular
/// expression between slashes (`/[xyz]cut\d?/`, ECMAScript syntax, matching the whole key).

#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace spindle::transform {

class KeyPattern {
 public:
  static Result<KeyPattern> parse(const std::string& text);
  bool matches(std::string_view key) const;
  const std::string& text() const { return m_text; }

 private:
  std::string m_text;
  std::shared_ptr<const std::regex> m_regex;  ///< for /.../ patterns
};

bool wildcardMatch(std::string_view pattern, std::string_view text);

class KeyFilter {
 public:
  /// No allow list: every key is allowed unless denied.
  void allow(KeyPattern p) { m_allow.push_back(std::move(p)); }
  void deny(KeyPattern p) { m_deny.push_back(std::move(p)); }
  bool passes(std::string_view key) const;

 private:
  std::vector<KeyPattern> m_allow;
  std::vector<KeyPattern> m_deny;
};

}  // namespace spindle::transform
