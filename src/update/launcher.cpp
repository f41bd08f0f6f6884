#include "update/launcher.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include <unistd.h>

#include "update/installer.hpp"
#include "update/version.hpp"
#include "update/version_store.hpp"

namespace spindle::update {

LaunchPlan planLaunch(const UpdateState& s, const std::string& self,
                      const std::optional<std::string>& current, bool currentInstalled,
                      int maxCrashes) {
  LaunchPlan plan;
  if (!s.launcher.empty() && s.launcher != self && current) {
    plan.clearCurrent = true;
    plan.abandonTrial = s.trial.has_value();
    plan.note = "the installed package changed from " + s.launcher + " to " + self +
                "; running it instead of " + *current;
    return plan;
  }
  if (!current) {
    plan.abandonTrial = s.trial.has_value();
    return plan;
  }
  if (s.trial && s.trial->version != *current) {
    plan.abandonTrial = true;
    plan.note = "the switch to " + s.trial->version + " did not happen (stopped before it)";
  }
  if (s.hasFailed(*current)) {
    plan.rollBack = *current;
    plan.rollBackReason = "failed_before";
    plan.rollBackDetail = "finishing the roll back of " + *current;
    return plan;
  }
  if (s.trial && s.trial->version == *current && s.trial->starts >= maxCrashes) {
    plan.rollBack = *current;
    plan.rollBackReason = "crashed";
    plan.rollBackDetail = *current + " started " + std::to_string(s.trial->starts) +
                          " times without becoming healthy (update.max_crashes " +
                          std::to_string(maxCrashes) + ")";
    return plan;
  }
  if (s.trial && s.trial->version == *current) plan.countStart = true;
  if (*current == self) return plan;
  if (!currentInstalled) {
    plan.countStart = false;
    plan.note = "versions/current names " + *current + ", which is not installed; running " + self;
    return plan;
  }
  plan.exec = *current;
  return plan;
}

namespace {

std::vector<std::string> ownArguments() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  std::string arg;
  for (char c : all) {
    if (c == '\0') {
      args.push_back(arg);
      arg.clear();
    } else {
      arg += c;
    }
  }
  return args;
}

}  // namespace

void launch(const std::string& dataDir, int maxCrashes, spdlog::logger& log) {
  if (const char* by = std::getenv(kLaunchedByEnv); by != nullptr) {
    log.info("update: started by the launcher of version {}", by);
    ::unsetenv(kLaunchedByEnv);
    return;
  }
  VersionStore store(dataDir);
  StateFile file(store.dir());
  const std::string self = runningVersion().text();
  for (int round = 0; round < 3; ++round) {
    auto state = file.load();
    if (!state) {
      log.error("update: {}; running {}", state.error().describe(), self);
      return;
    }
    const auto current = store.current();
    const bool installed = current && store.installed(*current);
    const LaunchPlan plan = planLaunch(*state, self, current, installed, maxCrashes);
    if (!plan.note.empty()) log.warn("update: {}", plan.note);
    if (plan.clearCurrent || plan.abandonTrial || plan.countStart) {
      auto written = file.modify([&](UpdateState& s) {
        if (plan.clearCurrent) s.launcher = self;
        if (plan.abandonTrial) {
          s.last = {"interrupted", s.trial ? s.trial->version : "", "interrupted", plan.note,
                    wallClockNs()};
          s.trial.reset();
        }
        if (plan.countStart && s.trial) ++s.trial->starts;
        if (s.launcher.empty()) s.launcher = self;
      });
      if (!written) log.error("update: {}", written.error().describe());
      if (plan.clearCurrent) {
        if (auto s = store.clearCurrent(); !s) log.error("update: {}", s.error().describe());
      }
    }
    if (!plan.rollBack.empty()) {
      auto back = rollBack(dataDir, plan.rollBack, plan.rollBackReason, plan.rollBackDetail);
      if (!back) {
        log.error("update: rolling back {}: {}", plan.rollBack, back.error().describe());
        return;
      }
      log.error("update: rolled back {} to {}: {}", plan.rollBack, *back, plan.rollBackDetail);
      continue;  // plan again on the restored link
    }
    if (plan.exec.empty()) return;
    const std::string binary = store.binary(plan.exec);
    auto args = ownArguments();
    if (args.empty()) args.push_back(binary);
    args[0] = binary;
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    log.info("update: launching version {} ({})", plan.exec, binary);
    log.flush();
    ::setenv(kLaunchedByEnv, self.c_str(), 1);
    ::execv(binary.c_str(), argv.data());
    ::unsetenv(kLaunchedByEnv);
    log.error("update: cannot exec {}: {}; running {}", binary, std::strerror(errno), self);
    return;
  }
}

}  // namespace spindle::update
