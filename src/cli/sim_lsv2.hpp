#pragma once
/// `spindle sim --protocol lsv2`: simulated Heidenhain controls over LSV2 (sim/lsv2_sim.hpp).
/// Its own options and run function, like the other simulated protocols.

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/sim_control_args.hpp"
#include "sim/lsv2_sim.hpp"

namespace spindle::cli {

struct Lsv2SimArgs {
  sim::Lsv2SimOptions options;
  std::vector<std::string> controls{"itnc530"};
  bool noDnc = false;
  SimFaultArgs faults;
};

/// Declares the --lsv2-* options on the sim subcommand.
void addLsv2SimOptions(CLI::App& cmd, Lsv2SimArgs& args);

/// Serves the controls until SIGINT or SIGTERM (base port 19000 unless given).
int runLsv2Sim(Lsv2SimArgs& args, const SimCommonArgs& common);

}  // namespace spindle::cli
