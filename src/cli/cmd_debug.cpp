// `spindle debug crash`: a hidden command that crashes the process on purpose, with the crash
// handler installed, so the crash reports (control/crash/) can be tested end to end. Refused
// unless SPINDLE_DEBUG_CRASH=1 is set, so nobody crashes a production edge by a typo.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include "cli/command.hpp"
#include "cli/config_loading.hpp"
#include "control/crash/crash_handler.hpp"
#include "update/build_stamp.hpp"

namespace spindle::cli {

// Outside the anonymous namespace and never inlined: the symbolized stack of the report must
// name these functions (tests/integration/crash_report_test.cpp looks for them).
int* volatile gSpindleDebugNull = nullptr;  // volatile: the compiler cannot prove it null

__attribute__((noinline)) void spindleDebugCrashHere() {
  *gSpindleDebugNull = 1;
  asm volatile("" ::: "memory");
}

__attribute__((noinline)) void spindleDebugAbortHere() { std::abort(); }

__attribute__((noinline)) void spindleDebugThrowHere() {
  throw std::runtime_error("spindle debug crash: an exception nobody catches");
}

namespace {

/// Calls `throwing` where no handler can catch what it throws: std::terminate follows.
void withoutHandler(void (*throwing)()) noexcept { throwing(); }

int crash(const std::string& signal, const std::string& dir, const std::string& configFile,
          const CommandContext& ctx) {
  const char* allowed = std::getenv("SPINDLE_DEBUG_CRASH");
  if (allowed == nullptr || std::string(allowed) != "1") {
    std::cerr << "spindle debug crash: refused: this command crashes spindle on purpose (to test "
                 "crash reports); set SPINDLE_DEBUG_CRASH=1 to run it\n";
    return kExitUsage;
  }
  std::string directory = dir;
  if (directory.empty()) {
    if (configFile.empty()) {
      std::cerr << "spindle debug crash: give --dir DIR or --config FILE (its data_dir)\n";
      return kExitUsage;
    }
    auto loaded = loadConfiguration(configFile, false, ctx.registry);
    if (!loaded.config) {
      printDiagnostics(loaded.diagnostics);
      return kExitUsage;
    }
    directory = control::crash::crashDirectory(loaded.config->edge.dataDir);
  }
  const auto installed = control::crash::installCrashHandler(
      {directory, std::string(update::buildVersion()), "debug-crash"});
  if (!installed) {
    std::cerr << "spindle debug crash: " << installed.error().describe() << "\n";
    return kExitFailure;
  }
  std::cerr << "spindle debug crash: crashing now (" << signal << "), report in " << directory
            << "\n";
  if (signal == "abort") {
    spindleDebugAbortHere();
  } else if (signal == "terminate") {
    withoutHandler(spindleDebugThrowHere);
  } else {
    spindleDebugCrashHere();
  }
  std::cerr << "spindle debug crash: still alive after the crash\n";
  return kExitFailure;
}

}  // namespace

Command addDebugCommand(CLI::App& app) {
  struct Args {
    std::string signal = "segv";
    std::string dir;
    std::string config;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("debug", "tools for testing spindle itself");
  cmd->group("");  // hidden from --help
  cmd->require_subcommand(1);
  auto* crashCmd = cmd->add_subcommand(
      "crash", "crash on purpose to test crash reports (SPINDLE_DEBUG_CRASH=1)");
  crashCmd->add_option("--signal", args->signal, "how to crash: segv, abort or terminate")
      ->check(CLI::IsMember({"segv", "abort", "terminate"}))
      ->capture_default_str();
  crashCmd->add_option("--dir", args->dir, "the crash report directory");
  crashCmd->add_option("-c,--config", args->config,
                       "a configuration whose <data_dir>/crash is the report directory");
  return {cmd, [args](const CommandContext& ctx) {
            return crash(args->signal, args->dir, args->config, ctx);
          }};
}

}  // namespace spindle::cli
