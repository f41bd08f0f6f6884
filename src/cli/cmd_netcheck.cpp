#include <iostream>

#include "cli/command.hpp"

namespace spindle::cli {

// Placeholder until the netcheck part lands; it says so instead of pretending.
Command addNetcheckCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("netcheck", "not available yet in this build");
  cmd->allow_extras();
  return {cmd, [](const CommandContext&) {
            std::cerr << "spindle netcheck: not available yet in this build\n";
            return kExitFailure;
          }};
}

}  // namespace spindle::cli
