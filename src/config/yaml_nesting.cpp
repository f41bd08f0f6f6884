#include "config/yaml_nesting.hpp"

#include <vector>

namespace spindle::config {
namespace {

bool startsToken(char previous) {
  return previous == '\0' || previous == ':' || previous == '-' || previous == '[' ||
         previous == '{' || previous == ',' || previous == '?';
}

/// True when the line (comment removed) ends in a block scalar indicator: '|' or '>' with
/// optional chomping and indentation indicators.
bool opensBlockScalar(std::string_view line) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  while (!line.empty() &&
         (line.back() == '+' || line.back() == '-' || (line.back() >= '0' && line.back() <= '9'))) {
    line.remove_suffix(1);
  }
  if (line.empty() || (line.back() != '|' && line.back() != '>')) return false;
  line.remove_suffix(1);
  return line.empty() || line.back() == ' ';
}

}  // namespace

std::optional<DeepNesting> findDeepNesting(std::string_view text, int maxDepth) {
  std::vector<size_t> indents;  // columns of the open block levels
  int flow = 0;
  char quote = 0;  // a quoted scalar may span lines
  long blockScalarIndent = -1;
  int lineNumber = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++lineNumber;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t indent = 0;
    while (indent < line.size() && line[indent] == ' ') ++indent;
    const bool blank = indent == line.size() || line[indent] == '#';
    if (blockScalarIndent >= 0) {
      if (blank || static_cast<long>(indent) > blockScalarIndent) continue;
      blockScalarIndent = -1;
    }
    if (blank && quote == 0) continue;
    int depth = 0;
    size_t pos = indent;
    if (flow == 0 && quote == 0) {
      while (!indents.empty() && indents.back() >= indent) indents.pop_back();
      indents.push_back(indent);
      // "- - - x": every entry indicator opens one more level on the same line.
      while (pos < line.size() && line[pos] == '-' &&
             (pos + 1 == line.size() || line[pos + 1] == ' ')) {
        ++depth;
        ++pos;
        while (pos < line.size() && line[pos] == ' ') ++pos;
      }
    }
    depth += static_cast<int>(indents.size());
    char previous = pos == indent ? '\0' : '-';
    bool plain = false;  // inside a block context plain scalar: brackets there are text
    size_t commentAt = line.size();
    for (; pos < line.size(); ++pos) {
      const char c = line[pos];
      if (quote != 0) {
        if (quote == '"' && c == '\\') {
          ++pos;
        } else if (c == quote) {
          if (quote == '\'' && pos + 1 < line.size() && line[pos + 1] == '\'') {
            ++pos;
          } else {
            quote = 0;
            previous = c;
          }
        }
        continue;
      }
      if (c == ' ' || c == '\t') continue;
      if (c == '#' && (pos == 0 || line[pos - 1] == ' ' || line[pos - 1] == '\t')) {
        commentAt = pos;
        break;
      }
      if (plain) {
        if (c == ':' && (pos + 1 == line.size() || line[pos + 1] == ' ')) {
          plain = false;  // "key: value": the value starts a new token
          previous = c;
        }
        continue;
      }
      if ((c == '"' || c == '\'') && (flow > 0 || startsToken(previous))) {
        quote = c;
      } else if ((c == '[' || c == '{') && (flow > 0 || startsToken(previous))) {
        ++flow;
        if (depth + flow > maxDepth) {
          return DeepNesting{lineNumber, static_cast<int>(pos) + 1};
        }
      } else if ((c == ']' || c == '}') && flow > 0) {
        --flow;
      } else if (flow == 0 && !startsToken(c)) {
        plain = true;
      }
      previous = c;
    }
    if (depth + flow > maxDepth) return DeepNesting{lineNumber, static_cast<int>(indent) + 1};
    if (flow == 0 && quote == 0 && opensBlockScalar(line.substr(0, commentAt))) {
      blockScalarIndent = static_cast<long>(indent);
    }
  }
  return std::nullopt;
}

}  // namespace spindle::config
