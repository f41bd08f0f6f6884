#include "collectors/focas/focas_options.hpp"

#include <charconv>
#include <filesystem>

#include <unistd.h>

#include "collectors/connection_options.hpp"
#include "collectors/input_limit_options.hpp"

namespace spindle::collectors::focas {

const config::OptionTable<FocasOptions>& optionTable() {
  static const auto table = [] {
    using O = FocasOptions;
    config::OptionTable<O> t;
    addConnectionOptions(t, {.defaultPort = kDefaultPort,
                             .portHelp = "FOCAS/Ethernet port of the control (parameter 14882 "
                                         "or the Ethernet setting screen)",
                             .hostHelp = "address of the FANUC control, e.g. host: 192.168.1.60",
                             .readTimeoutDefault = "2s"});
    t.optional("paths", &O::paths, "[1]",
               "the control paths this connection reads (one FOCAS session for all of them); "
               "keys of path n > 1 start with p<n>_");
    t.optional("poll_interval", &O::pollInterval, "1s",
               "the fast group (status, program, feed, spindle, positions, loads) in one request",
               {"10ms", "1h"});
    t.optional("slow_interval", &O::slowInterval, "10s",
               "the slow group (alarm texts, timers, and the script's parameters, diagnoses, "
               "macros and PMC addresses)",
               {"100ms", "24h"});
    t.optional("max_alarms", &O::maxAlarms, "10", "alarm messages read per path and round",
               {"1", "100"});
    t.optional("max_frame", &O::maxFrame, "32KiB",
               "largest reply frame accepted; a longer one drops the connection",
               {"1KiB", "64KiB"});
    t.optional("fwlib", &O::fwlib, "",
               "FANUC's FOCAS library for Linux (your licensed libfwlib32.so): adds spindle "
               "loads (spindle_load_<n>) and the script's tool offsets (tool_offset_<n>); "
               "empty = native client only");
    t.optional("allow_write", &O::allowWrite, "false",
               "allow the script's writes of macro variables (macro_<n>); refused while false");
    addInputLimitOptions(t);
    return t;
  }();
  return table;
}

bool validate(FocasOptions& o, const YAML::Node& block, config::Diagnostics& diags) {
  bool good = true;
  if (o.paths.empty()) {
    diags.add(block["paths"], "paths is empty", "e.g. paths: [1] or paths: [1, 2]");
    good = false;
  }
  o.pathNumbers.clear();
  for (std::size_t i = 0; i < o.paths.size(); ++i) {
    const std::string& text = o.paths[i];
    int p = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
    bool repeated = false;
    for (auto k : o.pathNumbers) repeated = repeated || k == p;
    if (ec != std::errc() || end != text.data() + text.size() || p < 1 || p > 10 || repeated) {
      diags.add(block["paths"][i], "path '" + text + "' is not a number 1..10 or is repeated",
                "e.g. paths: [1, 2]");
      good = false;
      continue;
    }
    o.pathNumbers.push_back(static_cast<std::uint16_t>(p));
  }
  if (o.slowInterval < o.pollInterval) {
    diags.add(block["slow_interval"], "slow_interval is shorter than poll_interval",
              "the slow group is read less often than the fast one");
    good = false;
  }
  if (!o.fwlib.empty()) {
    // Only a look at the file: loading it (dlopen, startup) is the collector's start.
    std::error_code ec;
    const std::filesystem::path file(o.fwlib);
    if (!std::filesystem::is_regular_file(file, ec) || ::access(file.c_str(), R_OK) != 0) {
      diags.add(block["fwlib"], "fwlib '" + o.fwlib + "' is not a readable file",
                "the path of FANUC's FOCAS library, e.g. /opt/fanuc/lib/libfwlib32.so");
      good = false;
    }
  }
  if (!validateInputLimits(o, block, diags)) good = false;
  if (!validateConnection(o, block, diags, "the control's address, e.g. 192.168.1.60")) {
    good = false;
  }
  return good;
}

SessionOptions sessionOptions(const FocasOptions& o, ResolveFn resolve) {
  SessionOptions s;
  s.host = o.host;
  s.port = o.port.value;
  s.connectTimeout = o.connectTimeout;
  s.requestTimeout = o.readTimeout;
  s.reconnectMin = o.reconnectMin;
  s.reconnectMax = o.reconnectMax;
  s.maxFrame = o.maxFrame.bytes;
  s.resolve = std::move(resolve);
  return s;
}

}  // namespace spindle::collectors::focas
