#pragma once
/// `spindle sim --protocol haas`: one simulated Haas control (sim/haas_sim.hpp). Its own
/// options and run function, so each simulated protocol keeps its wiring to itself.

#include <chrono>

#include <CLI/CLI.hpp>

#include "sim/haas_sim.hpp"

namespace spindle::cli {

struct HaasSimArgs {
  sim::HaasSimOptions options;
};

/// Declares the --haas-* options on the sim subcommand.
void addHaasSimOptions(CLI::App& cmd, HaasSimArgs& args);

/// Serves the control until SIGINT or SIGTERM; `bind`, `seed`, `timeScale` and `tick` are the
/// sim command's common options. Returns the exit code.
int runHaasSim(HaasSimArgs& args, const std::string& bind, std::uint64_t seed, double timeScale,
               std::chrono::milliseconds tick);

}  // namespace spindle::cli
