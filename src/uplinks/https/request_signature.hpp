#pragma once
/// Signs the edge's HTTPS requests with its Ed25519 key (the one `spindle provision`
/// registered with the API), so the API knows which edge sent a batch and that nobody changed
/// it on the way (docs/cloud-protocol.md, "Request signatures"):
///
///   Spindle-Date: 2026-12-06T05:00:00.000000Z
///   Spindle-Signature: keyId=<16 hex>,sig=<base64 of 64 bytes>
///
/// over the lines "spindle-request-v1", the method, the path with its query, Spindle-Date,
/// the Idempotency-Key ("" when none) and the SHA-256 (hex) of the body as sent.

#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "base/time.hpp"
#include "net/http/http_client.hpp"
#include "update/signing.hpp"

namespace spindle::uplinks::https {

inline constexpr const char* kHeaderDate = "Spindle-Date";
inline constexpr const char* kHeaderSignature = "Spindle-Signature";

/// The text that is signed (pure; also what a server rebuilds to verify).
std::string signedText(std::string_view method, std::string_view pathAndQuery,
                       std::string_view date, std::string_view idempotencyKey,
                       std::string_view bodySha256Hex);

/// The path and query of an https:// URL ("/" when it has none).
std::string pathAndQuery(std::string_view url);

class RequestSigner {
 public:
  /// Reads the PEM key; kNotFound when the file does not exist, other errors when it cannot
  /// be read or is not an Ed25519 key.
  static Result<RequestSigner> load(const std::string& keyPath);

  /// Adds Spindle-Date (`now`) and Spindle-Signature to `request`, whose method, URL,
  /// idempotency key and body are final.
  Status sign(net::http::HttpRequest& request, TimestampNs now) const;
  const std::string& keyId() const { return m_keyId; }

 private:
  RequestSigner(update::PrivateKey key, std::string keyId)
      : m_key(std::move(key)), m_keyId(std::move(keyId)) {}
  update::PrivateKey m_key;
  std::string m_keyId;
};

}  // namespace spindle::uplinks::https
