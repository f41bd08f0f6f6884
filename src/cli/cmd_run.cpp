#include <iostream>

#include "app/gateway.hpp"
#include "cli/command.hpp"
#include "cli/config_loading.hpp"

namespace spindle::cli {

Command addRunCommand(CLI::App& app) {
  struct Args {
    std::string config;
    bool demo = false;
    std::string runFor;
    bool toStdout = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("run", "collect from the configured machines");
  cmd->add_option("-c,--config", args->config, "configuration file (spindle.yaml)")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--demo", args->demo, "run the embedded demo: simulated machines, local storage");
  cmd->add_option("--for", args->runFor, "stop by itself after this long, e.g. 30s");
  cmd->add_flag("--stdout", args->toStdout,
                "write observations to stdout instead of the output file");

  return {cmd, [args](const CommandContext& ctx) {
            if (args->demo == !args->config.empty()) {
              std::cerr << "spindle run: give either --config FILE or --demo\n";
              return kExitUsage;
            }
            auto loaded = loadConfiguration(args->config, args->demo, ctx.registry);
            if (!loaded.config) {
              printDiagnostics(loaded.diagnostics);
              return kExitUsage;
            }
            app::RunOptions options;
            options.toStdout = args->toStdout;
            // Under systemd (Type=notify, WatchdogSec=): readiness and the watchdog's pings.
            options.notify = app::ServiceNotify::fromEnvironment();
            if (!args->runFor.empty()) {
              auto d = parseDuration(args->runFor);
              if (!d) {
                std::cerr << "spindle run: --for: " << d.error().message() << "\n";
                return kExitUsage;
              }
              options.runFor = d.value();
            }
            SystemClock clock;
            app::Gateway gateway(std::move(*loaded.config), std::move(loaded.text), options, clock);
            return gateway.run();
          }};
}

}  // namespace spindle::cli
