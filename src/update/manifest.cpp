#include "update/manifest.hpp"

#include <nlohmann/json.hpp>

#include "update/refusal.hpp"

namespace spindle::update {

using nlohmann::json;

namespace {

Error malformed(const std::string& what) { return refuse(Reason::kMalformed, what); }

bool isHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

Result<Manifest> parseManifest(const std::string& bytes) {
  const json j = json::parse(bytes, nullptr, false);
  if (!j.is_object()) return malformed("the manifest is not a JSON object");
  Manifest m;
  m.bytes = bytes;
  auto text = [&](const char* key, bool required, std::string& out) -> Status {
    if (!j.contains(key)) {
      if (required) return malformed(std::string("the manifest has no ") + key);
      return okStatus();
    }
    if (!j[key].is_string()) return malformed(std::string("manifest ") + key + " is not a string");
    out = j[key].get<std::string>();
    return okStatus();
  };
  std::string version, minVersion;
  for (auto s : {text("version", true, version), text("url", true, m.url),
                 text("sha256", true, m.sha256), text("min_version", false, minVersion),
                 text("notes", false, m.notes), text("channel", false, m.channel)}) {
    if (!s) return std::move(s).error();
  }
  auto v = Version::parse(version);
  if (!v) return malformed("manifest version: " + v.error().message());
  m.version = *v;
  if (!minVersion.empty()) {
    auto mv = Version::parse(minVersion);
    if (!mv) return malformed("manifest min_version: " + mv.error().message());
    m.minVersion = *mv;
  }
  if (m.url.rfind("https://", 0) != 0) return malformed("manifest url must start with https://");
  if (!isHex64(m.sha256)) return malformed("manifest sha256 must be 64 lowercase hex digits");
  if (!j.contains("size") || !j["size"].is_number_unsigned() ||
      j["size"].get<std::uint64_t>() == 0) {
    return malformed("manifest size must be a positive number of bytes");
  }
  m.size = j["size"].get<std::uint64_t>();
  if (j.contains("rollback")) {
    if (!j["rollback"].is_boolean()) return malformed("manifest rollback must be true or false");
    m.rollback = j["rollback"].get<bool>();
  }
  return m;
}

std::string manifestJson(const Manifest& m) {
  json j = json::object();
  j["version"] = m.version.text();
  j["url"] = m.url;
  j["size"] = m.size;
  j["sha256"] = m.sha256;
  j["min_version"] = m.minVersion.text();
  j["channel"] = m.channel;
  j["rollback"] = m.rollback;
  j["notes"] = m.notes;
  return j.dump(2);
}

Result<Envelope> parseEnvelope(const std::string& text) {
  const json j = json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("manifest") || !j["manifest"].is_string() ||
      !j.contains("signatures") || !j["signatures"].is_array()) {
    return malformed("not an update envelope ({\"manifest\": ..., \"signatures\": [...]})");
  }
  Envelope e;
  auto manifest = base64Decode(j["manifest"].get<std::string>());
  if (!manifest) return malformed("the envelope's manifest is not base64");
  e.manifest = std::move(*manifest);
  for (const auto& s : j["signatures"]) {
    if (!s.is_object() || !s.contains("key_id") || !s["key_id"].is_string() || !s.contains("sig") ||
        !s["sig"].is_string()) {
      return malformed("a signature needs key_id and sig");
    }
    auto sig = base64Decode(s["sig"].get<std::string>());
    if (!sig) return malformed("a signature is not base64");
    e.signatures.push_back({s["key_id"].get<std::string>(), std::move(*sig)});
  }
  return e;
}

std::string envelopeJson(const Envelope& e) {
  json sigs = json::array();
  for (const auto& s : e.signatures) {
    sigs.push_back({{"key_id", s.keyId}, {"sig", base64Encode(s.sig)}});
  }
  return json{{"manifest", base64Encode(e.manifest)}, {"signatures", sigs}}.dump(2) + "\n";
}

Result<Manifest> verifyEnvelope(const Envelope& e, const std::vector<PublicKey>& trusted) {
  if (e.signatures.empty()) return malformed("the envelope carries no signature");
  bool verified = false;
  std::string unknown;
  for (const auto& s : e.signatures) {
    const PublicKey* key = nullptr;
    for (const auto& k : trusted) {
      if (k.id == s.keyId) key = &k;
    }
    if (key == nullptr) {
      unknown += (unknown.empty() ? "" : ", ") + s.keyId;
      continue;
    }
    // Any trusted signature that fails is refused, even beside a good one: it means the
    // manifest or that signature was changed on the way.
    if (!verifySignature(*key, e.manifest, s.sig)) {
      return refuse(Reason::kBadSignature,
                    "the signature by key " + s.keyId + " does not match the manifest");
    }
    verified = true;
  }
  if (!verified) {
    return refuse(Reason::kUnknownKey,
                  "signed only by keys this edge does not trust (" + unknown + ")");
  }
  return parseManifest(e.manifest);
}

}  // namespace spindle::update
