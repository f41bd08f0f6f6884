#pragma once
/// `spindle sim --protocol mitsubishi`: simulated Mitsubishi NCs over EZSocket (GIOP)
/// (sim/mitsubishi_sim.hpp). Its own options and run function, like the other simulated
/// protocols.

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/sim_control_args.hpp"
#include "sim/mitsubishi_sim.hpp"

namespace spindle::cli {

struct MitsubishiSimArgs {
  sim::MitsubishiSimOptions options;
  std::vector<std::string> types{"m700m"};
  SimFaultArgs faults;
};

/// Declares the --mitsubishi-* options on the sim subcommand.
void addMitsubishiSimOptions(CLI::App& cmd, MitsubishiSimArgs& args);

/// Serves the NCs until SIGINT or SIGTERM (base port 683 unless given).
int runMitsubishiSim(MitsubishiSimArgs& args, const SimCommonArgs& common);

}  // namespace spindle::cli
