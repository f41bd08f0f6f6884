#pragma once
/// `spindle sim --protocol focas`: simulated FANUC controls over FOCAS/Ethernet
/// (sim/focas_sim.hpp). Its own options and run function, like the other simulated protocols.

#include <chrono>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sim/focas_sim.hpp"

namespace spindle::cli {

struct FocasSimArgs {
  sim::FocasSimOptions options;
  std::vector<std::string> series{"30i"};
  std::int64_t delayMs = 0;
  std::int64_t dropEveryMs = 0;
};

/// Declares the --focas-* options on the sim subcommand.
void addFocasSimOptions(CLI::App& cmd, FocasSimArgs& args);

/// Serves the controls until SIGINT or SIGTERM. `basePort` 0 when not given (then 8193).
int runFocasSim(FocasSimArgs& args, const std::string& bind, int machines, std::uint64_t seed,
                double timeScale, std::chrono::milliseconds tick,
                const std::vector<std::string>& names, std::optional<std::uint16_t> basePort);

}  // namespace spindle::cli
