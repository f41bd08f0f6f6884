#pragma once
/// The versions side by side under <data_dir>/versions/ (A/B install):
///
///   versions/<version>/spindle   an installed binary, 0755
///   versions/current             symlink to "<version>": what the launcher runs
///   versions/state.json          update_state.hpp
///   versions/download/           partial downloads (<sha256>.part), resumed after a restart
///
/// The launcher's own version needs no folder: `current` naming it means "run the launcher".
/// Every change is atomic: a binary is written in a hidden temporary folder and renamed into
/// place, and `current` is replaced by renaming a new symlink over it, so a crash leaves
/// either the old or the new link, never none.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace spindle::update {

class VersionStore {
 public:
  /// `dataDir` is edge.data_dir.
  explicit VersionStore(const std::string& dataDir);

  const std::string& dir() const { return m_dir; }
  std::string binary(const std::string& version) const;
  bool installed(const std::string& version) const;
  /// Installed versions (folders holding a binary), in no particular order.
  std::vector<std::string> list() const;
  /// The version `current` names; nullopt when there is no link (no update yet).
  std::optional<std::string> current() const;

  /// Copies `file` to versions/<version>/spindle (0755, fsynced) through a temporary folder.
  /// An existing installation of `version` is replaced.
  Status install(const std::string& version, const std::string& file);
  /// Points `current` at `version` atomically (symlink to a temporary name, rename, fsync).
  Status switchTo(const std::string& version);
  /// Removes `version`'s folder (never the one `current` names).
  Status remove(const std::string& version);
  /// Removes `current` (the launcher then runs itself).
  Status clearCurrent();

  std::string downloadDir() const { return m_dir + "/download"; }
  /// Bytes free for an unprivileged process on the data directory's file system.
  Result<std::uint64_t> freeBytes() const;

 private:
  std::string m_dir;
};

}  // namespace spindle::update
