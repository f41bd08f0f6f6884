#pragma once
/// versions/state.json: what the update system knows between processes (the launcher, the
/// running edge, `spindle update`). Written atomically (base/atomic_file.hpp) under an flock of
/// versions/.lock, so a read-modify-write by one process never loses another's.
///
/// Order of writes, so that kill -9 between any two steps leaves a state the launcher can
/// finish (docs/architecture.md, "Updates"):
///  - install: state (trial of the new version) first, then the `current` link;
///  - roll back: state (trial over, version in `failed`) first, then the `current` link.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/time.hpp"

namespace spindle::update {

/// An uplink as the trial compares it: connected, or failing with the same error as before.
struct UplinkSnapshot {
  std::string name;
  bool connected = false;
  std::string error;
};

struct Trial {
  std::string version;  ///< on trial
  std::string from;     ///< the version it replaced, restored on failure
  TimestampNs switchedAt = 0;
  int starts = 0;  ///< launches of `version` so far (the launcher counts them)
  /// The uplinks just before the switch; empty when unknown (applied from the command line).
  std::vector<UplinkSnapshot> uplinksBefore;
};

/// The last thing the update system did, for health and `spindle update status`.
struct LastResult {
  std::string result;  ///< installed, good, refused, rolled_back, interrupted
  std::string version;
  std::string reason;  ///< refusal or failure word (refusal.hpp), or "" for success
  std::string detail;
  TimestampNs at = 0;
};

struct UpdateState {
  std::string launcher;             ///< the version of the binary that launches (/usr/bin)
  std::optional<Trial> trial;       ///< a version on trial
  std::vector<std::string> good;    ///< versions that passed a trial here, oldest first
  std::vector<std::string> failed;  ///< versions that failed here: never installed again
  std::string pending;              ///< a verified offer waiting (window, manual policy)
  std::string pendingNotes;
  LastResult last;
  int pid = 0;  ///< the running edge's process (for `spindle update apply|rollback`)

  bool hasFailed(const std::string& version) const;
  /// The good version to return to from `version`: the newest good one that is not it.
  std::string previousGood(const std::string& version) const;
};

std::string toJson(const UpdateState& state);
Result<UpdateState> stateFromJson(const std::string& text);

class StateFile {
 public:
  /// `dir` is <data_dir>/versions.
  explicit StateFile(std::string dir) : m_dir(std::move(dir)) {}
  /// The state, or an empty one when there is no file yet.
  Result<UpdateState> load() const;
  /// Reads, changes and writes the state while holding the lock. Creates `dir` if needed.
  Result<UpdateState> modify(const std::function<void(UpdateState&)>& change) const;
  std::string path() const { return m_dir + "/state.json"; }

 private:
  std::string m_dir;
};

}  // namespace spindle::update
