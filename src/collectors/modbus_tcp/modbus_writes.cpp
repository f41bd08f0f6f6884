#include "collectors/modbus_tcp/modbus_writes.hpp"

#include <algorithm>

#include "collectors/modbus_tcp/modbus_values.hpp"

namespace spindle::collectors::modbus_tcp {

Result<Request> writeRequestFor(const PointMap& map, const std::string& key,
                                const model::Value& value) {
  const auto it = std::find_if(map.points.begin(), map.points.end(),
                               [&](const Point& p) { return p.key == key; });
  if (it == map.points.end()) {
    return Error(ErrorCode::kNotFound, "the register map has no input '" + key + "'");
  }
  Request r;
  r.address = it->address;
  if (it->space == 0) {
    const auto* b = std::get_if<bool>(&value);
    const auto* n = std::get_if<std::int64_t>(&value);
    if (!b && !n) return Error(ErrorCode::kInvalidArgument, "a coil takes true or false");
    r.function = fc::kWriteSingleCoil;
    r.bits = {b ? *b : *n != 0};
    r.count = 1;
    return r;
  }
  if (it->space != 4 || it->format.bit >= 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "'" + key +
                     "' is read-only (discrete inputs, input registers and single bits "
                     "of a register cannot be written)");
  }
  auto regs = encodeRegisters(value, it->format);
  if (!regs) return std::move(regs).error().with("writing '" + key + "'");
  r.function = regs->size() == 1 ? fc::kWriteSingleRegister : fc::kWriteMultipleRegisters;
  r.count = static_cast<std::uint16_t>(regs->size());
  r.registers = std::move(*regs);
  return r;
}

}  // namespace spindle::collectors::modbus_tcp
