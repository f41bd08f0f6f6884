#include "collectors/mitsubishi/mitsubishi_options.hpp"

#include <charconv>

#include "collectors/connection_options.hpp"
#include "collectors/input_limit_options.hpp"

namespace spindle::collectors::mitsubishi {

const config::OptionTable<MitsubishiOptions>& optionTable() {
  static const auto table = [] {
    using O = MitsubishiOptions;
    config::OptionTable<O> t;
    addConnectionOptions(t, {.defaultPort = kDefaultPort,
                             .portHelp = "EZSocket (GIOP) port of the NC; 683, some M700s use 1683",
                             .hostHelp = "address of the Mitsubishi NC, e.g. host: 192.168.1.70",
                             .readTimeoutDefault = "2s"});
    t.optional("system_type", &O::systemType, "m700m",
               "the NC: m700m or m700l (M700, M70, Citizen M700), m800m or m800l (M800, M80); "
               "m = machining centre, l = lathe");
    t.optional("part_systems", &O::partSystems, "[1]",
               "the part systems this connection reads; keys of part system n > 1 start with "
               "p<n>_");
    t.optional("poll_interval", &O::pollInterval, "1s",
               "status, program, feeds, spindle, tool, part count, positions, loads, alarms",
               {"10ms", "1h"});
    t.optional("slow_interval", &O::slowInterval, "10s",
               "machine positions, distances to go, program path, time counters and the "
               "script's PLC devices and addresses",
               {"100ms", "24h"});
    t.optional("max_alarms", &O::maxAlarms, "10", "alarm messages read per part system and poll",
               {"1", "10"});
    t.optional("pipeline", &O::pipeline, "16",
               "requests sent before their answers arrive (GIOP request ids keep them apart); 1 "
               "for an NC that answers only one at a time",
               {"1", "64"});
    t.optional("max_message", &O::maxMessage, "64KiB",
               "largest GIOP message accepted; a longer one drops the connection",
               {"1KiB", "1MiB"});
    addInputLimitOptions(t);
    return t;
  }();
  return table;
}

bool validate(MitsubishiOptions& o, const YAML::Node& block, config::Diagnostics& diags) {
  bool good = true;
  if (auto t = parseSystemType(o.systemType)) {
    o.system = *t;
  } else {
    diags.add(block["system_type"], t.error().message(), "e.g. system_type: m700l");
    good = false;
  }
  if (o.partSystems.empty()) {
    diags.add(block["part_systems"], "part_systems is empty", "e.g. part_systems: [1, 2]");
    good = false;
  }
  o.partSystemNumbers.clear();
  for (std::size_t i = 0; i < o.partSystems.size(); ++i) {
    const std::string& text = o.partSystems[i];
    std::uint32_t n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    bool repeated = false;
    for (auto k : o.partSystemNumbers) repeated = repeated || k == n;
    if (ec != std::errc() || end != text.data() + text.size() || n < 1 || n > 8 || repeated) {
      diags.add(block["part_systems"][i],
                "part system '" + text + "' is not a number 1..8 or is repeated",
                "e.g. part_systems: [1, 2]");
      good = false;
      continue;
    }
    o.partSystemNumbers.push_back(n);
  }
  if (o.slowInterval < o.pollInterval) {
    diags.add(block["slow_interval"], "slow_interval is shorter than poll_interval",
              "the slow group is read less often than the fast one");
    good = false;
  }
  if (!validateInputLimits(o, block, diags)) good = false;
  if (!validateConnection(o, block, diags, "the NC's address, e.g. 192.168.1.70")) good = false;
  return good;
}

SessionOptions sessionOptions(const MitsubishiOptions& o, ResolveFn resolve) {
  SessionOptions s;
  s.host = o.host;
  s.port = o.port.value;
  s.connectTimeout = o.connectTimeout;
  s.requestTimeout = o.readTimeout;
  s.reconnectMin = o.reconnectMin;
  s.reconnectMax = o.reconnectMax;
  s.maxMessage = o.maxMessage.bytes;
  s.pipeline = static_cast<std::size_t>(o.pipeline);
  s.resolve = std::move(resolve);
  return s;
}

}  // namespace spindle::collectors::mitsubishi
