#pragma once
/// The adapter store's signed index (docs/cloud-protocol.md "Adapter store (HTTPS)"): which
/// scripts the store holds, where, and their SHA-256. Pure parsing and checking, no I/O.
///
/// `<url>/index.json` is an envelope like an update's: the index JSON exactly as the publisher
/// wrote it, base64-encoded, beside detached Ed25519 signatures, so no JSON canonicalization can
/// make the signer and the edge disagree about what was signed; several signatures allow key
/// rotation:
///
///   {"index": "<base64 of the index JSON>",
///    "signatures": [{"key_id": "<16 hex>", "sig": "<base64 of 64 bytes>"}]}
///
/// The index JSON:
///
///   {"schema": "spindle.store.v1", "published": "2024-06-01T12:00:00Z",
///    "scripts": {"haas-ngc": {"3": {"path": "haas-ngc/3.yaml", "sha256": "<64 hex>",
///                                   "size": 1234}}}}
///
/// `path` is relative to the store URL; `size` is optional (checked when given); `published`
/// is informative; other keys are ignored (later index versions may add some).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "transform/store/script_ref.hpp"
#include "update/manifest.hpp"
#include "update/signing.hpp"

namespace spindle::transform::store {

inline constexpr std::uint64_t kMaxIndexBytes = 4u << 20;   ///< index.json, envelope included
inline constexpr std::uint64_t kMaxScriptBytes = 1u << 20;  ///< one script
inline constexpr const char* kIndexSchema = "spindle.store.v1";

struct IndexEntry {
  std::string path;    ///< relative to the store URL: letters, digits, '-', '_', '.', '/'
  std::string sha256;  ///< 64 lowercase hex digits
  std::optional<std::uint64_t> size;
};

struct StoreIndex {
  std::string bytes;      ///< the index JSON exactly as signed
  std::string published;  ///< informative ("" when absent)
  std::map<std::string, std::map<StoreVersion, IndexEntry>> scripts;

  struct Found {
    StoreVersion version;  ///< the one named, or the highest when none was
    IndexEntry entry;
  };
  /// The entry `ref` names; kNotFound saying which versions of the name there are.
  Result<Found> find(const ScriptRef& ref) const;
};

/// Parses index JSON; kInvalidArgument naming the field that is wrong.
Result<StoreIndex> parseIndex(const std::string& bytes);
/// Index JSON of `index.scripts` and `index.published` (what `spindle store sign-index`
/// writes); parseIndex() reads it back.
std::string indexJson(const StoreIndex& index);

struct SignedIndex {
  std::string index;  ///< the signed bytes
  std::vector<update::Signature> signatures;
};

Result<SignedIndex> parseSignedIndex(const std::string& text);
std::string signedIndexJson(const SignedIndex& envelope);

/// Checks the signatures against `trusted` and returns the index. Refusals (kProtocol): no
/// signature by a trusted key ("signed only by keys this edge does not trust"), a trusted
/// key's signature that does not verify ("does not match": the index or the signature was
/// changed after signing), a malformed envelope or index.
Result<StoreIndex> verifySignedIndex(const SignedIndex& envelope,
                                     const std::vector<update::PublicKey>& trusted);

/// True for 64 lowercase hex digits.
bool isSha256Hex(const std::string& text);

}  // namespace spindle::transform::store
