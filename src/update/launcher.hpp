#pragma once
/// The launcher: what `spindle run` does first. The packaged binary (/usr/bin/spindle, started
/// by systemd with Restart=always) looks at <data_dir>/versions/current and, when it names an
/// installed version other than its own, execs that binary with the same arguments. The
/// environment variable SPINDLE_LAUNCHED_BY is set for the exec'd process, which therefore
/// never launches again (no loop, whatever `current` says).
///
/// On the way it finishes what a crash left half done and enforces the trial's crash limit:
/// a version on trial that was launched `max_crashes` times without marking itself good is
/// rolled back here, before it is launched again.

#include <optional>
#include <string>

#include <spdlog/logger.h>

#include "update/update_state.hpp"

namespace spindle::update {

inline constexpr const char* kLaunchedByEnv = "SPINDLE_LAUNCHED_BY";

/// What the launcher decides, from the state and the folder alone (pure, for tests).
struct LaunchPlan {
  bool clearCurrent = false;   ///< the package replaced the launcher: follow the package
  bool abandonTrial = false;   ///< a trial whose switch never happened (kill -9 between)
  std::string rollBack;        ///< version to roll back (crash limit, or a rollback cut short)
  std::string rollBackReason;  ///< "crashed", "failed_before"
  std::string rollBackDetail;
  bool countStart = false;  ///< a launch of the version on trial
  std::string exec;         ///< version to exec; "" = run this binary
  std::string note;         ///< for the log
};

/// `self` is this binary's version, `current` what the link names, `installed(v)` whether
/// versions/<v>/spindle exists.
LaunchPlan planLaunch(const UpdateState& state, const std::string& self,
                      const std::optional<std::string>& current, bool currentInstalled,
                      int maxCrashes);

/// Carries out planLaunch for `dataDir`: writes the state, switches back when it must, and
/// execs the chosen version (does not return then). Returns when this binary is to run, also
/// on errors, which it logs: a launcher that cannot read its state still runs its own version.
void launch(const std::string& dataDir, int maxCrashes, spdlog::logger& log);

}  // namespace spindle::update
