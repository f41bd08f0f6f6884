#pragma once
/// The `machines:` list of spindle.yaml: one entry per machine, its collector's options checked
/// and its adapter script compiled. A script (a type's default, a file or one of the adapter
/// store) is compiled once however
/// many machines use it; they share the compiled script, so a large configuration loads in
/// time and memory linear in its size.

#include <map>
#include <memory>
#include <set>
#include <string>

#include "app/spindle_config.hpp"

namespace spindle::app {

class MachineLoader {
 public:
  /// Problems go to `diags`; `registry` and `options` must outlive the loader.
  MachineLoader(const collectors::Registry& registry, const LoadOptions& options,
                config::Diagnostics& diags);

  /// Loads `machines[index]` into `out.machines` (unless it is too broken to name a type).
  void load(const YAML::Node& block, std::size_t index, SpindleConfig& out);

 private:
  struct Compiled {
    std::shared_ptr<const transform::CompiledScript> script;
    std::shared_ptr<const std::string> text;  ///< a store script's text
    bool failed = false;  ///< reported for the first machine; the others stay quiet
  };

  bool reportMistypedTypeKey(const YAML::Node& block, const std::string& id);
  void loadScript(const YAML::Node& block, MachineEntry& entry);
  void checkScript(const collectors::CollectorInfo& info, const YAML::Node& block,
                   const MachineEntry& entry);
  void loadDefaultScript(const YAML::Node& block, MachineEntry& entry);
  /// Gets `store:NAME@VERSION` from the adapter store (LoadOptions::store) and compiles it.
  void loadStoreScript(const YAML::Node& node, MachineEntry& entry);
  /// Reads and compiles a file; remote configurations only from the script folder.
  void loadScriptFile(const YAML::Node& node, const std::string& path, MachineEntry& entry);
  bool insideScriptFolder(const YAML::Node& node, const std::string& path, MachineEntry& entry);

  const collectors::Registry& m_registry;
  const LoadOptions& m_options;
  config::Diagnostics& m_diags;
  std::string m_knownTypes;
  std::set<std::string> m_ids;
  /// By "default <type>", file path or store reference as written.
  std::map<std::string, Compiled> m_scripts;
  std::map<std::string, std::string> m_storeNames;  ///< reference as written -> with version
};

}  // namespace spindle::app
