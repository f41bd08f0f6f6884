#pragma once
/// Collectors register themselves by name (the folder name and the config `type`).

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
  std::string name;         ///< config `type`
  std::string description;  ///< one line for docs and `spindle validate --list`
  std::uint16_t defaultPort = 0;
  std::vector<config::OptionInfo> options;

  /// Validates the machine block and returns a collector ready to start, or nullptr with the
  /// problems added to `diags`. Does no I/O. `machineId` is the block's `id`.
  std::function<std::unique_ptr<Collector>(const YAML::Node& block, const std::string& machineId,
                                           config::Diagnostics& diags)>
      create;
};

class Registry {
 public:
  void add(CollectorInfo info);
  const CollectorInfo* find(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, CollectorInfo> m_collectors;
};

/// Registers every collector compiled into this binary (generated at configure time).
void registerBuiltinCollectors(Registry& registry);

}  // namespace spindle::collectors
