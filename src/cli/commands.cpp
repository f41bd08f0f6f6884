#include "cli/commands.hpp"

#include <iostream>

#include "base/log.hpp"
#include "cli/command.hpp"

namespace spindle::cli {

int runMain(int argc, char** argv) {
  CLI::App app{"Spindle: an edge gateway for machine data"};
  app.require_subcommand(1);
  app.set_version_flag("--version", SPINDLE_VERSION);
  std::string logFormat = "text";
  std::string logLevel = "info";
  app.add_option("--log-format", logFormat, "log lines on stderr as text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_option("--log-level", logLevel, "trace, debug, info, warn, error or off")
      ->capture_default_str();

  const std::vector<Command> commands{addRunCommand(app),      addValidateCommand(app),
                                      addNetcheckCommand(app), addJournalCommand(app),
                                      addSimCommand(app),      addVersionCommand(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  const auto level = spdlog::level::from_str(logLevel);
  if (level == spdlog::level::off && logLevel != "off") {
    std::cerr << "spindle: unknown log level '" << logLevel
              << "' (use trace, debug, info, warn, error, critical or off)\n";
    return kExitUsage;
  }
  setupLogging(logFormat == "json" ? LogFormat::kJson : LogFormat::kText, level);

  const CommandContext context{collectors::builtinCollectors()};
  for (const auto& command : commands) {
    if (command.app->parsed()) return command.run(context);
  }
  return kExitUsage;
}

}  // namespace spindle::cli
