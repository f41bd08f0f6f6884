#pragma once
/// `spindle sim --protocol mitsubishi`: simulated Mitsubishi NCs over EZSocket (GIOP)
/// (sim/mitsubishi_sim.hpp). Its own options and run function, like the other simulated
/// protocols.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sim/mitsubishi_sim.hpp"

namespace spindle::cli {

struct MitsubishiSimArgs {
  sim::MitsubishiSimOptions options;
  std::vector<std::string> types{"m700m"};
  std::int64_t delayMs = 0;
  std::int64_t dropEveryMs = 0;
};

/// Declares the --mitsubishi-* options on the sim subcommand.
void addMitsubishiSimOptions(CLI::App& cmd, MitsubishiSimArgs& args);

/// Serves the NCs until SIGINT or SIGTERM. `basePort` empty when not given (then 683).
int runMitsubishiSim(MitsubishiSimArgs& args, const std::string& bind, int machines,
                     std::uint64_t seed, double timeScale, std::chrono::milliseconds tick,
                     const std::vector<std::string>& names, std::optional<std::uint16_t> basePort);

}  // namespace spindle::cli
