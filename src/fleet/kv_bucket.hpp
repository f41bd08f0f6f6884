#pragma once
/// A KV bucket of the hub as the fleet tool edits it: read a key with its revision, write it
/// only if nobody wrote it since (compare and set), delete it. The desired configurations
/// (`spindle_config`) and the update offers (`spindle_updates`).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/error.hpp"
#include "base/time.hpp"
#include "fleet/hub_connection.hpp"

namespace spindle::fleet {

struct KvValue {
  std::string value;
  std::uint64_t revision = 0;
  TimestampNs written = 0;  ///< when that revision was stored
};

/// The outcome of a compare-and-set that lost: somebody else wrote the key meanwhile.
struct KvConflict {
  std::uint64_t expected = 0;      ///< the revision the caller based its change on; 0 = absent
  std::optional<KvValue> current;  ///< what the key holds now (nullopt: absent or deleted)
  std::string describe(const std::string& bucket, const std::string& key) const;
};

class KvBucket {
 public:
  /// kNotFound when the bucket does not exist, with the hint to run `spindle fleet init`.
  static Result<std::unique_ptr<KvBucket>> open(HubConnection& hub, const std::string& bucket);
  ~KvBucket();
  KvBucket(const KvBucket&) = delete;
  KvBucket& operator=(const KvBucket&) = delete;

  const std::string& name() const { return m_name; }

  /// The key's value; nullopt when the key does not exist or was deleted.
  Result<std::optional<KvValue>> get(const std::string& key);
  /// Writes `value` if the key is still at `expected` (0: if it does not exist); returns the
  /// new revision, or the conflict. Other failures are errors.
  Result<std::uint64_t> put(const std::string& key, const std::string& value,
                            std::uint64_t expected, std::optional<KvConflict>* conflict);
  /// Writes `value` whatever the key holds; returns the new revision.
  Result<std::uint64_t> overwrite(const std::string& key, const std::string& value);
  /// Deletes the key (a delete marker; the history stays).
  Status remove(const std::string& key);

 private:
  KvBucket(std::string name, kvStore* kv) : m_name(std::move(name)), m_kv(kv) {}
  std::string m_name;
  kvStore* m_kv = nullptr;
};

}  // namespace spindle::fleet
