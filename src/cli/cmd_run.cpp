#include <iostream>

#include "app/gateway.hpp"
#include "cli/command.hpp"
#include "cli/config_loading.hpp"
#include "control/crash/crash_handler.hpp"
#include "update/launcher.hpp"
#include "update/signing.hpp"
#include "update/updater.hpp"

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
            // The launcher: a newer installed version runs instead of this binary (exec, no
            // return), and a trial's crash limit is enforced (update/launcher.hpp).
            const auto updateOptions =
                loaded.config->cloud.update.value_or(update::UpdateOptions{});
            const std::string dataDir = loaded.config->edge.dataDir;
            update::launch(dataDir, updateOptions.maxCrashes, *makeLogger("update"));
            // A crash from here on leaves a report the next start sends (control/crash).
            update::Sha256 configHash;
            configHash.update(loaded.text.data(), loaded.text.size());
            if (auto installed = control::crash::installCrashHandler(
                    {control::crash::crashDirectory(dataDir), SPINDLE_VERSION, configHash.hex()});
                !installed) {
              makeLogger("crash")->warn("no crash reports: {}", installed.error().describe());
            }
            auto keys = update::loadTrustedKeys(updateOptions);
            if (!keys) {
              std::cerr << "spindle run: " << keys.error().describe() << "\n";
              return kExitUsage;
            }
            update::Updater updater(update::InstallEnv{dataDir, updateOptions, *keys, nullptr},
                                    loaded.config->edge.id);
            app::RunOptions options;
            options.updater = &updater;
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
            const int code = gateway.run();
            // After an update or a roll back: exit so that the supervisor starts the version
            // `current` names (systemd's Restart= restarts any non-zero exit).
            return updater.restartRequested() ? update::kRestartExitCode : code;
          }};
}

}  // namespace spindle::cli
