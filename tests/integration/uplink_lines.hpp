#pragma once
/// Reading what the file uplink wrote (one JSON object per line) in end-to-end tests.

#include <string>
#include <vector>

namespace spindle::testing {

/// The values of `item` of `machine` in the file uplink's JSON lines, in order (text without
/// its quotes).
inline std::vector<std::string> uplinkValues(const std::string& lines, const std::string& machine,
                                             const std::string& item) {
  std::vector<std::string> out;
  const std::string prefix = "{\"machine\":\"" + machine + "\",\"item\":\"" + item + "\"";
  for (std::size_t at = lines.find(prefix); at != std::string::npos;
       at = lines.find(prefix, at + 1)) {
    const std::size_t v = lines.find("\"value\":", at);
    const std::size_t end = lines.find('\n', at);
    if (v == std::string::npos || v > end) continue;
    std::string value = lines.substr(v + 8, lines.find_first_of(",}", v + 8) - v - 8);
    if (!value.empty() && value.front() == '"') value = value.substr(1, value.size() - 2);
    out.push_back(value);
  }
  return out;
}

}  // namespace spindle::testing
