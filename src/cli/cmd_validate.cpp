#include <algorithm>
#include <iostream>

#include "cli/command.hpp"
#include "cli/config_loading.hpp"
#include "update/build_stamp.hpp"
#include "uplinks/registry.hpp"

namespace spindle::cli {

namespace {

/// One line per plugin: name, default port, description.
template <typename Registry>
void printPlugins(std::ostream& out, const char* heading, const Registry& registry) {
  out << heading << ":\n";
  std::size_t width = 0;
  for (const auto& name : registry.names()) width = std::max(width, name.size());
  for (const auto& name : registry.names()) {
    const auto* info = registry.find(name);
    out << "  " << name << std::string(width - name.size() + 2, ' ');
    if (info->defaultPort != 0) {
      out << "port " << info->defaultPort;
    } else {
      out << "no port  ";
    }
    out << "  " << info->description << "\n";
  }
}

}  // namespace

Command addValidateCommand(CLI::App& app) {
  struct Args {
    std::string file;
    bool demo = false;
    bool list = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("validate", "check a configuration without touching the network");
  cmd->add_option("file", args->file, "configuration file")->check(CLI::ExistingFile);
  cmd->add_flag("--demo", args->demo, "check the embedded demo configuration");
  cmd->add_flag("--list", args->list,
                "list the collectors and uplinks compiled into this binary with their default "
                "ports");

  return {cmd, [args](const CommandContext& ctx) {
            if (args->list) {
              printPlugins(std::cout, "collectors", ctx.registry);
              printPlugins(std::cout, "uplinks", uplinks::builtinUplinks());
              return kExitOk;
            }
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
            std::cout << "spindle " << update::buildVersion() << "\n";
            return kExitOk;
          }};
}

}  // namespace spindle::cli
