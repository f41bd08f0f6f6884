#pragma once
/// `spindle sim --protocol focas`: simulated FANUC controls over FOCAS/Ethernet
/// (sim/focas_sim.hpp). Its own options and run function, like the other simulated protocols.

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/sim_control_args.hpp"
#include "sim/focas_sim.hpp"

namespace spindle::cli {

struct FocasSimArgs {
  sim::FocasSimOptions options;
  std::vector<std::string> series{"30i"};
  SimFaultArgs faults;
};

/// Declares the --focas-* options on the sim subcommand.
void addFocasSimOptions(CLI::App& cmd, FocasSimArgs& args);

/// Serves the controls until SIGINT or SIGTERM (base port 8193 unless given).
int runFocasSim(FocasSimArgs& args, const SimCommonArgs& common);

}  // namespace spindle::cli
