#pragma once
/// How a subcommand plugs into the CLI: each cmd_<name>.cpp defines add<Name>Command(), which
/// declares its CLI11 subcommand and returns the function that runs it when chosen.

#include <functional>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/log.hpp"
#include "collectors/registry.hpp"

namespace boost::asio {
class io_context;
}

namespace spindle::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

/// What every command may use once arguments are parsed.
struct CommandContext {
  const collectors::Registry& registry;
  LogFormat logFormat = LogFormat::kText;
  bool logLevelGiven = false;  ///< --log-level was on the command line
};

struct Command {
  CLI::App* app = nullptr;                        ///< the subcommand
  std::function<int(const CommandContext&)> run;  ///< returns the exit code
};

/// Runs `io` until SIGINT or SIGTERM, then logs "stopping", calls `stop` and stops `io`;
/// returns kExitOk. How every `spindle sim` protocol ends (cmd_sim.cpp).
int runUntilSignal(boost::asio::io_context& io, spdlog::logger& log,
                   const std::function<void()>& stop);

Command addRunCommand(CLI::App& app);
Command addValidateCommand(CLI::App& app);
Command addSimCommand(CLI::App& app);
Command addVersionCommand(CLI::App& app);
Command addJournalCommand(CLI::App& app);    // cmd_journal.cpp
Command addNetcheckCommand(CLI::App& app);   // cmd_netcheck.cpp
Command addStatusCommand(CLI::App& app);     // cmd_status.cpp
Command addUpdateCommand(CLI::App& app);     // cmd_update.cpp (sign, keygen: cmd_update_sign.cpp)
Command addFleetCommand(CLI::App& app);      // cmd_fleet.cpp (cmd_fleet_config.cpp, _ops.cpp)
Command addOpcuaCommand(CLI::App& app);      // cmd_opcua.cpp
Command addDebugCommand(CLI::App& app);      // cmd_debug.cpp (hidden: debug crash)
Command addProvisionCommand(CLI::App& app);  // cmd_provision.cpp
Command addStoreCommand(CLI::App& app);      // cmd_store.cpp (the adapter store's sign-index)
Command addUploadCommand(CLI::App& app);     // cmd_upload.cpp

}  // namespace spindle::cli
