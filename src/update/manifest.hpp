#pragma once
/// The update manifest and the signed envelope that carries it (docs/updates.md).
///
/// What is signed is the manifest's bytes exactly as the cloud wrote them: the envelope holds
/// them base64-encoded, beside detached Ed25519 signatures, so no JSON canonicalization can
/// make the signer and the edge disagree about what was signed:
///
///   {"manifest": "<base64 of the manifest JSON>",
///    "signatures": [{"key_id": "<16 hex>", "sig": "<base64 of 64 bytes>"}]}
///
/// Several signatures allow key rotation: sign with the old and the new key until every edge
/// trusts the new one.

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "update/signing.hpp"
#include "update/version.hpp"

namespace spindle::update {

struct Manifest {
  Version version;
  std::string url;         ///< https:// only
  std::uint64_t size = 0;  ///< bytes of the artifact (the spindle binary)
  std::string sha256;      ///< 64 lowercase hex digits
  Version minVersion;      ///< the oldest running version it may update (0.0.0: any)
  std::string notes;       ///< release notes, shown by `spindle update status`
  std::string channel;     ///< the channel it was released on ("stable"); informative
  bool rollback = false;   ///< may replace a newer version (a signed downgrade)
  std::string bytes;       ///< the manifest JSON exactly as signed
};

/// Parses manifest JSON; refusal kMalformed naming the field.
Result<Manifest> parseManifest(const std::string& bytes);
/// Manifest JSON with the fields in a fixed order (what `spindle update sign` writes).
std::string manifestJson(const Manifest& manifest);

struct Signature {
  std::string keyId;
  std::string sig;  ///< raw bytes
};

struct Envelope {
  std::string manifest;  ///< the signed bytes
  std::vector<Signature> signatures;
};

Result<Envelope> parseEnvelope(const std::string& text);
std::string envelopeJson(const Envelope& envelope);

/// Checks the signatures against `trusted` and returns the manifest. Refusals: kMalformed,
/// kUnknownKey (no signature by a trusted key), kBadSignature (a signature by a trusted key
/// that does not verify: the manifest was changed after signing, or the signature was).
Result<Manifest> verifyEnvelope(const Envelope& envelope, const std::vector<PublicKey>& trusted);

}  // namespace spindle::update
