#pragma once
/// The register map of one machine, taken from its adapter script's `registers:` and `coils:`
/// inputs (transform::InputSpec), with the poll groups they name.

#include <vector>

#include "base/error.hpp"
#include "collectors/modbus_tcp/modbus_plan.hpp"
#include "collectors/modbus_tcp/modbus_tcp_options.hpp"
#include "transform/compiled_script.hpp"

namespace spindle::collectors::modbus_tcp {

struct PollGroup {
  std::string name;  ///< "" the machine's poll_interval
  Duration interval{};
  std::vector<std::size_t> members;  ///< indexes into PointMap::points
};

struct PointMap {
  std::vector<Point> points;
  std::vector<PollGroup> groups;  ///< only groups with members
};

/// Error when there is no script, when it names no registers or coils, or when an input names
/// a poll group the options do not define.
Result<PointMap> buildPointMap(const transform::CompiledScript* script,
                               const ModbusTcpOptions& options);

}  // namespace spindle::collectors::modbus_tcp
