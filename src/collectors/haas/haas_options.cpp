#include "collectors/haas/haas_options.hpp"

#include <charconv>

#include "collectors/connection_options.hpp"
#include "collectors/input_limit_options.hpp"

namespace spindle::collectors::haas {

const config::OptionTable<HaasOptions>& optionTable() {
  static const auto table = [] {
    using O = HaasOptions;
    config::OptionTable<O> t;
    t.choice("transport", &O::transport, {"tcp", "serial"}, "tcp",
             "tcp: a serial device server (raw TCP server mode) or an NGC control's Machine Data "
             "Collection port; serial: a local serial port (device)");
    t.choice("framing", &O::framing, {"classic", "ngc"}, "classic",
             "classic: RS-232 Q-commands (Q100, replies STX..ETB then '>'); ngc: Machine Data "
             "Collection over Ethernet (?Q100, replies on '>' lines)");
    addConnectionOptions(
        t, {.defaultPort = kDefaultPort,
            .portHelp = "TCP port: the device server's port, or the NGC control's Setting 143",
            .hostHelp = "transport tcp: the device server's or NGC control's address, e.g. host: "
                        "192.168.1.50",
            .hostRequired = false,
            .readTimeoutDefault = "2s"});
    t.optional("device", &O::device, "", "transport serial: the serial port, e.g. /dev/ttyUSB0");
    t.optional("baud", &O::baud, "19200", "serial: bits per second, as set on the control",
               {"300", "115200"});
    t.choice("parity", &O::parity, {"none", "even", "odd"}, "even",
             "serial: parity, as set on the control");
    t.optional("data_bits", &O::dataBits, "7", "serial: 7 or 8, as set on the control", {"7", "8"});
    t.optional("stop_bits", &O::stopBits, "1", "serial: 1 or 2, as set on the control", {"1", "2"});
    t.optional("commands", &O::commands,
               "[Q104, Q200, Q201, Q300, Q301, Q303, Q304, Q402, "
               "Q403, Q500]",
               "Q-commands asked every round (Q100, Q101, Q102 are asked once per connection; "
               "Q600 variables come from the script's keys macro_<n> or var_<n>)");
    t.optional("variables", &O::variables, "[]",
               "more Q600 variables to read besides the script's, as keys: [macro_5021, "
               "var_3027]");
    t.optional("poll_interval", &O::pollInterval, "1s", "time from one round's start to the next",
               {"10ms", "1h"});
    t.optional("pacing", &O::pacing, "20ms", "pause between a reply and the next command",
               {"0s", "10s"});
    t.optional("max_timeouts", &O::maxTimeouts, "3",
               "commands in a row without an answer (read_timeout each) before the connection "
               "is dropped and opened again",
               {"1", "100"});
    t.optional("max_reply", &O::maxReply, "1KiB", "longest reply kept; longer ones are dropped",
               {"64B", "64KiB"});
    addInputLimitOptions(t);
    return t;
  }();
  return table;
}

namespace {

std::optional<int> codeOf(std::string_view text) {
  if (!text.empty() && (text.front() == 'Q' || text.front() == 'q')) text.remove_prefix(1);
  int code = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), code);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return code;
}

}  // namespace

bool validate(HaasOptions& o, const YAML::Node& block, config::Diagnostics& diags) {
  bool good = true;
  if (o.transport == "tcp" && o.host.empty()) {
    diags.add(block, "transport tcp needs host",
              "e.g. host: 192.168.1.50 (a serial device server on port 4001, or an NGC control "
              "with port: its Setting 143)");
    good = false;
  }
  if (o.transport == "serial") {
    if (o.device.empty()) {
      diags.add(block, "transport serial needs device", "e.g. device: /dev/ttyUSB0");
      good = false;
    }
    if (block["host"]) {
      diags.add(block["host"], "host is for transport tcp", "give device: for a serial port");
      good = false;
    }
    if (!serialBaud(o.baud)) {
      diags.add(block["baud"], "baud " + std::to_string(o.baud) + " is not a standard rate",
                "use 300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600 or 115200");
      good = false;
    }
  }
  o.pollCodes.clear();
  for (std::size_t i = 0; i < o.commands.size(); ++i) {
    const auto code = codeOf(o.commands[i]);
    if (!code || *code == 600 || !isKnownCode(*code)) {
      diags.add(block["commands"][i], "'" + o.commands[i] + "' is not a Q-command to poll",
                "use Q100, Q101, Q102, Q104, Q200, Q201, Q300, Q301, Q303, Q304, Q402, Q403, "
                "Q500; Q600 variables come from keys macro_<n>");
      good = false;
    } else {
      o.pollCodes.push_back(*code);
    }
  }
  for (std::size_t i = 0; i < o.variables.size(); ++i) {
    if (!variableOfKey(o.variables[i])) {
      diags.add(block["variables"][i], "'" + o.variables[i] + "' names no Q600 variable",
                "write macro_<n> or var_<n>, n from 1 to 99999");
      good = false;
    }
  }
  if (o.pollInterval < o.pacing) {
    diags.add(block["pacing"], "pacing is longer than poll_interval");
    good = false;
  }
  if (!validateInputLimits(o, block, diags)) good = false;
  if (!validateConnection(o, block, diags, "the device server's address, e.g. 192.168.1.50")) {
    good = false;
  }
  return good;
}

SessionOptions sessionOptions(const HaasOptions& o, ResolveFn resolve) {
  SessionOptions s;
  s.serial = o.transport == "serial";
  s.host = o.host;
  s.port = o.port.value;
  s.device = o.device;
  s.line = SerialLine{static_cast<int>(o.baud),
                      o.parity == "even"  ? 'E'
                      : o.parity == "odd" ? 'O'
                                          : 'N',
                      static_cast<int>(o.dataBits), static_cast<int>(o.stopBits)};
  s.connectTimeout = o.connectTimeout;
  s.reconnectMin = o.reconnectMin;
  s.reconnectMax = o.reconnectMax;
  s.resolve = std::move(resolve);
  return s;
}

Framing framingOf(const HaasOptions& o) {
  return o.framing == "ngc" ? Framing::kNgc : Framing::kClassic;
}

}  // namespace spindle::collectors::haas
