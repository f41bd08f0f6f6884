#pragma once
/// The ChunkSecurity of the RSA SecurityPolicies (Basic256Sha256, Aes128_Sha256_RsaOaep,
/// Aes256_Sha256_RsaPss; Part 6, 6.7.2):
///
/// - SymmetricSecurity protects MSG and CLO chunks with the keys derived from the nonces:
///   HMAC-SHA256 over the chunk up to the signature; in SignAndEncrypt also padding and AES-CBC
///   over everything after the security header, restarted with the derived IV on every chunk.
/// - AsymmetricSecurity protects OPN chunks with the certificates' RSA keys: signed with our
///   private key, encrypted in RSA-OAEP blocks with the peer's public key. Part 6 6.7.4 has OPN
///   chunks signed AND encrypted in both Sign and SignAndEncrypt modes, so the mode does not
///   change what it does (it only must not be None).
///
/// Padding (SignAndEncrypt, and every OPN chunk): a PaddingSize byte, then PaddingSize bytes each
/// equal to it, sized so that sequence header + body + padding + signature fill whole plaintext
/// blocks. When the encrypting RSA key is over 2048 bits the padding length may exceed 255: the
/// PaddingSize byte and the padding bytes carry its low byte and an ExtraPaddingSize byte after
/// the padding carries the high byte.
///
/// The size getters (signatureSize, block sizes, paddingFieldSize) describe the chunks this
/// object SENDS, which is what the chunk layer lays out; unprotect uses the receiving
/// direction's sizes (for OPN: our key decrypts, the peer's key signs).
///
/// unprotect leaves bytes 0..headerEnd untouched (MessageSize still names the received size)
/// and fails with kProtocol naming the check: MessageSize, block multiple, signature (compared
/// in constant time), padding size, padding bytes.
///
/// Thread: one object per channel (or per security token), used by one thread at a time.

#include <memory>

#include "base/error.hpp"
#include "opcua/chunk_security.hpp"
#include "opcua/crypto.hpp"
#include "opcua/security_policy.hpp"

namespace spindle::opcua {

/// Which end of the channel an object works for: it picks which derived key set sends.
enum class ChannelSide { kClient, kServer };

class SymmetricSecurity final : public ChunkSecurity {
 public:
  /// Sends with `sending`, checks received chunks with `receiving`. kInvalidArgument when the
  /// policy is None, the mode is not Sign or SignAndEncrypt, or a key has the wrong length.
  static Result<std::unique_ptr<SymmetricSecurity>> create(const SecurityPolicy& policy,
                                                           SecurityMode mode, DerivedKeys sending,
                                                           DerivedKeys receiving);
  /// The same from a channel's derived keys, for the client or the server end.
  static Result<std::unique_ptr<SymmetricSecurity>> create(const SecurityPolicy& policy,
                                                           SecurityMode mode,
                                                           const ChannelKeys& keys,
                                                           ChannelSide side);

  std::size_t signatureSize() const override;
  std::size_t plainBlockSize() const override;
  std::size_t cipherBlockSize() const override;
  std::size_t paddingFieldSize() const override;
  Status protect(std::vector<std::uint8_t>& chunk, std::size_t headerEnd) override;
  Status unprotect(std::vector<std::uint8_t>& chunk, std::size_t headerEnd) override;

 private:
  SymmetricSecurity(const SecurityPolicy& policy, SecurityMode mode, DerivedKeys sending,
                    DerivedKeys receiving);
  bool encrypting() const { return m_mode == SecurityMode::kSignAndEncrypt; }

  const SecurityPolicy& m_policy;
  SecurityMode m_mode;
  DerivedKeys m_sending;
  DerivedKeys m_receiving;
};

class AsymmetricSecurity final : public ChunkSecurity {
 public:
  /// `ourPrivateKey` signs what we send and decrypts what we receive; `peerPublicKey` (from
  /// the peer's certificate) encrypts what we send and verifies what we receive. Both are
  /// shared (reference-counted), the caller keeps its own. kInvalidArgument when the policy is
  /// None, the mode is None or Invalid, or a key is not RSA within the policy's size bounds.
  static Result<std::unique_ptr<AsymmetricSecurity>> create(const SecurityPolicy& policy,
                                                            SecurityMode mode,
                                                            EVP_PKEY* ourPrivateKey,
                                                            EVP_PKEY* peerPublicKey);

  std::size_t signatureSize() const override;     ///< our key's size in bytes
  std::size_t plainBlockSize() const override;    ///< peer key bytes - OAEP overhead
  std::size_t cipherBlockSize() const override;   ///< peer key bytes
  std::size_t paddingFieldSize() const override;  ///< 2 when the peer key is over 2048 bits
  Status protect(std::vector<std::uint8_t>& chunk, std::size_t headerEnd) override;
  Status unprotect(std::vector<std::uint8_t>& chunk, std::size_t headerEnd) override;

 private:
  AsymmetricSecurity(const SecurityPolicy& policy, PkeyPtr ours, PkeyPtr peer);

  const SecurityPolicy& m_policy;
  PkeyPtr m_ours;
  PkeyPtr m_peer;
};

}  // namespace spindle::opcua
