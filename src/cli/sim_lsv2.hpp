#pragma once
/// `spindle sim --protocol lsv2`: simulated Heidenhain controls over LSV2 (sim/lsv2_sim.hpp).
/// Its own options and run function, like the other simulated protocols.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sim/lsv2_sim.hpp"

namespace spindle::cli {

struct Lsv2SimArgs {
  sim::Lsv2SimOptions options;
  std::vector<std::string> controls{"itnc530"};
  bool noDnc = false;
  std::int64_t delayMs = 0;
  std::int64_t dropEveryMs = 0;
};

/// Declares the --lsv2-* options on the sim subcommand.
void addLsv2SimOptions(CLI::App& cmd, Lsv2SimArgs& args);

/// Serves the controls until SIGINT or SIGTERM. `basePort` empty when not given (then 19000).
int runLsv2Sim(Lsv2SimArgs& args, const std::string& bind, int machines, std::uint64_t seed,
               double timeScale, std::chrono::milliseconds tick,
               const std::vector<std::string>& names, std::optional<std::uint16_t> basePort);

}  // namespace spindle::cli
