#pragma once
/// A line diff for `spindle fleet config diff`: the longest common subsequence of the two
/// texts' lines, printed as a unified diff (`---`/`+++` headers, `@@` hunks with 3 lines of
/// context). Small on purpose: configurations are a few hundred lines.

#include <string>
#include <vector>

namespace spindle::fleet {

struct DiffLine {
  char op = ' ';  ///< ' ' in both, '-' only in the old text, '+' only in the new one
  std::string text;
};

/// Every line of both texts in order, marked. A last line without '\n' is a line.
std::vector<DiffLine> diffLines(const std::string& oldText, const std::string& newText);

/// The unified diff of the two texts; "" when they have the same lines.
std::string unifiedDiff(const std::string& oldText, const std::string& newText,
                        const std::string& oldName, const std::string& newName, int context = 3);

}  // namespace spindle::fleet
