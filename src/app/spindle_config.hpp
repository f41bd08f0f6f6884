#pragma once
/// spindle.yaml: the whole configuration, loaded through typed option tables. Every problem
/// is collected with its file:line before anything is reported.

#include <any>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/cloud_config.hpp"
#include "collectors/registry.hpp"
#include "config/diagnostics.hpp"
#include "config/option_table.hpp"
#include "control/crash/crash_options.hpp"
#include "journal/journal_options.hpp"
#include "net/host_rules.hpp"
#include "net/http/https_options.hpp"
#include "net/net_options.hpp"
#include "transform/compiled_script.hpp"
#include "transform/store/script_source.hpp"
#include "transform/store/store_options.hpp"
#include "uplinks/registry.hpp"
#include "upload/upload_options.hpp"
#include "web/management/management_options.hpp"
#include "web/web_options.hpp"

namespace spindle::app {

struct EdgeOptions {
  std::string id = "spindle-edge";
  std::string dataDir = "spindle-data";
  int threads = 1;
  Duration statusInterval = std::chrono::seconds(10);
};

struct StateOptions {
  std::uint64_t ringSize = 8192;
  ByteSize ringMemory{1ULL << 20};
  std::uint64_t queueSize = 65536;
  ByteSize queueMemory{2ULL << 20};
};

/// Simulated machines served by this process (the demo; never for production).
struct SimulatorOptions {
  bool enabled = false;
  int machines = 3;
  std::string bind = "127.0.0.1";
  config::Port basePort{17878};
  std::uint64_t seed = 1;
  Duration tick = std::chrono::milliseconds(100);
  int flakyMachine = -1;
  double timeScale = 1.0;
  std::vector<std::string> names;
};

/// A machine as configured: settings only. The running collector is the MachineManager's
/// (made from `options` by the type's CollectorInfo::make).
struct MachineEntry {
  std::string id;
  std::string type;
  bool enabled = true;
  std::any options;  ///< the collector's checked options (CollectorInfo::load)
  /// The machine's block as parsed, in control::canonicalYaml() form: whether it changed is
  /// decided on it (empty: removed, starts again if it comes back).
  std::string settings;
  /// The machine's block as YAML text (the management page shows it; text, not a node, since
  /// a node costs kilobytes per machine).
  std::string blockText;
  /// The adapter script: the machine's own file, one of the adapter store, its type's
  /// default, or none (raw keys).
  std::shared_ptr<const transform::CompiledScript> script;
  /// The file, "store:NAME@VERSION" (the version used, also when `script:` named none),
  /// "default <type> script" or "none".
  std::string scriptName;
  /// A store script's text, for the management page (one copy shared by the machines naming
  /// it); null for the other kinds (a file is read when shown, a default is compiled in).
  std::shared_ptr<const std::string> scriptText;
};

struct SpindleConfig {
  std::string source;  ///< file path, or "<demo>"
  EdgeOptions edge;
  StateOptions state;
  journal::JournalOptions
      journal;  ///< resolve with journal::resolveSettings(journal, edge.dataDir)
  net::NetOptions net;
  net::http::HttpsOptions https;  ///< `https:`: the HTTP client (net/http/https_options.hpp)
  /// `crash_reports:`: where reports of a crash go (control/crash/crash_options.hpp).
  control::crash::CrashReportOptions crashReports;
  web::WebOptions web;
  web::management::ManagementOptions management;  ///< `web.management:`
  /// Configured uplinks (`uplinks:`), plus those that run by default (uplinks/registry.hpp).
  std::vector<uplinks::UplinkEntry> uplinks;
  SimulatorOptions simulator;
  std::vector<MachineEntry> machines;
  CloudOptions cloud;  ///< uplinks: nats: and control: (app/cloud_config.hpp)
  /// `adapter_store:`: where `store:` scripts come from (transform/store/store_options.hpp).
  std::optional<transform::store::StoreOptions> adapterStore;
  /// `uploads:`: the uploads bucket (upload/upload_options.hpp); unset without the section.
  std::optional<upload::UploadOptions> uploads;
  /// For the log: deprecated keys still accepted, and adapter store problems that did not stop
  /// a script from being had (unreachable, a refused index or script with the last good copy
  /// kept).
  std::vector<std::string> warnings;
  /// Where each `store:` script came from (the cache, the store), for `spindle validate`.
  std::vector<std::string> notes;
};

struct LoadResult {
  std::optional<SpindleConfig> config;  ///< set only when there are no diagnostics
  config::Diagnostics diagnostics;
  std::string text;  ///< the YAML text it was loaded from (what runs, for diagnostics and diffs)
};

/// What a configuration from the cloud may name (from the local file's `control:` section,
/// app/remote_config.hpp). Its `script:` files must lie in `scriptDir`, and problems in them
/// are reported by place only, never quoting what the file holds; its hosts must pass `hosts`.
struct RemoteRules {
  std::string scriptDir;  ///< absolute or relative to the working directory
  net::HostRules hosts;
};

/// How a configuration text is loaded.
struct LoadOptions {
  std::string baseDir;  ///< script paths are relative to it ("" = the working directory)
  const RemoteRules* remote = nullptr;  ///< set for a configuration from the cloud
  /// Where `store:` scripts come from. Null: the load opens the adapter store its
  /// `adapter_store:` section names (transform/store/https_fetcher.hpp) for its own duration;
  /// tests give their own. Not owned; used from the loading thread only.
  transform::store::ScriptSource* store = nullptr;
  /// When the adapter store goes to the network (ignored when `store` is set).
  transform::store::StoreAccess storeAccess = transform::store::StoreAccess::kRefreshWhenDue;
};

/// Parses and validates YAML text; `name` is used in messages (the file name). Script paths
/// are relative to `baseDir` (the configuration file's folder; "" = the working directory).
LoadResult loadConfigText(
    const std::string& text, const std::string& name, const collectors::Registry& registry,
    const std::string& baseDir = "",
    transform::store::StoreAccess storeAccess = transform::store::StoreAccess::kRefreshWhenDue);
/// Validates a parsed document; `text` (its source) becomes LoadResult::text.
LoadResult loadConfigRoot(const YAML::Node& root, const std::string& text, const std::string& name,
                          const collectors::Registry& registry, const LoadOptions& options);
LoadResult loadConfigFile(
    const std::string& path, const collectors::Registry& registry,
    transform::store::StoreAccess storeAccess = transform::store::StoreAccess::kRefreshWhenDue);

/// The embedded demo configuration (examples/demo.yaml, compiled in).
const std::string& demoConfigText();

const config::OptionTable<EdgeOptions>& edgeOptionTable();
const config::OptionTable<StateOptions>& stateOptionTable();
const config::OptionTable<SimulatorOptions>& simulatorOptionTable();

}  // namespace spindle::app
