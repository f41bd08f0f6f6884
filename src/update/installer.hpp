#pragma once
/// The steps of an update, shared by the running edge (updater.hpp) and `spindle update
/// apply|rollback`: evaluate an offer, fetch and install it, switch to it, and end a trial
/// (good or rolled back). Each step leaves the data directory in a state the launcher can
/// pick up after kill -9 (update_state.hpp).

#include <atomic>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "update/manifest.hpp"
#include "update/update_options.hpp"
#include "update/update_state.hpp"

namespace spindle::update {

struct InstallEnv {
  std::string dataDir;
  UpdateOptions options;
  std::vector<PublicKey> keys;  ///< loadTrustedKeys(options)
  const std::atomic<bool>* cancel = nullptr;
};

Result<std::vector<PublicKey>> loadTrustedKeys(const UpdateOptions& options);

/// Verifies `envelope` and checks the offer against this edge: the running version, the
/// state, the free space. Nothing is written. Refusals: refusal.hpp.
Result<Manifest> evaluate(const std::string& envelope, const InstallEnv& env,
                          const UpdateState& state);
/// Downloads the artifact (resuming), checks that it runs and reports the manifest's version
/// (`<binary> --version`), and installs it as versions/<version>/spindle.
Status fetchAndInstall(const Manifest& manifest, const InstallEnv& env);
/// Puts `manifest`'s version on trial: the state first, then the `current` link. `before` is
/// what the trial compares the uplinks with (empty: each must connect).
Status switchTo(const Manifest& manifest, const InstallEnv& env,
                std::vector<UplinkSnapshot> before);

/// Records an offer not taken (state.last), unless the same refusal is already recorded.
void recordRefusal(const std::string& dataDir, const std::string& version, const Error& error);
/// Ends `version`'s trial as failed: the state (failed, last) first, then `current` back to
/// the previous good version, which is returned; the failed version's folder is removed.
Result<std::string> rollBack(const std::string& dataDir, const std::string& version,
                             const std::string& reason, const std::string& detail);
/// Ends `version`'s trial as good and removes old versions beyond `keep`.
Status markGood(const std::string& dataDir, const std::string& version, int keep);

/// Runs `binary --version` (at most 10 s) and checks that it prints `version`.
Status checkArtifact(const std::string& binary, const std::string& version);

}  // namespace spindle::update
