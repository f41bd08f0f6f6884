#include <iostream>

#include "cli/command.hpp"

namespace spindle::cli {

// Placeholder until the journal part lands; it says so instead of pretending.
Command addJournalCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("journal", "not available yet in this build");
  cmd->allow_extras();
  return {cmd, [](const CommandContext&) {
            std::cerr << "spindle journal: not available yet in this build\n";
            return kExitFailure;
          }};
}

}  // namespace spindle::cli
