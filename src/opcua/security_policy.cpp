#include "opcua/security_policy.hpp"

#include <array>

namespace spindle::opcua {
namespace {

// Algorithm URIs of Part 7's SecurityPolicy profiles.
constexpr std::string_view kRsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
constexpr std::string_view kRsaPssSha256 = "http://opcfoundation.org/UA/security/rsa-pss-sha2-256";
constexpr std::string_view kRsaOaep = "http://www.w3.org/2001/04/xmlenc#rsa-oaep";
constexpr std::string_view kRsaOaepSha256 =
    "http://opcfoundation.org/UA/security/rsa-oaep-sha2-256";
constexpr std::string_view kHmacSha256 = "http://www.w3.org/2000/09/xmldsig#hmac-sha256";
constexpr std::string_view kAes256Cbc = "http://www.w3.org/2001/04/xmlenc#aes256-cbc";
constexpr std::string_view kAes128Cbc = "http://www.w3.org/2001/04/xmlenc#aes128-cbc";
constexpr std::string_view kPSha256 =
    "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/dk/p_sha256";

constexpr SecurityPolicy rsaPolicy(std::string_view uri, std::string_view name, int strength,
                                   AsymmetricSignature signature, std::string_view signatureUri,
                                   AsymmetricEncryption encryption, std::string_view encryptionUri,
                                   std::string_view aesUri, std::size_t aesKeyLength) {
  SecurityPolicy p;
  p.uri = uri;
  p.name = name;
  p.strength = strength;
  p.asymmetricSignature = signature;
  p.asymmetricSignatureUri = signatureUri;
  p.asymmetricEncryption = encryption;
  p.asymmetricEncryptionUri = encryptionUri;
  p.symmetricSignatureUri = kHmacSha256;
  p.symmetricEncryptionUri = aesUri;
  p.keyDerivationUri = kPSha256;
  p.symmetricSignatureSize = 32;
  p.signingKeyLength = 32;
  p.encryptingKeyLength = aesKeyLength;
  p.encryptionBlockSize = 16;
  p.nonceLength = 32;
  p.minAsymmetricKeyBits = 2048;
  p.maxAsymmetricKeyBits = 4096;
  return p;
}

constexpr SecurityPolicy nonePolicy() {
  SecurityPolicy p;
  p.uri = kPolicyNoneUri;
  p.name = "None";
  return p;
}

constexpr std::array<SecurityPolicy, 4> kPolicies = {
    nonePolicy(),
    rsaPolicy(kPolicyBasic256Sha256Uri, "Basic256Sha256", 1, AsymmetricSignature::kRsaPkcs1Sha256,
              kRsaSha256, AsymmetricEncryption::kRsaOaepSha1, kRsaOaep, kAes256Cbc, 32),
    rsaPolicy(kPolicyAes128Sha256RsaOaepUri, "Aes128_Sha256_RsaOaep", 2,
              AsymmetricSignature::kRsaPkcs1Sha256, kRsaSha256, AsymmetricEncryption::kRsaOaepSha1,
              kRsaOaep, kAes128Cbc, 16),
    rsaPolicy(kPolicyAes256Sha256RsaPssUri, "Aes256_Sha256_RsaPss", 3,
              AsymmetricSignature::kRsaPssSha256, kRsaPssSha256,
              AsymmetricEncryption::kRsaOaepSha256, kRsaOaepSha256, kAes256Cbc, 32),
};

}  // namespace

const char* toString(SecurityMode mode) {
  switch (mode) {
    case SecurityMode::kInvalid:
      return "Invalid";
    case SecurityMode::kNone:
      return "None";
    case SecurityMode::kSign:
      return "Sign";
    case SecurityMode::kSignAndEncrypt:
      return "SignAndEncrypt";
  }
  return "?";
}

std::span<const SecurityPolicy> securityPolicies() { return kPolicies; }

const SecurityPolicy* findSecurityPolicy(std::string_view uri) {
  for (const SecurityPolicy& p : kPolicies) {
    if (p.uri == uri) return &p;
  }
  return nullptr;
}

const SecurityPolicy& securityPolicyNone() { return kPolicies[0]; }

std::size_t oaepOverhead(AsymmetricEncryption encryption) {
  switch (encryption) {
    case AsymmetricEncryption::kRsaOaepSha1:
      return 2 * 20 + 2;
    case AsymmetricEncryption::kRsaOaepSha256:
      return 2 * 32 + 2;
    case AsymmetricEncryption::kNone:
      return 0;
  }
  return 0;
}

}  // namespace spindle::opcua
