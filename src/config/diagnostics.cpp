#include "config/diagnostics.hpp"

#include <algorithm>

#include "base/redact.hpp"

namespace spindle::config {
namespace {

size_t editDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string Diagnostic::describe() const {
  std::string out = file.empty() ? "<config>" : file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  out += ": " + message;
  if (!hint.empty()) out += " (" + hint + ")";
  return out;
}

void Diagnostics::add(const YAML::Node& node, std::string message, std::string hint) {
  int line = 0;
  int column = 0;
  if (node.IsDefined() && node.Mark().line >= 0) {
    line = node.Mark().line + 1;
    column = node.Mark().column + 1;
  }
  addAt(line, column, std::move(message), std::move(hint));
}

// Messages quote configuration values; a URL's password never goes into one.
void Diagnostics::addAt(int line, int column, std::string message, std::string hint) {
  m_items.push_back(Diagnostic{m_file, line, column, redactUrl(message), redactUrl(hint)});
}

void Diagnostics::addItem(Diagnostic item) {
  item.message = redactUrl(item.message);
  item.hint = redactUrl(item.hint);
  m_items.push_back(std::move(item));
}

std::string Diagnostics::describe() const {
  std::string out;
  for (const auto& d : m_items) out += d.describe() + "\n";
  return out;
}

std::string closestMatch(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t bestDistance = std::max<size_t>(2, word.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    const size_t d = editDistance(word, candidate);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best;
}

}  // namespace spindle::config
