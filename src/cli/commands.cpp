#include "cli/commands.hpp"

#include <algorithm>
#include <iostream>
#include <string_view>

#include "base/log.hpp"
#include "cli/command.hpp"
#include "config/diagnostics.hpp"
#include "update/build_stamp.hpp"

namespace spindle::cli {

namespace {

/// The first word that is not a global option, or "" when there is none.
std::string commandWord(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.empty() || arg[0] != '-') return std::string(arg);
    if (arg == "--log-format" || arg == "--log-level") ++i;  // their value follows
  }
  return "";
}

/// An unknown command gets a clear message and, when one is close, the command meant.
bool reportUnknownCommand(const CLI::App& app, const std::string& word) {
  std::vector<std::string> names;  // what is offered: hidden commands (no group) are not
  bool known = false;
  for (const auto* sub : app.get_subcommands({})) {
    known = known || sub->get_name() == word;
    if (!sub->get_group().empty()) names.push_back(sub->get_name());
  }
  if (word.empty() || known) return false;
  std::cerr << "spindle: unknown command '" << word << "'";
  if (const std::string guess = config::closestMatch(word, names); !guess.empty()) {
    std::cerr << " (did you mean '" << guess << "'?)";
  }
  std::cerr << "\nCommands:";
  for (const auto& n : names) std::cerr << " " << n;
  std::cerr << "\nRun spindle --help for more information.\n";
  return true;
}

}  // namespace

int runMain(int argc, char** argv) {
  CLI::App app{"Spindle: an edge gateway for machine data"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(update::buildVersion()));
  std::string logFormat = "text";
  std::string logLevel = "info";
  app.add_option("--log-format", logFormat, "log lines on stderr as text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  auto* logLevelOption =
      app.add_option("--log-level", logLevel, "trace, debug, info, warn, error or off")
          ->capture_default_str();

  const std::vector<Command> commands{
      addRunCommand(app),      addValidateCommand(app), addStatusCommand(app),
      addNetcheckCommand(app), addJournalCommand(app),  addSimCommand(app),
      addVersionCommand(app),  addUpdateCommand(app),   addFleetCommand(app),
      addOpcuaCommand(app),    addDebugCommand(app),    addProvisionCommand(app),
      addStoreCommand(app),    addUploadCommand(app)};
  if (reportUnknownCommand(app, commandWord(argc, argv))) return kExitUsage;
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
  const LogFormat format = logFormat == "json" ? LogFormat::kJson : LogFormat::kText;
  setupLogging(format, level);

  const CommandContext context{collectors::builtinCollectors(), format,
                               logLevelOption->count() > 0};
  for (const auto& command : commands) {
    if (command.app->parsed()) return command.run(context);
  }
  return kExitUsage;
}

}  // namespace spindle::cli
