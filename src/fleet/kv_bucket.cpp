#include "fleet/kv_bucket.hpp"

namespace spindle::fleet {

std::string KvConflict::describe(const std::string& bucket, const std::string& key) const {
  std::string out = bucket + "/" + key + " was changed by someone else: ";
  out += expected == 0 ? std::string("you expected it not to exist")
                       : "you based your change on revision " + std::to_string(expected);
  if (current) {
    out += ", it is at revision " + std::to_string(current->revision) + " (written " +
           formatTimestamp(current->written) + ")";
  } else {
    out += ", it does not exist now";
  }
  return out + "; nothing was written. Run `spindle fleet config diff` against your file again";
}

Result<std::unique_ptr<KvBucket>> KvBucket::open(HubConnection& hub, const std::string& bucket) {
  kvStore* kv = nullptr;
  const natsStatus s = js_KeyValue(&kv, hub.js(), bucket.c_str());
  if (s == NATS_NOT_FOUND) {
    return Error(ErrorCode::kNotFound,
                 "the hub has no KV bucket " + bucket + ": run `spindle fleet init`");
  }
  if (s != NATS_OK) return hubError(s, "opening the KV bucket " + bucket);
  return std::unique_ptr<KvBucket>(new KvBucket(bucket, kv));
}

KvBucket::~KvBucket() { kvStore_Destroy(m_kv); }

Result<std::optional<KvValue>> KvBucket::get(const std::string& key) {
  kvEntry* e = nullptr;
  const natsStatus s = kvStore_Get(&e, m_kv, key.c_str());
  if (s == NATS_NOT_FOUND) return std::optional<KvValue>();
  if (s != NATS_OK) return hubError(s, "reading " + m_name + "/" + key);
  KvValue v;
  v.value.assign(static_cast<const char*>(kvEntry_Value(e)),
                 static_cast<std::size_t>(kvEntry_ValueLen(e)));
  v.revision = kvEntry_Revision(e);
  v.written = kvEntry_Created(e);
  kvEntry_Destroy(e);
  return std::optional<KvValue>(std::move(v));
}

Result<std::uint64_t> KvBucket::put(const std::string& key, const std::string& value,
                                    std::uint64_t expected, std::optional<KvConflict>* conflict) {
  std::uint64_t revision = 0;
  const int len = static_cast<int>(value.size());
  const natsStatus s =
      expected == 0 ? kvStore_Create(&revision, m_kv, key.c_str(), value.data(), len)
                    : kvStore_Update(&revision, m_kv, key.c_str(), value.data(), len, expected);
  if (s == NATS_OK) return revision;
  const Error error = hubError(s, "writing " + m_name + "/" + key);
  // Whether it lost the race is decided on what the key holds now, not on the error's words.
  auto now = get(key);
  if (!now) return error;
  const std::uint64_t at = *now ? (*now)->revision : 0;
  if (at != expected) {
    if (conflict != nullptr) *conflict = KvConflict{expected, *now};
    return Error(ErrorCode::kUnavailable, KvConflict{expected, *now}.describe(m_name, key));
  }
  return error;
}

Result<std::uint64_t> KvBucket::overwrite(const std::string& key, const std::string& value) {
  std::uint64_t revision = 0;
  const natsStatus s =
      kvStore_Put(&revision, m_kv, key.c_str(), value.data(), static_cast<int>(value.size()));
  if (s != NATS_OK) return hubError(s, "writing " + m_name + "/" + key);
  return revision;
}

Status KvBucket::remove(const std::string& key) {
  if (natsStatus s = kvStore_Delete(m_kv, key.c_str()); s != NATS_OK) {
    return hubError(s, "deleting " + m_name + "/" + key);
  }
  return okStatus();
}

}  // namespace spindle::fleet
