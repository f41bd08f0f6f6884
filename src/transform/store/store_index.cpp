#include "transform/store/store_index.hpp"

#include <nlohmann/json.hpp>

namespace spindle::transform::store {

using nlohmann::json;

namespace {

Error malformed(const std::string& what) {
  return Error(ErrorCode::kInvalidArgument, "the store index is malformed: " + what);
}

bool validPath(const std::string& path) {
  if (path.empty() || path.size() > 256 || path.front() == '/' || path.back() == '/') return false;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::string segment =
        path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    for (char c : segment) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
      if (!ok) return false;
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

Result<IndexEntry> parseEntry(const json& j, const std::string& where) {
  if (!j.is_object()) return malformed(where + " is not an object");
  IndexEntry e;
  if (!j.contains("path") || !j["path"].is_string()) return malformed(where + " has no path");
  e.path = j["path"].get<std::string>();
  if (!validPath(e.path)) {
    return malformed(where + " path '" + e.path +
                     "' must be relative: letters, digits, '-', '_', '.' and '/', no '..'");
  }
  if (!j.contains("sha256") || !j["sha256"].is_string() ||
      !isSha256Hex(j["sha256"].get<std::string>())) {
    return malformed(where + " sha256 must be 64 lowercase hex digits");
  }
  e.sha256 = j["sha256"].get<std::string>();
  if (j.contains("size")) {
    if (!j["size"].is_number_unsigned() || j["size"].get<std::uint64_t>() > kMaxScriptBytes) {
      return malformed(where + " size must be a number of bytes up to 1 MiB");
    }
    e.size = j["size"].get<std::uint64_t>();
  }
  return e;
}

}  // namespace

bool isSha256Hex(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<StoreIndex::Found> StoreIndex::find(const ScriptRef& ref) const {
  const auto it = scripts.find(ref.name);
  if (it == scripts.end() || it->second.empty()) {
    return Error(ErrorCode::kNotFound, "the store's index has no script '" + ref.name + "'");
  }
  if (!ref.version) {
    const auto& [version, entry] = *it->second.rbegin();
    return Found{version, entry};
  }
  if (const auto v = it->second.find(*ref.version); v != it->second.end()) {
    return Found{v->first, v->second};
  }
  std::string versions;
  for (const auto& [version, entry] : it->second) {
    versions += (versions.empty() ? "" : ", ") + version.text();
  }
  return Error(ErrorCode::kNotFound, "the store's index has no version " + ref.version->text() +
                                         " of '" + ref.name + "' (it has " + versions + ")");
}

Result<StoreIndex> parseIndex(const std::string& bytes) {
  if (bytes.size() > kMaxIndexBytes) return malformed("larger than 4 MiB");
  const json j = json::parse(bytes, nullptr, false);
  if (!j.is_object()) return malformed("not a JSON object");
  if (!j.contains("schema") || j["schema"] != kIndexSchema) {
    return malformed(std::string("schema must be \"") + kIndexSchema + "\"");
  }
  StoreIndex index;
  index.bytes = bytes;
  if (j.contains("published")) {
    if (!j["published"].is_string()) return malformed("published is not a string");
    index.published = j["published"].get<std::string>();
  }
  if (!j.contains("scripts") || !j["scripts"].is_object()) {
    return malformed("scripts must be an object of script names");
  }
  for (const auto& [name, versions] : j["scripts"].items()) {
    if (!validScriptName(name)) return malformed("script name '" + name + "' is not valid");
    if (!versions.is_object()) return malformed("scripts." + name + " is not an object");
    auto& out = index.scripts[name];
    for (const auto& [versionText, entryJson] : versions.items()) {
      auto version = StoreVersion::parse(versionText);
      if (!version) return malformed("scripts." + name + ": " + version.error().message());
      // "3" and "03" would be one version: parse() refuses leading zeros, so text round-trips.
      auto entry = parseEntry(entryJson, "scripts." + name + "." + versionText);
      if (!entry) return std::move(entry).error();
      out.emplace(std::move(*version), std::move(*entry));
    }
  }
  return index;
}

std::string indexJson(const StoreIndex& index) {
  json scripts = json::object();
  for (const auto& [name, versions] : index.scripts) {
    json v = json::object();
    for (const auto& [version, entry] : versions) {
      json e = {{"path", entry.path}, {"sha256", entry.sha256}};
      if (entry.size) e["size"] = *entry.size;
      v[version.text()] = std::move(e);
    }
    scripts[name] = std::move(v);
  }
  json j = {{"schema", kIndexSchema}, {"scripts", std::move(scripts)}};
  if (!index.published.empty()) j["published"] = index.published;
  return j.dump(2) + "\n";
}

Result<SignedIndex> parseSignedIndex(const std::string& text) {
  if (text.size() > kMaxIndexBytes) return malformed("the envelope is larger than 4 MiB");
  const json j = json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("index") || !j["index"].is_string() ||
      !j.contains("signatures") || !j["signatures"].is_array()) {
    return malformed("not a signed index ({\"index\": ..., \"signatures\": [...]})");
  }
  SignedIndex e;
  auto index = update::base64Decode(j["index"].get<std::string>());
  if (!index) return malformed("the envelope's index is not base64");
  e.index = std::move(*index);
  for (const auto& s : j["signatures"]) {
    if (!s.is_object() || !s.contains("key_id") || !s["key_id"].is_string() || !s.contains("sig") ||
        !s["sig"].is_string()) {
      return malformed("a signature needs key_id and sig");
    }
    auto sig = update::base64Decode(s["sig"].get<std::string>());
    if (!sig) return malformed("a signature is not base64");
    e.signatures.push_back({s["key_id"].get<std::string>(), std::move(*sig)});
  }
  return e;
}

std::string signedIndexJson(const SignedIndex& e) {
  json sigs = json::array();
  for (const auto& s : e.signatures) {
    sigs.push_back({{"key_id", s.keyId}, {"sig", update::base64Encode(s.sig)}});
  }
  return json{{"index", update::base64Encode(e.index)}, {"signatures", sigs}}.dump(2) + "\n";
}

Result<StoreIndex> verifySignedIndex(const SignedIndex& e,
                                     const std::vector<update::PublicKey>& trusted) {
  if (e.signatures.empty()) {
    return Error(ErrorCode::kProtocol, "the index carries no signature");
  }
  bool verified = false;
  std::string unknown;
  for (const auto& s : e.signatures) {
    const update::PublicKey* key = nullptr;
    for (const auto& k : trusted) {
      if (k.id == s.keyId) key = &k;
    }
    if (key == nullptr) {
      unknown += (unknown.empty() ? "" : ", ") + s.keyId;
      continue;
    }
    // A trusted signature that fails is refused even beside a good one: the index or that
    // signature was changed on the way.
    if (!update::verifySignature(*key, e.index, s.sig)) {
      return Error(ErrorCode::kProtocol, "the index signature by key " + s.keyId +
                                             " does not match the index (changed after signing)");
    }
    verified = true;
  }
  if (!verified) {
    std::string ids;
    for (const auto& k : trusted) ids += (ids.empty() ? "" : ", ") + k.id;
    return Error(ErrorCode::kProtocol,
                 "the index is signed only by keys this edge does not trust (" + unknown +
                     "; adapter_store.keys has " + ids + ")");
  }
  auto index = parseIndex(e.index);
  if (!index) return Error(ErrorCode::kProtocol, index.error().message());
  return index;
}

}  // namespace spindle::transform::store
