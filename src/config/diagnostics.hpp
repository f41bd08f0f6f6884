#pragma once
/// Problems found in configuration, each with its place and a hint, all collected before
/// anything is reported so a user fixes every one in a single pass.

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace spindle::config {

struct Diagnostic {
  std::string file;
  int line = 0;    ///< 1-based; 0 when unknown
  int column = 0;  ///< 1-based; 0 when unknown
  std::string message;
  std::string hint;  ///< what to do about it; may be empty

  /// "spindle.yaml:12:5: unknown key 'prot' (did you mean 'port'?)"
  std::string describe() const;
};

class Diagnostics {
 public:
  explicit Diagnostics(std::string file = "") : m_file(std::move(file)) {}

  /// Records a problem at `node`'s position (the node may be null/undefined: no position).
  /// Credentials inside URLs in `message` and `hint` are redacted (base/redact.hpp).
  void add(const YAML::Node& node, std::string message, std::string hint = "");
  void addAt(int line, int column, std::string message, std::string hint = "");
  /// Records a problem found in another file (a script the configuration names).
  void addItem(Diagnostic item);

  bool empty() const { return m_items.empty(); }
  size_t size() const { return m_items.size(); }
  const std::vector<Diagnostic>& items() const { return m_items; }
  const std::string& file() const { return m_file; }

  /// Every problem, one per line.
  std::string describe() const;

 private:
  std::string m_file;
  std::vector<Diagnostic> m_items;
};

/// The closest of `candidates` to `word` if it is close enough to be a likely typo, else "".
std::string closestMatch(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace spindle::config
