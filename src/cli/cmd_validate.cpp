#include <iostream>

#include "cli/command.hpp"
#include "cli/config_loading.hpp"

namespace spindle::cli {

Command addValidateCommand(CLI::App& app) {
  struct Args {
    std::string file;
    bool demo = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("validate", "check a configuration without touching the network");
  cmd->add_option("file", args->file, "configuration file")->check(CLI::ExistingFile);
  cmd->add_flag("--demo", args->demo, "check the embedded demo configuration");

  return {cmd, [args](const CommandContext& ctx) {
            if (args->demo == !args->file.empty()) {
              std::cerr << "spindle validate: give a FILE or --demo\n";
              return kExitUsage;
            }
            auto loaded = loadConfiguration(args->file, args->demo, ctx.registry);
            if (!loaded.config) {
              printDiagnostics(loaded.diagnostics);
              return kExitUsage;
            }
            const auto& cfg = *loaded.config;
            std::cout << cfg.source << ": valid (" << cfg.machines.size() << " machines";
            if (cfg.simulator.enabled) std::cout << ", simulator on";
            std::cout << ")\n";
            return kExitOk;
          }};
}

Command addVersionCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("version", "print the version");
  return {cmd, [](const CommandContext&) {
            std::cout << "spindle " << SPINDLE_VERSION << "\n";
            return kExitOk;
          }};
}

}  // namespace spindle::cli
