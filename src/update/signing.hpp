#pragma once
/// Ed25519 keys and signatures (OpenSSL 3), SHA-256 and base64: the cryptography of updates.
///
/// A public key is written either as PEM ("-----BEGIN PUBLIC KEY-----", what `spindle update
/// keygen` writes) or as the base64 of its 32 raw bytes (one line for a YAML list). Its id is
/// the first 16 hex digits of the SHA-256 of the raw key: the same key always has the same id,
/// so an envelope names the key it was signed with and an edge never has to try every key.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/base64.hpp"
#include "base/error.hpp"

namespace spindle::update {

using spindle::base64Decode;  // base/base64.hpp
using spindle::base64Encode;

/// SHA-256 fed in pieces (a download as it streams).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, std::size_t size);
  /// 64 lowercase hex digits. Ends the digest: call once.
  std::string hex();

 private:
  struct State;
  std::unique_ptr<State> m_state;
};
/// The SHA-256 of a file's contents, in hex; kIo when it cannot be read.
Result<std::string> sha256File(const std::string& path);

struct PublicKey {
  std::string id;   ///< 16 hex digits (see above)
  std::string raw;  ///< the 32 bytes
};

/// A public key from PEM text or from the base64 of the raw 32 bytes.
Result<PublicKey> parsePublicKey(std::string_view text);
/// `spec` is a key (as above) or the path of a file holding one (PEM or base64).
Result<PublicKey> loadPublicKey(const std::string& spec);

/// An Ed25519 private key, read from a PEM file (PKCS#8, as `spindle update keygen` and
/// `openssl genpkey -algorithm ed25519` write it).
class PrivateKey {
 public:
  static Result<PrivateKey> load(const std::string& path);
  ~PrivateKey();
  PrivateKey(PrivateKey&& other) noexcept;
  PrivateKey& operator=(PrivateKey&&) = delete;

  PublicKey publicKey() const;
  /// The 64-byte signature of `message` (Ed25519 signs the message itself, no digest first).
  Result<std::string> sign(std::string_view message) const;

 private:
  explicit PrivateKey(void* pkey) : m_pkey(pkey) {}
  void* m_pkey;  ///< EVP_PKEY*
};

/// True when `signature` is `key`'s signature of `message`.
bool verifySignature(const PublicKey& key, std::string_view message, std::string_view signature);

struct KeyPair {
  std::string privatePem;
  std::string publicPem;
  PublicKey publicKey;
};
KeyPair generateKeyPair();

}  // namespace spindle::update
