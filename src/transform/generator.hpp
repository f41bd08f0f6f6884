#pragma once
/// Generators: self-contained sources of values that need no input. `counter` counts
/// intervals since the script started, `datetime` formats the time every interval, `cron` is
/// true for a duration after each firing of a schedule.

#include <memory>
#include <string>

#include <yaml-cpp/yaml.h>

#include "config/diagnostics.hpp"
#include "transform/eval_context.hpp"
#include "transform/operation.hpp"

namespace spindle::transform {

struct GeneratorState {
  TimestampNs started = 0;
  TimestampNs deadline = kNever;  ///< when update() must run next
};

class Generator {
 public:
  virtual ~Generator() = default;
  /// Called once when the script starts, at `now`; sets state.deadline.
  virtual ScriptValue start(GeneratorState& state, TimestampNs now) const = 0;
  /// Called at (or after) state.deadline; returns the value at `now` and sets the next
  /// deadline, always after `now`.
  virtual ScriptValue update(GeneratorState& state, TimestampNs now) const = 0;
};

/// Loads a generator definition ({type: counter|datetime|cron, ...}); nullptr after adding
/// diagnostics.
std::unique_ptr<Generator> loadGenerator(const YAML::Node& definition, const std::string& name,
                                         config::Diagnostics& diagnostics);

/// The generator types, for docs and tests.
const std::vector<std::string>& generatorTypes();

}  // namespace spindle::transform
