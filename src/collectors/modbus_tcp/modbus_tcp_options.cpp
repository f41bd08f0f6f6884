#include "collectors/modbus_tcp/modbus_tcp_options.hpp"

#include "collectors/connection_options.hpp"
#include "collectors/input_limit_options.hpp"

namespace spindle::collectors::modbus_tcp {

const config::OptionTable<ModbusTcpOptions>& optionTable() {
  static const auto table = [] {
    using O = ModbusTcpOptions;
    config::OptionTable<O> t;
    addConnectionOptions(t, {.defaultPort = kDefaultPort,
                             .portHelp = "Modbus TCP port of the device or gateway",
                             .hostHelp = "address of the Modbus TCP device or gateway, e.g. "
                                         "host: 192.168.1.40",
                             .readTimeoutDefault = "1s"});
    t.optional("unit_id", &O::unitId, "1",
               "Modbus unit id (slave address): the serial device behind a gateway; devices "
               "on TCP themselves often take any, commonly 1, 0 or 255",
               {"0", "255"});
    t.optional("max_timeouts", &O::maxTimeouts, "3",
               "requests in a row without an answer that drop the connection (then reconnects "
               "back off: a device that stopped answering is polled less often)",
               {"1", "1000"});
    t.optional("poll_interval", &O::pollInterval, "1s",
               "how often the script's registers and coils are read (those without poll-group)",
               {"1ms", "24h"});
    t.optional("poll_groups", &O::pollGroups, "{}",
               "named intervals, e.g. {fast: 100ms, slow: 10s}; a register or coil with "
               "poll-group: fast is read at that interval");
    t.optional("max_gap", &O::maxGap, "16",
               "unmapped registers one read may span to join two mapped ones (0: only adjacent)",
               {"0", "124"});
    t.optional("max_gap_bits", &O::maxGapBits, "64",
               "unmapped coils or discrete inputs one read may span to join two mapped ones",
               {"0", "1999"});
    t.optional("max_registers", &O::maxRegisters, "125",
               "most registers per read request (125 is the protocol's limit; some devices "
               "allow fewer)",
               {"1", "125"});
    t.optional("max_bits", &O::maxBits, "2000",
               "most coils or discrete inputs per read request (2000 is the protocol's limit)",
               {"1", "2000"});
    t.optional("allow_write", &O::allowWrite, "false",
               "allow writes (functions 5, 6, 15, 16) to this device; refused while false");
    addInputLimitOptions(t);
    return t;
  }();
  return table;
}

bool validate(ModbusTcpOptions& o, const YAML::Node& block, config::Diagnostics& diags) {
  bool good = true;
  o.groupIntervals.clear();
  for (const auto& [name, text] : o.pollGroups) {
    auto interval = parseDuration(text);
    if (!interval || interval->count() <= 0) {
      diags.add(block["poll_groups"][name],
                "poll group '" + name + "' needs a positive interval, not '" + text + "'",
                "e.g. poll_groups: {fast: 100ms, slow: 10s}");
      good = false;
      continue;
    }
    o.groupIntervals[name] = *interval;
  }
  if (!validateInputLimits(o, block, diags)) good = false;
  if (!validateConnection(o, block, diags, "the device's address, e.g. 192.168.1.40")) {
    good = false;
  }
  return good;
}

SessionOptions sessionOptions(const ModbusTcpOptions& o, ResolveFn resolve) {
  SessionOptions s;
  s.host = o.host;
  s.port = o.port.value;
  s.unit = static_cast<std::uint8_t>(o.unitId);
  s.connectTimeout = o.connectTimeout;
  s.requestTimeout = o.readTimeout;
  s.maxTimeouts = static_cast<int>(o.maxTimeouts);
  s.reconnectMin = o.reconnectMin;
  s.reconnectMax = o.reconnectMax;
  s.resolve = std::move(resolve);
  return s;
}

PlanLimits planLimits(const ModbusTcpOptions& o) {
  return PlanLimits{static_cast<std::uint16_t>(o.maxGap), static_cast<std::uint16_t>(o.maxGapBits),
                    static_cast<std::uint16_t>(o.maxRegisters),
                    static_cast<std::uint16_t>(o.maxBits)};
}

}  // namespace spindle::collectors::modbus_tcp
