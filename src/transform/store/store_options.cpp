#include "transform/store/store_options.hpp"

#include <filesystem>

#include "base/redact.hpp"
#include "net/http/http_url.hpp"

namespace spindle::transform::store {

namespace {

// The base64 of a raw key may hold '/', which update::loadPublicKey takes for a file path:
// a spec that is a key is taken as one first.
Result<update::PublicKey> loadKey(const std::string& spec) {
  if (auto key = update::parsePublicKey(spec)) return key;
  return update::loadPublicKey(spec);
}

}  // namespace

const config::OptionTable<StoreOptions>& optionTable() {
  static const auto table = [] {
    config::OptionTable<StoreOptions> t;
    t.required("url", &StoreOptions::url,
               "the store's https:// URL (bucket and prefix) holding index.json");
    t.required("keys", &StoreOptions::keys,
               "Ed25519 public keys the index must be signed with: PEM, base64 of the raw key, "
               "or a file holding one");
    t.optional("refresh", &StoreOptions::refresh, "1h",
               "a load fetches the index again when the cached one is older than this",
               {"0s", "30d"});
    t.optional("fetch_timeout", &StoreOptions::fetchTimeout, "10s",
               "limit for all the store's network work during one load", {"100ms", "5m"});
    return t;
  }();
  return table;
}

bool validate(const StoreOptions& o, const YAML::Node& block, config::Diagnostics& diags) {
  bool good = true;
  auto url = net::http::parseUrl(o.url);
  if (!url) {
    diags.add(block["url"], "adapter_store.url: " + url.error().message(),
              "for example url: https://scripts.example.com/adapters/");
    good = false;
  } else if (url->scheme != "https") {
    diags.add(block["url"], "adapter_store.url must be an https:// URL, not " + url->scheme + "://",
              "scripts are fetched only over TLS");
    good = false;
  } else if (hasUrlCredentials(o.url) || o.url.find_first_of("?#") != std::string::npos) {
    diags.add(block["url"], "adapter_store.url must not carry credentials, a query or a fragment",
              "the store is read without credentials: index.json and the scripts are public, "
              "their signature is what makes them trusted");
    good = false;
  }
  const YAML::Node keys = block["keys"];
  if (o.keys.empty()) {
    diags.add(keys ? keys : block, "adapter_store.keys is empty",
              "the public key(s) the store's index is signed with (spindle update keygen "
              "prints one)");
    good = false;
  }
  for (std::size_t i = 0; i < o.keys.size(); ++i) {
    if (auto key = loadKey(o.keys[i]); !key) {
      diags.add(keys && keys.IsSequence() && i < keys.size() ? keys[i] : keys,
                "adapter_store.keys: " + key.error().describe());
      good = false;
    }
  }
  return good;
}

Result<std::vector<update::PublicKey>> loadKeys(const StoreOptions& o) {
  std::vector<update::PublicKey> out;
  for (const auto& spec : o.keys) {
    auto key = loadKey(spec);
    if (!key) return std::move(key).error().with("adapter_store.keys");
    out.push_back(std::move(*key));
  }
  return out;
}

std::string baseUrl(const StoreOptions& o) {
  std::string url = o.url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + "/";
}

std::string cacheDirectory(const std::string& dataDir, const StoreOptions& o) {
  update::Sha256 h;
  const std::string url = baseUrl(o);
  h.update(url.data(), url.size());
  return (std::filesystem::path(dataDir) / "store" / h.hex().substr(0, 16)).string();
}

}  // namespace spindle::transform::store
