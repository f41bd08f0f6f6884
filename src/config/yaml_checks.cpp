#include "config/yaml_checks.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

namespace spindle::config {

void checkDuplicateKeys(const YAML::Node& root, Diagnostics& diags, std::size_t maxNodes) {
  // Marks and names only: assigning a YAML::Node (as sorting would) rewrites the document.
  struct Duplicate {
    std::string key;
    YAML::Mark at;
    YAML::Mark first;
  };
  std::vector<Duplicate> found;
  std::vector<YAML::Node> pending{root};
  std::unordered_map<std::string, YAML::Mark> seen;
  std::size_t visited = 0;
  while (!pending.empty()) {
    if (++visited > maxNodes) {
      diags.add(root, "the document has more nodes than its text could hold",
                "aliases (*name) that repeat large parts are not accepted");
      break;
    }
    const YAML::Node node = pending.back();
    pending.pop_back();
    if (node.IsSequence()) {
      for (const auto& item : node) pending.push_back(item);
    } else if (node.IsMap()) {
      seen.clear();
      for (const auto& kv : node) {
        pending.push_back(kv.second);
        if (!kv.first.IsScalar()) continue;
        const auto [first, inserted] = seen.emplace(kv.first.Scalar(), kv.first.Mark());
        if (!inserted) found.push_back({kv.first.Scalar(), kv.first.Mark(), first->second});
      }
    }
  }
  std::sort(found.begin(), found.end(),
            [](const Duplicate& a, const Duplicate& b) { return a.at.pos < b.at.pos; });
  for (const auto& d : found) {
    const std::string place = (diags.file().empty() ? std::string("line ") : diags.file() + ":") +
                              std::to_string(d.first.line + 1);
    diags.addAt(d.at.line + 1, d.at.column + 1,
                "duplicate key '" + d.key + "' (first at " + place + ")",
                "YAML keeps only one of the two; remove or rename one");
  }
}

}  // namespace spindle::config
