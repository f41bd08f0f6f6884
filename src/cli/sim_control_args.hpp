#pragma once
/// What the request/reply simulators (`spindle sim --protocol focas|lsv2|mitsubishi`) share on
/// the command line: the sim command's common options, the fault options
/// (--<protocol>-split, -delay, -cut-every, -garbage-every, -drop-every) and serving until a
/// signal (sim/control_server.hpp).

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>

#include "sim/control_server.hpp"

namespace spindle::cli {

/// The sim command's options every protocol takes.
struct SimCommonArgs {
  std::string bind;
  int machines = 1;
  std::uint64_t seed = 1;
  double timeScale = 1.0;
  std::chrono::milliseconds tick{100};
  std::vector<std::string> names;
  std::optional<std::uint16_t> basePort;  ///< empty: the protocol's own base port
};

/// The fault options as given (milliseconds), until applied to the options.
struct SimFaultArgs {
  std::int64_t delayMs = 0;
  std::int64_t dropEveryMs = 0;
};

/// How a protocol's fault options read in the help: "<protocol>: answer every <unit> this
/// late (ms)", "<protocol>: cut every n-th reply off <cutHow>and close (0: never)".
struct SimFaultTexts {
  std::string protocol;  ///< "focas": --focas-delay
  std::string unit;      ///< "request"
  std::string cutHow;    ///< "mid sub-packet ", "" or "half-way "
};

/// Declares --<protocol>-split, -delay, -cut-every, -garbage-every and -drop-every, in that
/// order; split, cut and garbage go straight into `faults`, delay and drop into `args`.
void addSimFaultOptions(CLI::App& cmd, const SimFaultTexts& texts, sim::ReplyFaults& faults,
                        SimFaultArgs& args);

/// Copies the common options and the fault durations into `o`; the base port only when given.
void applySimArgs(sim::ControlSimOptions& o, const SimCommonArgs& common,
                  const SimFaultArgs& faults);

/// Starts `sim`, logs "<name> serving <what(i)> on <bind>:<port>" for every machine, and serves
/// until SIGINT or SIGTERM. Returns the exit code.
int serveControls(boost::asio::io_context& io, sim::ControlHost& sim, const std::string& bind,
                  const std::function<std::string(std::size_t)>& what);

}  // namespace spindle::cli
