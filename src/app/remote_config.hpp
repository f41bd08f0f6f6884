#pragma once
/// Configuration from the cloud (the NATS KV bucket): what it may change and how.
///
/// The desired text is laid over the edge's local file. Keys that only the edge's own file may
/// set stay as the local file has them, and a desired value that differs is refused (reported
/// in health): `edge.data_dir`, `journal.dir`, `output.path`, `net.resolv_conf` (paths on the
/// edge), `uplinks` (the cloud link itself), `control` (these rules) and `simulator`. Of the
/// rest, `machines` (with their scripts) is applied at once; every other section is stored with
/// the last-known-good configuration and takes effect at the next start.

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "app/spindle_config.hpp"

namespace spindle::app {

/// A desired key the edge did not take, and why.
struct Refusal {
  std::string key;  ///< "uplinks", "journal.dir", ...
  std::string reason;
  std::string describe() const { return key + ": " + reason; }
};

/// The rules of the local configuration (its `control:` section); `configDir` is the local
/// file's folder ("" = the working directory).
Result<RemoteRules> remoteRules(const control::ControlOptions& control,
                                const std::string& configDir);

struct RemoteLoad {
  LoadResult loaded;  ///< its text is the effective text (YAML)
  std::vector<Refusal> refused;
};

/// Validates `remoteYaml` laid over `localYaml` under `rules`. Diagnostics carry the places
/// of the desired text (`name`:line:column).
RemoteLoad loadRemoteConfig(const std::string& localYaml, const std::string& remoteYaml,
                            const std::string& name, const collectors::Registry& registry,
                            const RemoteRules& rules, const std::string& configDir);

/// Whether a top-level section takes effect while running ("machines") or at the next start.
bool appliesLive(const std::string& section);

/// Adds a diagnostic for every host of `root` (machines' host and url; net DNS and NTP
/// servers) that `hosts` does not allow.
void checkRemoteHosts(const YAML::Node& root, const net::HostRules& hosts,
                      config::Diagnostics& diags);

}  // namespace spindle::app
