#pragma once
/// Options of the haas collector (the machine block in spindle.yaml).

#include <string>
#include <vector>

#include "base/units.hpp"
#include "collectors/haas/haas_queries.hpp"
#include "collectors/haas/haas_session.hpp"
#include "collectors/input_guard.hpp"
#include "config/option_table.hpp"

namespace spindle::collectors::haas {

/// The port of a serial device server's first serial port in TCP server mode (requirement
/// sheet: Haas serial 4001). An NGC control's port is its Setting 143.
constexpr std::uint16_t kDefaultPort = 4001;

struct HaasOptions {
  std::string transport = "tcp";    ///< tcp | serial
  std::string framing = "classic";  ///< classic (Qnnn, STX..ETB) | ngc (?Qnnn, '>' lines)
  std::string host;
  config::Port port{kDefaultPort};
  std::string device;  ///< serial: the local port, e.g. /dev/ttyUSB0
  std::int64_t baud = 19200;
  std::string parity = "even";  ///< none | even | odd
  std::int64_t dataBits = 7;
  std::int64_t stopBits = 1;
  /// Q-commands polled every round; Q600 variables come from the machine's script keys.
  std::vector<std::string> commands{"Q104", "Q200", "Q201", "Q300", "Q301",
                                    "Q303", "Q304", "Q402", "Q403", "Q500"};
  std::vector<std::string> variables;  ///< extra Q600 variables, as keys (macro_5021)
  Duration pollInterval = std::chrono::seconds(1);
  Duration pacing = std::chrono::milliseconds(20);
  Duration connectTimeout = std::chrono::seconds(5);
  Duration readTimeout = std::chrono::seconds(2);
  std::int64_t maxTimeouts = 3;
  Duration reconnectMin = std::chrono::milliseconds(500);
  Duration reconnectMax = std::chrono::seconds(30);
  ByteSize maxReply{1024};
  std::uint64_t maxItems = InputLimits{}.maxItems;
  std::uint64_t maxKeys = InputLimits{}.maxKeys;
  std::uint64_t maxConditions = InputLimits{}.maxConditions;
  std::uint64_t maxAssets = InputLimits{}.maxAssets;
  ByteSize maxAssetSize = InputLimits{}.maxAssetSize;
  ByteSize maxValueSize = InputLimits{}.maxValueSize;
  std::vector<int> pollCodes;  ///< derived from `commands` by validate()
};

const config::OptionTable<HaasOptions>& optionTable();

/// Checks values beyond their types (transport needs host or device, known commands, serial
/// line settings) and fills `pollCodes`. Adds diagnostics at `block`; false on a problem.
bool validate(HaasOptions& options, const YAML::Node& block, config::Diagnostics& diags);

SessionOptions sessionOptions(const HaasOptions& options, ResolveFn resolve = systemResolve);
Framing framingOf(const HaasOptions& options);

}  // namespace spindle::collectors::haas
