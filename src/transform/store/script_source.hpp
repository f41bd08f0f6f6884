#pragma once
/// What the configuration loader (app/machine_loader.cpp) asks for a `store:NAME@VERSION`
/// script. The adapter store implements it (adapter_store.hpp); tests give their own.

#include <string>
#include <vector>

#include "base/error.hpp"
#include "transform/store/script_ref.hpp"

namespace spindle::transform::store {

struct StoreScript {
  std::string text;     ///< the script's YAML, its SHA-256 checked against a signed index
  std::string version;  ///< the version it is ("3"), also when the reference named none
  std::string sha256;
};

/// When a load goes to the network.
enum class StoreAccess {
  /// The index is fetched when the cached one is older than `refresh` (spindle run, a
  /// configuration from the cloud).
  kRefreshWhenDue,
  /// The cached index and scripts are used whatever their age; only what the cache lacks is
  /// fetched (spindle validate).
  kCacheFirst,
};

class ScriptSource {
 public:
  virtual ~ScriptSource() = default;

  /// The script `ref` names, or an error saying the store, the script and what failed (no
  /// copy can be had: the store is unreachable and nothing is cached, the script or index
  /// was refused and no earlier good copy exists, the index has no such script). Blocking;
  /// the network part of one load is bounded by the store's fetch timeout.
  virtual Result<StoreScript> script(const ScriptRef& ref) = 0;

  /// Problems that did not stop a script from being had (the store unreachable, a refused
  /// index or script with the last good copy kept), each once, for the log and validate.
  virtual std::vector<std::string> warnings() const = 0;

  /// What each script came from ("store:haas-ngc@3: version 3 from the cache"), for validate.
  virtual std::vector<std::string> notes() const = 0;
};

}  // namespace spindle::transform::store
