#include "collectors/lsv2/lsv2_options.hpp"

#include "collectors/connection_options.hpp"
#include "collectors/input_limit_options.hpp"

namespace spindle::collectors::lsv2 {

const config::OptionTable<Lsv2Options>& optionTable() {
  static const auto table = [] {
    using O = Lsv2Options;
    config::OptionTable<O> t;
    addConnectionOptions(t, {.defaultPort = kDefaultPort,
                             .portHelp = "LSV2 port of the control (19000)",
                             .hostHelp = "address of the Heidenhain control, e.g. host: "
                                         "192.168.1.70",
                             .readTimeoutDefault = "2s"});
    t.optional("poll_interval", &O::pollInterval, "1s",
               "run information (axes, mode, program, overrides, state, tool), the script's "
               "PLC operands and the data paths, one telegram each",
               {"10ms", "1h"});
    t.optional("slow_interval", &O::slowInterval, "10s", "the NC error list (iTNC 530: R_RI 27/28)",
               {"100ms", "24h"});
    t.optional("dnc", &O::dnc, "true",
               "log in as DNC for machine state (needs the control's DNC option; refused: "
               "only what INSPECT gives is reported)");
    t.optional("plc_password", &O::plcPassword, "",
               "password of the PLCDEBUG login the script's plc_ keys need; empty: none sent");
    t.optional("data_paths", &O::dataPaths, "{}",
               "iTNC 530 data paths read with R_DP (DATA login), as key: path, e.g. "
               "tool_1_length: '\\TABLE\\TOOL\\T\\1\\L'");
    t.optional("max_errors", &O::maxErrors, "20", "NC errors read per round", {"1", "200"});
    t.optional("max_buffer", &O::maxBuffer, "4KiB",
               "largest telegram buffer asked for with C_CC (the control's R_PR max block "
               "length bounds it too)",
               {"256B", "4KiB"});
    addInputLimitOptions(t);
    return t;
  }();
  return table;
}

bool validate(Lsv2Options& o, const YAML::Node& block, config::Diagnostics& diags) {
  bool good = true;
  if (o.slowInterval < o.pollInterval) {
    diags.add(block["slow_interval"], "slow_interval is shorter than poll_interval",
              "the error list is read less often than the run information");
    good = false;
  }
  for (const auto& [key, path] : o.dataPaths) {
    if (path.empty() || path[0] != '\\' || path.size() > 200) {
      diags.add(block["data_paths"][key], "data path of '" + key + "' is not a path",
                "e.g. '\\PLC\\memory\\D\\0' or '\\TABLE\\TOOL\\T\\1\\L'");
      good = false;
    }
  }
  if (!validateInputLimits(o, block, diags)) good = false;
  if (!validateConnection(o, block, diags, "the control's address, e.g. 192.168.1.70")) {
    good = false;
  }
  return good;
}

SessionOptions sessionOptions(const Lsv2Options& o, bool plcLogin, ResolveFn resolve) {
  SessionOptions s;
  s.host = o.host;
  s.port = o.port.value;
  s.connectTimeout = o.connectTimeout;
  s.requestTimeout = o.readTimeout;
  s.reconnectMin = o.reconnectMin;
  s.reconnectMax = o.reconnectMax;
  s.maxBuffer = static_cast<std::size_t>(o.maxBuffer.bytes);
  s.dnc = o.dnc;
  if (plcLogin) s.logins.emplace_back("PLCDEBUG", o.plcPassword);
  if (!o.dataPaths.empty()) s.logins.emplace_back("DATA", "");
  s.resolve = std::move(resolve);
  return s;
}

}  // namespace spindle::collectors::lsv2
