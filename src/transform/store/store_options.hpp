#pragma once
/// The `adapter_store:` section of spindle.yaml: where `store:NAME@VERSION` scripts come from
/// (docs/configuration.md "adapter_store").
///
///   adapter_store:
///     url: https://scripts.example.com/adapters/   # the bucket (and prefix) holding index.json
///     keys: [BASE64...]                             # Ed25519 keys the index may be signed with
///     refresh: 1h                                   # fetch the index again when the cached one
///                                                   # is older than this (at a load)
///     fetch_timeout: 10s                            # all network work of one load

#include <string>
#include <vector>

#include "base/units.hpp"
#include "config/option_table.hpp"
#include "update/signing.hpp"

namespace spindle::transform::store {

struct StoreOptions {
  std::string url;                ///< https:// only; a trailing '/' is implied
  std::vector<std::string> keys;  ///< PEM, base64 of the raw 32 bytes, or a file holding one
  Duration refresh = std::chrono::hours(1);
  Duration fetchTimeout = std::chrono::seconds(10);
};

const config::OptionTable<StoreOptions>& optionTable();

/// Checks what the table cannot: `url` is an https:// URL without credentials, query or
/// fragment; `keys` is not empty and every key loads. Diagnostics at `block`; false on a
/// problem.
bool validate(const StoreOptions& options, const YAML::Node& block, config::Diagnostics& diags);

/// The keys of `options.keys` (files read now); the first that fails is the error.
Result<std::vector<update::PublicKey>> loadKeys(const StoreOptions& options);

/// `url` with exactly one trailing '/': what index.json and the scripts' paths are put after.
std::string baseUrl(const StoreOptions& options);

/// Where the store at `url` is cached: `<data_dir>/store/<first 16 hex of SHA-256(base url)>`,
/// so that changing the URL never mixes two stores' copies.
std::string cacheDirectory(const std::string& dataDir, const StoreOptions& options);

}  // namespace spindle::transform::store
