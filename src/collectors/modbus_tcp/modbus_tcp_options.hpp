#pragma once
/// Options of the modbus_tcp collector (the machine block in spindle.yaml). What to read is not
/// here: it is the machine's adapter script (`registers:` and `coils:`, docs/scripts.md).

#include <map>
#include <string>

#include "base/units.hpp"
#include "collectors/input_guard.hpp"
#include "collectors/modbus_tcp/modbus_plan.hpp"
#include "collectors/modbus_tcp/modbus_session.hpp"
#include "config/option_table.hpp"

namespace spindle::collectors::modbus_tcp {

/// The Modbus TCP port (requirement sheet: Modbus TCP / SeaLevel 502).
constexpr std::uint16_t kDefaultPort = 502;

struct ModbusTcpOptions {
  std::string host;
  config::Port port{kDefaultPort};
  std::int64_t unitId = 1;  ///< 0-255; the serial device behind a gateway, or 1 / 255 directly
  Duration connectTimeout = std::chrono::seconds(5);
  Duration readTimeout = std::chrono::seconds(1);  ///< per request
  std::int64_t maxTimeouts = 3;                    ///< timeouts in a row that drop the connection
  Duration reconnectMin = std::chrono::milliseconds(500);
  Duration reconnectMax = std::chrono::seconds(30);
  Duration pollInterval = std::chrono::seconds(1);
  std::map<std::string, std::string> pollGroups;  ///< name: interval, e.g. fast: 100ms
  std::int64_t maxGap = 16;                       ///< registers
  std::int64_t maxGapBits = 64;
  std::int64_t maxRegisters = 125;  ///< per read request
  std::int64_t maxBits = 2000;
  bool allowWrite = false;
  std::uint64_t maxItems = InputLimits{}.maxItems;
  std::uint64_t maxKeys = InputLimits{}.maxKeys;
  std::uint64_t maxConditions = InputLimits{}.maxConditions;
  std::uint64_t maxAssets = InputLimits{}.maxAssets;
  ByteSize maxAssetSize = InputLimits{}.maxAssetSize;
  ByteSize maxValueSize = InputLimits{}.maxValueSize;
  /// poll_groups parsed by validate().
  std::map<std::string, Duration> groupIntervals;
};

const config::OptionTable<ModbusTcpOptions>& optionTable();

/// Checks values beyond their types (unit id, poll groups). Adds diagnostics at `block` and
/// returns false on a problem.
bool validate(ModbusTcpOptions& options, const YAML::Node& block, config::Diagnostics& diags);

SessionOptions sessionOptions(const ModbusTcpOptions& options, ResolveFn resolve = systemResolve);
PlanLimits planLimits(const ModbusTcpOptions& options);

}  // namespace spindle::collectors::modbus_tcp
