#pragma once
/// Splits one SHDR line into its `|`-separated fields. Pure; no allocation once warmed up.

#include <string>
#include <string_view>
#include <vector>

namespace spindle::collectors::shdr {

/// Fields of the last line given to split(); views stay valid until the next call.
class Tokenizer {
 public:
  /// Splits `line` on `|`. Spaces and tabs around a field are trimmed. A field that starts
  /// with `"` runs to the matching `"` and may contain `\|` (read as `|`) and `\"`; outside
  /// quotes a backslash is an ordinary character.
  const std::vector<std::string_view>& split(std::string_view line);

 private:
  void splitQuoted(std::string_view line);

  std::vector<std::string_view> m_fields;
  std::string m_unescaped;  ///< storage for quoted fields; reserved so views never move
};

/// Trims spaces and tabs at both ends.
std::string_view trimSpace(std::string_view s);

}  // namespace spindle::collectors::shdr
