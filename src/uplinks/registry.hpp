#pragma once
/// Uplinks register themselves by name (the folder name and the key under `uplinks:`), like
/// collectors: cmake/SpindleUplink.cmake generates the one call of every registration, so the
/// gateway never names an uplink.

#include <any>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "base/error.hpp"
#include "config/diagnostics.hpp"
#include "config/option_table.hpp"
#include "model/item_catalog.hpp"
#include "uplinks/uplink.hpp"

namespace spindle::uplinks {

/// What an uplink is made with, besides its own options.
struct UplinkEnv {
  std::string edgeId;
  std::string dataDir;  ///< relative paths in options are relative to it
  const model::ItemCatalog* catalog = nullptr;
  bool toStdout = false;  ///< `spindle run --stdout`: a local uplink writes to stdout instead
  /// Parts of the edge an uplink may use, by name (e.g. "nats.link": the cloud link's NATS
  /// connection, which control/ shares). Set by whoever owns them; an uplink whose part is
  /// missing fails to be made, with a message.
  std::map<std::string, std::any> services;
};

/// An HTTPS endpoint an uplink will reach, for `spindle netcheck` to try with the edge's client.
struct UplinkEndpoint {
  std::string setting;  ///< the key that names it ("uplinks.https.url")
  std::string url;      ///< "" when `problem` says why it cannot be computed
  std::string what;     ///< "the HTTPS uplink's data URL (uplinks.https) is reachable"
  std::string problem;
};

struct UplinkType {
  std::string name;               ///< the key under `uplinks:`, and the journal cursor's name
  std::string description;        ///< one line for docs and `spindle validate --list`
  std::uint16_t defaultPort = 0;  ///< the destination's usual port (0: none, e.g. a file)
  /// Runs without being configured (with its defaults), unless `enabled: false` says otherwise.
  bool runsByDefault = false;
  std::vector<config::OptionInfo> options;
  /// Reads the options block (a null node: the defaults) and checks it; problems go to `diags`.
  std::function<std::any(const YAML::Node& block, config::Diagnostics& diags,
                         const std::string& where)>
      load;
  /// Makes the uplink (no I/O: its engine starts it).
  std::function<Result<std::unique_ptr<Uplink>>(const std::any& options, const UplinkEnv& env)>
      create;
  /// The HTTPS endpoints it reaches (netcheck's `api` rows); null: none (NATS has its own rows,
  /// a file none). `api` is `https.api`.
  std::function<std::vector<UplinkEndpoint>(const std::any& options, const std::string& api,
                                            const std::string& edgeId)>
      endpoints;
};

/// One configured uplink: its type's name and its loaded options.
struct UplinkEntry {
  std::string name;
  std::any options;
};

class UplinkRegistry {
 public:
  void add(UplinkType type);
  const UplinkType* find(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, UplinkType> m_types;
};

/// Registers every uplink compiled into this binary (generated at configure time).
void registerBuiltinUplinks(UplinkRegistry& registry);
/// The built-in uplinks, registered once.
const UplinkRegistry& builtinUplinks();

/// Loads `uplinks:` (a map of name: options) and the deprecated `output:` (the file uplink's
/// options, accepted for one release with a warning naming the new key). Adds every uplink
/// that runs by default and is not configured. Problems go to `diags`; `warnings` gets the
/// deprecation notes.
std::vector<UplinkEntry> loadUplinks(const YAML::Node& root, const UplinkRegistry& registry,
                                     config::Diagnostics& diags,
                                     std::vector<std::string>& warnings);

}  // namespace spindle::uplinks
