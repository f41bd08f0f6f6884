#pragma once
/// Writes to a Modbus device: the request for a value (which input, which function code, the
/// registers in the input's type and word order). What scripts want the device to hold is
/// kept in the shared write book (collectors/write_book.hpp).

#include <string>

#include "base/error.hpp"
#include "collectors/modbus_tcp/modbus_codec.hpp"
#include "collectors/modbus_tcp/modbus_point_map.hpp"
#include "collectors/write_book.hpp"
#include "model/value.hpp"

namespace spindle::collectors::modbus_tcp {

/// The request that writes `value` to the input `key` of `map`: a coil with function 5, a
/// holding register with 6, a wider type with 16. Error for an unknown key, a read-only input
/// (discrete input, input register, one bit of a register) or a value that does not fit.
Result<Request> writeRequestFor(const PointMap& map, const std::string& key,
                                const model::Value& value);

/// What scripts want the device to hold (collectors/write_book.hpp).
using WriteBook = collectors::WriteBook<Request>;

}  // namespace spindle::collectors::modbus_tcp
