#pragma once
/// Collectors register themselves by name (the folder name and the config `type`).

#include <any>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "collectors/collector.hpp"
#include "config/diagnostics.hpp"
#include "config/option_table.hpp"

namespace spindle::collectors {

/// Keys every machine block has, whatever its collector; a collector's table never uses them.
inline const std::set<std::string> kCommonMachineKeys{"id", "type", "enabled", "script"};

struct CollectorInfo {
  std::string name;         ///< config `type`; the folder src/collectors/<name>/
  std::string description;  ///< one line for docs and `spindle validate --list`
  /// The protocol's port (requirement sheet), declared here once: the option table's default,
  /// netcheck's machine-port table and `spindle validate --list` read it. The default script is
  /// declared beside it, in the folder's spindle_collector(... DEFAULT_SCRIPT ...).
  std::uint16_t defaultPort = 0;
  std::vector<config::OptionInfo> options;
  /// The port the collector of a machine block connects to, as its options resolve it (an
  /// explicit `port`, a `url`, a vendor's default, else defaultPort); 0 when it has none. No
  /// diagnostics: netcheck asks it of blocks that `spindle validate` judges. It runs the
  /// collector's checks, so it reads what they read (an SHDR machine's device file).
  std::function<std::uint16_t(const YAML::Node& block)> resolvedPort;

  /// Validates the machine block and returns its typed options (a value the configuration
  /// keeps), or an empty `std::any` with the problems added to `diags`. Opens no connection;
  /// reads only files the block names (an SHDR machine's device file). `machineId` is the
  /// block's `id`.
  std::function<std::any(const YAML::Node& block, const std::string& machineId,
                         config::Diagnostics& diags)>
      load;
  /// Whether the collector writes what a script's `writes` section asks (Collector::write).
  bool writes = false;
  /// Checks the machine's options (as `load` returned them) against its script (null for
  /// `script: none`): what start() would refuse, said by `spindle validate` instead. Optional.
  std::function<Status(const std::any& options, const transform::CompiledScript* script)>
      checkScript;
  /// A collector ready to start from options `load` returned. Does no I/O.
  std::function<std::unique_ptr<Collector>(const std::any& options)> make;

  /// load() then make(): nullptr with the problems in `diags`.
  std::unique_ptr<Collector> create(const YAML::Node& block, const std::string& machineId,
                                    config::Diagnostics& diags) const {
    const std::any loaded = load(block, machineId, diags);
    return loaded.has_value() ? make(loaded) : nullptr;
  }
};

/// The registration of a collector whose options are a typed table: `create` loads the machine
/// block into `Options` (unknown keys refused), checks it with `validate` (also after load
/// problems when `validateAfterLoadProblems`, so that every problem shows at once) and makes a
/// `C` from it. Registration functions call this and Registry::add.
/// `validate` is bool(Options&, const YAML::Node& block, config::Diagnostics&).
template <typename C, typename Options, typename Validate>
CollectorInfo makeCollectorInfo(std::string name, std::string description,
                                std::uint16_t defaultPort,
                                const config::OptionTable<Options>& table, Validate validate,
                                bool validateAfterLoadProblems) {
  CollectorInfo info;
  info.name = name;
  info.description = std::move(description);
  info.defaultPort = defaultPort;
  info.options = table.describe();
  info.load = [name, &table, validate, validateAfterLoadProblems](
                  const YAML::Node& block, const std::string& machineId,
                  config::Diagnostics& diags) -> std::any {
    Options options;
    const std::size_t before = diags.size();
    table.load(block, options, diags, "machine '" + machineId + "' (" + name + ")",
               kCommonMachineKeys);
    if (validateAfterLoadProblems || diags.size() == before) validate(options, block, diags);
    if (diags.size() != before) return {};
    return options;
  };
  info.make = [](const std::any& options) -> std::unique_ptr<Collector> {
    return std::make_unique<C>(std::any_cast<const Options&>(options));
  };
  info.resolvedPort = [defaultPort, &table, validate](const YAML::Node& block) -> std::uint16_t {
    Options options;
    config::Diagnostics ignored;
    table.load(block, options, ignored, "", kCommonMachineKeys);
    validate(options, block, ignored);
    if constexpr (requires { options.port.value; }) {
      if (options.port.value != 0) return options.port.value;
    }
    return defaultPort;
  };
  return info;
}

class Registry {
 public:
  void add(CollectorInfo info);
  const CollectorInfo* find(const std::string& name) const;
  /// The port a machine block of collector `type` connects to (CollectorInfo::resolvedPort);
  /// 0 for a type that is not registered.
  std::uint16_t resolvedPort(const std::string& type, const YAML::Node& block) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, CollectorInfo> m_collectors;
};

/// Registers every collector compiled into this binary (generated at configure time).
void registerBuiltinCollectors(Registry& registry);
/// The collectors compiled into this binary, registered once (at first use). Any thread.
const Registry& builtinCollectors();

}  // namespace spindle::collectors
