#include "fleet/line_diff.hpp"

#include <algorithm>
#include <cstdint>

namespace spindle::fleet {

namespace {

std::vector<std::string> splitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    if (end == std::string::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace

std::vector<DiffLine> diffLines(const std::string& oldText, const std::string& newText) {
  const auto a = splitLines(oldText);
  const auto b = splitLines(newText);
  // The common head and tail need no table.
  std::size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  std::size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head &&
         a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) {
    ++tail;
  }
  const std::size_t n = a.size() - head - tail;
  const std::size_t m = b.size() - head - tail;
  // lcs[i][j]: the longest common subsequence of a[head+i..] and b[head+j..].
  std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);
  auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& { return lcs[i * (m + 1) + j]; };
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t j = m; j-- > 0;) {
      at(i, j) =
          a[head + i] == b[head + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    }
  }
  std::vector<DiffLine> out;
  out.reserve(a.size() + b.size());
  for (std::size_t k = 0; k < head; ++k) out.push_back({' ', a[k]});
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[head + i] == b[head + j]) {
      out.push_back({' ', a[head + i]});
      ++i;
      ++j;
    } else if (j < m && (i == n || at(i, j + 1) >= at(i + 1, j))) {
      out.push_back({'+', b[head + j++]});
    } else {
      out.push_back({'-', a[head + i++]});
    }
  }
  for (std::size_t k = a.size() - tail; k < a.size(); ++k) out.push_back({' ', a[k]});
  // Within a change, removals before additions, as diff -u prints them.
  for (std::size_t s = 0; s < out.size();) {
    if (out[s].op == ' ') {
      ++s;
      continue;
    }
    std::size_t e = s;
    while (e < out.size() && out[e].op != ' ') ++e;
    std::stable_partition(out.begin() + static_cast<std::ptrdiff_t>(s),
                          out.begin() + static_cast<std::ptrdiff_t>(e),
                          [](const DiffLine& l) { return l.op == '-'; });
    s = e;
  }
  return out;
}

std::string unifiedDiff(const std::string& oldText, const std::string& newText,
                        const std::string& oldName, const std::string& newName, int context) {
  const auto lines = diffLines(oldText, newText);
  const auto ctx = static_cast<std::size_t>(std::max(0, context));
  std::string out;
  std::size_t k = 0;
  while (k < lines.size()) {
    if (lines[k].op == ' ') {
      ++k;
      continue;
    }
    // A hunk: from `ctx` lines before this change to `ctx` lines after the last change that
    // is at most 2*ctx unchanged lines from the previous one.
    const std::size_t begin = k > ctx ? k - ctx : 0;
    std::size_t end = k;
    std::size_t quiet = 0;
    for (std::size_t x = k; x < lines.size(); ++x) {
      if (lines[x].op == ' ') {
        if (++quiet > 2 * ctx) break;
      } else {
        quiet = 0;
        end = x + 1;
      }
    }
    end = std::min(lines.size(), end + ctx);
    // Line numbers of the hunk in both texts.
    std::size_t oldLine = 1, newLine = 1;
    for (std::size_t x = 0; x < begin; ++x) {
      if (lines[x].op != '+') ++oldLine;
      if (lines[x].op != '-') ++newLine;
    }
    std::size_t oldCount = 0, newCount = 0;
    for (std::size_t x = begin; x < end; ++x) {
      if (lines[x].op != '+') ++oldCount;
      if (lines[x].op != '-') ++newCount;
    }
    if (out.empty()) out = "--- " + oldName + "\n+++ " + newName + "\n";
    out += "@@ -" + std::to_string(oldCount == 0 ? oldLine - 1 : oldLine) + "," +
           std::to_string(oldCount) + " +" + std::to_string(newCount == 0 ? newLine - 1 : newLine) +
           "," + std::to_string(newCount) + " @@\n";
    for (std::size_t x = begin; x < end; ++x) {
      out += lines[x].op;
      out += lines[x].text;
      out += '\n';
    }
    k = end;
  }
  return out;
}

}  // namespace spindle::fleet
