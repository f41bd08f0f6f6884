#pragma once
/// Configuration text helpers for control/: redaction of secrets (the `config` diagnostic)
/// and the per-machine difference between two configurations (apply only what changed).
/// Pure: no I/O.

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "base/error.hpp"

namespace spindle::control {

/// The YAML with every secret replaced by "<redacted>": values of keys named password,
/// passphrase, token, secret, seed, private_key, api_key or ending in _password/_token/
/// _secret, and passwords inside URLs (scheme://user:password@host). Text that does not
/// parse is withheld entirely: a broken file must not leak what it holds.
std::string redactConfig(const std::string& yaml);

/// Structural equality of two YAML nodes (key order in maps does not matter).
bool sameYaml(const YAML::Node& a, const YAML::Node& b);

/// A compact text of `node` that is equal for two nodes exactly when sameYaml() holds: map
/// keys sorted, every scalar length-prefixed. Keeps what a comparison needs for a fraction of
/// the memory of a cloned node (a machine's settings are kept for every machine).
std::string canonicalYaml(const YAML::Node& node);

/// True for a key whose value redactConfig() hides.
bool isSecretKey(const std::string& key);

struct ConfigDiff {
  std::vector<std::string> added;    ///< machine ids only in the new configuration
  std::vector<std::string> removed;  ///< machine ids only in the old one
  std::vector<std::string> changed;  ///< machine ids whose block differs
  /// Sections other than `machines` that differ (edge, journal, uplinks...): applying them
  /// may need more than restarting collectors.
  std::vector<std::string> sections;
  bool empty() const {
    return added.empty() && removed.empty() && changed.empty() && sections.empty();
  }
};

/// Compares two configurations structurally (key order in maps does not matter). Fails when
/// either does not parse.
Result<ConfigDiff> diffConfigs(const std::string& oldYaml, const std::string& newYaml);

}  // namespace spindle::control
