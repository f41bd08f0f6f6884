#include "cli/commands.hpp"

#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "app/gateway.hpp"
#include "base/log.hpp"
#include "collectors/registry.hpp"
#include "sim/sim_server.hpp"

namespace spindle::cli {
namespace {

struct GlobalOptions {
  std::string logFormat = "text";
  std::string logLevel = "info";
};

int applyLogging(const GlobalOptions& g) {
  const auto level = spdlog::level::from_str(g.logLevel);
  if (level == spdlog::level::off && g.logLevel != "off") {
    std::cerr << "spindle: unknown log level '" << g.logLevel
              << "' (use trace, debug, info, warn, error, critical or off)\n";
    return kExitUsage;
  }
  setupLogging(g.logFormat == "json" ? LogFormat::kJson : LogFormat::kText, level);
  return kExitOk;
}

std::optional<app::LoadResult> loadConfig(const std::string& file, bool demo,
                                          const collectors::Registry& registry) {
  if (demo) return app::loadConfigText(app::demoConfigText(), "<demo>", registry);
  return app::loadConfigFile(file, registry);
}

void printDiagnostics(const config::Diagnostics& diags) {
  std::cerr << diags.describe();
  std::cerr << diags.size() << (diags.size() == 1 ? " problem" : " problems") << " in "
            << (diags.file().empty() ? "the configuration" : diags.file()) << "\n";
}

int cmdRun(const std::string& file, bool demo, const std::string& runFor, bool toStdout,
           const collectors::Registry& registry) {
  auto loaded = loadConfig(file, demo, registry);
  if (!loaded->config) {
    printDiagnostics(loaded->diagnostics);
    return kExitUsage;
  }
  app::RunOptions options;
  options.toStdout = toStdout;
  if (!runFor.empty()) {
    auto d = parseDuration(runFor);
    if (!d) {
      std::cerr << "spindle: --for: " << d.error().message() << "\n";
      return kExitUsage;
    }
    options.runFor = d.value();
  }
  SystemClock clock;
  app::Gateway gateway(std::move(*loaded->config), options, clock);
  return gateway.run();
}

int cmdValidate(const std::string& file, bool demo, const collectors::Registry& registry) {
  auto loaded = loadConfig(file, demo, registry);
  if (!loaded->config) {
    printDiagnostics(loaded->diagnostics);
    return kExitUsage;
  }
  const auto& cfg = *loaded->config;
  std::cout << cfg.source << ": valid (" << cfg.machines.size() << " machines";
  if (cfg.simulator.enabled) std::cout << ", simulator on";
  std::cout << ")\n";
  return kExitOk;
}

int cmdSim(const sim::SimOptions& options) {
  boost::asio::io_context io;
  sim::SimServer server(io, options);
  if (auto status = server.start(); !status) {
    makeLogger("sim")->error("{}", status.error().describe());
    return kExitFailure;
  }
  auto log = makeLogger("sim");
  const auto ports = server.ports();
  for (size_t i = 0; i < ports.size(); ++i) {
    log->info("{} serving SHDR on {}:{}", server.names()[i], options.bindAddress, ports[i]);
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    log->info("stopping");
    server.stop();
    io.stop();
  });
  io.run();
  return kExitOk;
}

}  // namespace

int runMain(int argc, char** argv) {
  CLI::App app{"Spindle: an edge gateway for machine data"};
  app.require_subcommand(1);
  app.set_version_flag("--version", SPINDLE_VERSION);
  GlobalOptions global;
  app.add_option("--log-format", global.logFormat, "log lines on stderr as text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_option("--log-level", global.logLevel, "trace, debug, info, warn, error or off")
      ->capture_default_str();

  std::string configFile;
  bool demo = false;
  std::string runFor;
  bool toStdout = false;
  auto* run = app.add_subcommand("run", "collect from the configured machines");
  run->add_option("-c,--config", configFile, "configuration file (spindle.yaml)")
      ->check(CLI::ExistingFile);
  run->add_flag("--demo", demo, "run the embedded demo: simulated machines, local storage");
  run->add_option("--for", runFor, "stop by itself after this long, e.g. 30s");
  run->add_flag("--stdout", toStdout, "write observations to stdout instead of the output file");

  std::string validateFile;
  bool validateDemo = false;
  auto* validate =
      app.add_subcommand("validate", "check a configuration without touching the network");
  validate->add_option("file", validateFile, "configuration file")->check(CLI::ExistingFile);
  validate->add_flag("--demo", validateDemo, "check the embedded demo configuration");

  auto* version = app.add_subcommand("version", "print the version");

  sim::SimOptions simOptions;
  std::string tick = "100ms";
  auto* simCmd = app.add_subcommand("sim", "serve simulated machines over SHDR");
  simCmd->add_option("-n,--machines", simOptions.machines, "number of machines")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  simCmd->add_option("--bind", simOptions.bindAddress, "listen address")->capture_default_str();
  simCmd
      ->add_option("-p,--base-port", simOptions.basePort, "port of the first machine (0: any free)")
      ->capture_default_str();
  simCmd->add_option("--seed", simOptions.seed, "random seed")->capture_default_str();
  simCmd->add_option("--tick", tick, "simulation step")->capture_default_str();
  simCmd
      ->add_option("--flaky", simOptions.flakyMachine,
                   "index of a machine that drops its connection now and then (-1: none)")
      ->capture_default_str();
  simCmd->add_option("--time-scale", simOptions.timeScale, "simulated seconds per second")
      ->capture_default_str();
  simCmd->add_option("--names", simOptions.names, "machine names");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (int rc = applyLogging(global); rc != kExitOk) return rc;

  collectors::Registry registry;
  collectors::registerBuiltinCollectors(registry);

  if (*version) {
    std::cout << "spindle " << SPINDLE_VERSION << "\n";
    return kExitOk;
  }
  if (*run) {
    if (demo == !configFile.empty()) {
      std::cerr << "spindle run: give either --config FILE or --demo\n";
      return kExitUsage;
    }
    return cmdRun(configFile, demo, runFor, toStdout, registry);
  }
  if (*validate) {
    if (validateDemo == !validateFile.empty()) {
      std::cerr << "spindle validate: give a FILE or --demo\n";
      return kExitUsage;
    }
    return cmdValidate(validateFile, validateDemo, registry);
  }
  if (*simCmd) {
    auto d = parseDuration(tick);
    if (!d) {
      std::cerr << "spindle sim: --tick: " << d.error().message() << "\n";
      return kExitUsage;
    }
    simOptions.tick = std::chrono::duration_cast<std::chrono::milliseconds>(d.value());
    return cmdSim(simOptions);
  }
  return kExitUsage;
}

}  // namespace spindle::cli
