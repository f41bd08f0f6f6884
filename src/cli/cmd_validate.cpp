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
    std::string port =
        info->defaultPort != 0 ? "port " + std::to_string(info->defaultPort) : "no port";
    port.resize(std::max<std::size_t>(port.size(), 10), ' ');  // "port 65535" at most
    out << port << "  " << info->description << "\n";
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
  auto* cmd = app.add_subcommand(
      "validate", "check a configuration (only adapter store scripts not cached are fetched)");
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
            // Store scripts the cache holds are checked from there, whatever their age: only
            // what it lacks is fetched (docs/scripts.md).
            auto loaded = loadConfiguration(args->file, args->demo, ctx.registry,
                                            transform::store::StoreAccess::kCacheFirst);
            if (!loaded.config) {
              printDiagnostics(loaded.diagnostics);
              return kExitUsage;
            }
            const auto& cfg = *loaded.config;
            std::cout << cfg.source << ": valid (" << cfg.machines.size() << " machines";
            if (cfg.simulator.enabled) std::cout << ", simulator on";
            std::cout << ")\n";
            for (const auto& note : cfg.notes) std::cout << "  " << note << "\n";
            for (const auto& warning : cfg.warnings) std::cout << "  warning: " << warning << "\n";
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
