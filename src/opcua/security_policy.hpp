#pragma once
/// The OPC UA SecurityPolicies this client speaks (OPC UA Part 7, the "SecurityPolicy" profiles):
/// their URIs, algorithms, key and nonce sizes, and the algorithm URIs that go on the wire
/// (SignatureData.algorithm, UserNameIdentityToken.encryptionAlgorithm). A static table: the
/// entries live for the whole program, callers keep plain pointers to them.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace spindle::opcua {

/// MessageSecurityMode (Part 4, 7.20); the numbers are the wire values.
enum class SecurityMode : std::int32_t {
  kInvalid = 0,
  kNone = 1,
  kSign = 2,
  kSignAndEncrypt = 3,
};

const char* toString(SecurityMode mode);

/// The RSA signature scheme of OPN chunks and of the session signatures.
enum class AsymmetricSignature {
  kNone,
  kRsaPkcs1Sha256,  ///< RSASSA-PKCS1-v1_5 with SHA-256
  kRsaPssSha256,    ///< RSASSA-PSS, SHA-256, MGF1-SHA-256, 32-byte salt
};

/// The RSA encryption of OPN chunks and of user passwords.
enum class AsymmetricEncryption {
  kNone,
  kRsaOaepSha1,    ///< RSAES-OAEP, SHA-1 and MGF1-SHA-1: 42 bytes of overhead per block
  kRsaOaepSha256,  ///< RSAES-OAEP, SHA-256 and MGF1-SHA-256: 66 bytes of overhead per block
};

struct SecurityPolicy {
  std::string_view uri;
  std::string_view name;  ///< the URI's fragment, e.g. "Basic256Sha256"
  /// Higher is more secure; used to pick among a server's endpoints. None is 0. The order
  /// follows the age of the policies: Aes256_Sha256_RsaPss (PSS signatures, OAEP with SHA-256)
  /// over Aes128_Sha256_RsaOaep over Basic256Sha256 (the OPC Foundation's reference stack
  /// ranks them the same way).
  int strength = 0;

  AsymmetricSignature asymmetricSignature = AsymmetricSignature::kNone;
  std::string_view asymmetricSignatureUri;
  AsymmetricEncryption asymmetricEncryption = AsymmetricEncryption::kNone;
  std::string_view asymmetricEncryptionUri;
  std::string_view symmetricSignatureUri;
  std::string_view symmetricEncryptionUri;
  std::string_view keyDerivationUri;

  std::size_t symmetricSignatureSize = 0;  ///< bytes of the HMAC-SHA256 appended to MSG chunks
  std::size_t signingKeyLength = 0;        ///< bytes of each derived HMAC key
  std::size_t encryptingKeyLength = 0;     ///< bytes of each derived AES key (32 or 16)
  std::size_t encryptionBlockSize = 0;     ///< AES block and derived IV length (16)
  std::size_t nonceLength = 0;             ///< SecureChannel nonce bytes (32)
  std::size_t minAsymmetricKeyBits = 0;    ///< RSA modulus bounds, inclusive
  std::size_t maxAsymmetricKeyBits = 0;

  bool isNone() const { return asymmetricSignature == AsymmetricSignature::kNone; }
};

inline constexpr std::string_view kPolicyNoneUri =
    "http://opcfoundation.org/UA/SecurityPolicy#None";
inline constexpr std::string_view kPolicyBasic256Sha256Uri =
    "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256";
inline constexpr std::string_view kPolicyAes128Sha256RsaOaepUri =
    "http://opcfoundation.org/UA/SecurityPolicy#Aes128_Sha256_RsaOaep";
inline constexpr std::string_view kPolicyAes256Sha256RsaPssUri =
    "http://opcfoundation.org/UA/SecurityPolicy#Aes256_Sha256_RsaPss";

/// Every policy we know, None first.
std::span<const SecurityPolicy> securityPolicies();

/// The policy with this exact URI, or nullptr when we do not support it (a server may offer
/// Basic128Rsa15, Basic256 or ECC policies; those are deliberately absent).
const SecurityPolicy* findSecurityPolicy(std::string_view uri);

/// The None policy (never null).
const SecurityPolicy& securityPolicyNone();

/// Overhead of one RSA-OAEP block in bytes: 2 * hash length + 2.
std::size_t oaepOverhead(AsymmetricEncryption encryption);

}  // namespace spindle::opcua
