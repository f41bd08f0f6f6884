#pragma once
/// The cryptography of the secure channel on OpenSSL 3 (EVP APIs only): owning pointers for
/// the OpenSSL objects we hold, nonces, P_SHA256 and the channel key derivation (Part 6,
/// 6.7.5), HMAC-SHA256, AES-CBC without padding, RSA signatures and RSA-OAEP in blocks, and
/// certificate parsing. Pure functions: no files, no clocks, no logging.
///
/// Every OpenSSL failure becomes an Error whose message carries OpenSSL's own error string; the
/// thread's OpenSSL error queue is left empty. Failures on our own keys are kInternal; failures
/// that bytes from a peer can cause (a bad signature, an undecryptable block, a malformed
/// certificate) are kProtocol.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/types.h>

#include "base/error.hpp"
#include "opcua/security_policy.hpp"

namespace spindle::opcua {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

struct OpensslFree {
  void operator()(EVP_PKEY* p) const;
  void operator()(X509* p) const;
  void operator()(X509_CRL* p) const;
  void operator()(EVP_MD_CTX* p) const;
  void operator()(EVP_PKEY_CTX* p) const;
  void operator()(EVP_CIPHER_CTX* p) const;
  void operator()(BIO* p) const;
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpensslFree>;
using X509Ptr = std::unique_ptr<X509, OpensslFree>;
using X509CrlPtr = std::unique_ptr<X509_CRL, OpensslFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpensslFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpensslFree>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, OpensslFree>;
using BioPtr = std::unique_ptr<BIO, OpensslFree>;

/// An Error with `code` whose message is `what` followed by OpenSSL's queued error strings;
/// empties the queue.
Error opensslError(ErrorCode code, std::string_view what);

/// A second owner of `key` (EVP_PKEY_up_ref); null in, null out.
PkeyPtr shareKey(EVP_PKEY* key);

/// `length` cryptographically random bytes (RAND_bytes), e.g. a 32-byte channel nonce.
Result<Bytes> randomBytes(std::size_t length);

/// HMAC-SHA256 of `data` under `key`: 32 bytes.
Result<Bytes> hmacSha256(ByteView key, ByteView data);

/// SHA-1 of `data`: 20 bytes. Only for certificate thumbprints, which Part 6 defines as SHA-1.
Result<Bytes> sha1(ByteView data);

/// P_SHA256(secret, seed) of RFC 5246 section 5 / Part 6 6.7.5: `length` bytes of
/// HMAC-SHA256(secret, A(i) + seed) with A(0) = seed, A(i) = HMAC-SHA256(secret, A(i-1)).
Result<Bytes> pSha256(ByteView secret, ByteView seed, std::size_t length);

/// One direction's symmetric keys.
struct DerivedKeys {
  Bytes signingKey;     ///< HMAC key, policy.signingKeyLength bytes
  Bytes encryptingKey;  ///< AES key, policy.encryptingKeyLength bytes
  Bytes iv;             ///< AES-CBC initialization vector, policy.encryptionBlockSize bytes
};

/// Both directions' keys of a channel (Part 6 6.7.5): what the client sends with is
/// P_SHA256(secret = serverNonce, seed = clientNonce), what the server sends with is
/// P_SHA256(secret = clientNonce, seed = serverNonce); each cut into signing key, encrypting
/// key, IV in that order. Nonces shorter than the policy's nonceLength are a kProtocol error
/// (a server that sends a short nonce weakens every key).
struct ChannelKeys {
  DerivedKeys client;
  DerivedKeys server;
};
Result<ChannelKeys> deriveChannelKeys(const SecurityPolicy& policy, ByteView clientNonce,
                                      ByteView serverNonce);

/// AES-CBC (128 or 256 by the key's length) without padding: `data` must be a whole number
/// of 16-byte blocks (else kInvalidArgument). `iv` is 16 bytes.
Result<Bytes> aesCbcEncrypt(ByteView key, ByteView iv, ByteView data);
Result<Bytes> aesCbcDecrypt(ByteView key, ByteView iv, ByteView data);

/// Bytes of an RSA key's modulus (256 for RSA-2048); 0 for a null key.
std::size_t rsaKeyBytes(const EVP_PKEY* key);
/// Bits of an RSA key's modulus.
std::size_t rsaKeyBits(const EVP_PKEY* key);

/// Signs `data` with the private `key`; the signature is rsaKeyBytes(key) bytes.
Result<Bytes> rsaSign(EVP_PKEY* key, AsymmetricSignature scheme, ByteView data);
/// Checks `signature` over `data` with the public `key`; a mismatch is kProtocol.
Status rsaVerify(EVP_PKEY* key, AsymmetricSignature scheme, ByteView data, ByteView signature);

/// RSA-OAEP of `plain` with the public `key`, in blocks of rsaKeyBytes(key) - oaepOverhead
/// plaintext bytes; each block gives rsaKeyBytes(key) ciphertext bytes.
Result<Bytes> rsaEncrypt(EVP_PKEY* key, AsymmetricEncryption scheme, ByteView plain);
/// The reverse with the private `key`; a length that is not a whole number of blocks, or a
/// block that does not decrypt, is kProtocol naming the block's offset.
Result<Bytes> rsaDecrypt(EVP_PKEY* key, AsymmetricEncryption scheme, ByteView cipher);

/// A new RSA key of `bits` bits (e = 65537). Slow: 2048 bits take ~0.1 s, 4096 up to seconds.
Result<PkeyPtr> generateRsaKey(unsigned bits);

/// A DER X.509 certificate; malformed or trailing bytes are kProtocol.
Result<X509Ptr> parseCertificateDer(ByteView der);
/// A certificate field that may hold a chain (Part 6 6.7.2.3: SenderCertificate and the
/// CreateSession serverCertificate may be the DER certificates one after the other, leaf
/// first): at least one certificate, every byte used, else kProtocol naming the offset.
Result<std::vector<X509Ptr>> parseCertificateChain(ByteView der);
/// The DER bytes of `cert`.
Result<Bytes> certificateDer(X509* cert);
/// The public key of `cert` (a new owner).
Result<PkeyPtr> certificatePublicKey(X509* cert);
/// SHA-1 of a DER certificate: the thumbprint of Part 6 (20 bytes).
Result<Bytes> certificateThumbprint(ByteView der);

/// A private key from PEM text (unencrypted PKCS#8 or traditional RSA).
Result<PkeyPtr> parsePrivateKeyPem(std::string_view pem);
/// PEM text (PKCS#8, unencrypted) of a private key.
Result<std::string> privateKeyPem(EVP_PKEY* key);

/// Lower-case hex of `bytes`.
std::string toHex(ByteView bytes);

}  // namespace spindle::opcua
