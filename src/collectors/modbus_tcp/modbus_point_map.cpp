#include "collectors/modbus_tcp/modbus_point_map.hpp"

#include <map>

namespace spindle::collectors::modbus_tcp {

Result<PointMap> buildPointMap(const transform::CompiledScript* script,
                               const ModbusTcpOptions& options) {
  using transform::InputSection;
  const char* hint =
      "name them in the machine's script: registers: {spindle_rpm: {address: 1002}} or "
      "coils: {running: {address: 0}} (docs/collectors/modbus_tcp.md)";
  if (script == nullptr) {
    return Error(ErrorCode::kInvalidArgument,
                 std::string("a modbus_tcp machine reads the registers and coils its script "
                             "names, and it has no script; ") +
                     hint);
  }
  PointMap map;
  std::map<std::string, std::size_t> groupIndex;
  for (const auto& in : script->inputs()) {
    if (in.section != InputSection::kRegisters && in.section != InputSection::kCoils) continue;
    Point p;
    p.key = in.key;
    p.space = in.addressSpace;
    p.address = static_cast<std::uint16_t>(in.address);
    if (in.section == InputSection::kRegisters) {
      const auto type = parseValueType(in.type);
      const auto order = parseByteOrder(in.wordOrder);
      if (!type || !order) {
        return Error(ErrorCode::kInvalidArgument, "register '" + in.identifier + "' has type '" +
                                                      in.type + "' and order '" + in.wordOrder +
                                                      "'");
      }
      p.format = ValueFormat{*type, *order, in.scale, in.offset, in.bit, in.length};
    }
    p.group = in.pollGroup;
    Duration interval = options.pollInterval;
    if (!p.group.empty()) {
      const auto it = options.groupIntervals.find(p.group);
      if (it == options.groupIntervals.end()) {
        return Error(ErrorCode::kInvalidArgument,
                     "input '" + in.identifier + "' names poll group '" + p.group +
                         "', which the machine's poll_groups does not define");
      }
      interval = it->second;
    }
    auto [slot, added] = groupIndex.emplace(p.group, map.groups.size());
    if (added) map.groups.push_back(PollGroup{p.group, interval, {}});
    map.groups[slot->second].members.push_back(map.points.size());
    map.points.push_back(std::move(p));
  }
  if (map.points.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "script '" + script->name() + "' names no registers or coils to read; " + hint);
  }
  return map;
}

}  // namespace spindle::collectors::modbus_tcp
