#pragma once
/// The adapter store's copies on the edge, in one folder of the data directory
/// (store_options.hpp cacheDirectory()):
///
///   index.json              the last signed index that verified, exactly as fetched
///   scripts/<sha256>.yaml   every script that matched a verified index, named by its hash
///   good.json               per script reference, the copy last used:
///                           {"store:haas-ngc@3": {"version": "3", "sha256": "..."}}
///   url                     the store's URL, for people looking at the folder
///
/// Every file is replaced atomically (a temporary file unique to the writer, fsync, rename), so
/// a crash or two loads at once leave the old or the new copy, never a mix. A script is
/// returned only when its bytes still have the hash it is filed under. At most
/// kMaxCachedScripts scripts are kept: the oldest that good.json does not name go first.
/// Not thread-safe; separate instances (processes) on one folder are safe but for good.json,
/// where the last writer wins (an entry lost that way is written again at the next load).

#include <filesystem>
#include <optional>
#include <string>

#include "base/error.hpp"

namespace spindle::transform::store {

inline constexpr std::size_t kMaxCachedScripts = 256;

class StoreCache {
 public:
  /// `dir` need not exist: it is made by the first save.
  explicit StoreCache(std::string dir) : m_dir(std::move(dir)) {}

  const std::string& dir() const { return m_dir; }

  struct CachedIndex {
    std::string text;                              ///< the envelope as fetched
    std::filesystem::file_time_type written = {};  ///< when it was last fetched
  };
  /// The cached index envelope; nullopt when there is none (or it cannot be read).
  std::optional<CachedIndex> index() const;
  /// Replaces index.json (its time becomes now, also when the text did not change).
  Status saveIndex(const std::string& text, const std::string& url);

  /// The cached script whose SHA-256 is `sha256`; nullopt when missing or changed on disk.
  std::optional<std::string> script(const std::string& sha256) const;
  /// Files `text` under `sha256` (the caller checked it against a verified index).
  Status saveScript(const std::string& sha256, const std::string& text);

  struct Good {
    std::string version;
    std::string sha256;
  };
  /// The copy last used for `ref` ("store:haas-ngc@3"); nullopt when none was.
  std::optional<Good> lastGood(const std::string& ref) const;
  Status setLastGood(const std::string& ref, const Good& good);

 private:
  std::filesystem::path scriptPath(const std::string& sha256) const;
  void prune() const;

  std::string m_dir;
};

}  // namespace spindle::transform::store
