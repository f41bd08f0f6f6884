#pragma once
/// Reading the SHDR-formatted text of a model update (sim/machine_model.hpp), as the simulated
/// controls do: "FAULT|E1002|2|HIGH|Spindle overload" into its fields, "O2040.NC" into 2040.

#include <string_view>
#include <vector>

namespace spindle::sim {

/// The digits of `text` up to its first '.', as a number ("O2040.NC": 2040; none: 0).
inline int digits(std::string_view text) {
  int v = 0;
  for (char c : text) {
    if (c >= '0' && c <= '9') v = v * 10 + (c - '0');
    if (c == '.') break;
  }
  return v;
}

/// `text` split at every '|' (views into `text`).
inline std::vector<std::string_view> fields(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '|') {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

}  // namespace spindle::sim
