#include "opcua/identity.hpp"

#include <algorithm>
#include <limits>

namespace spindle::opcua {
namespace {

// The public key of the leaf of a certificate field that may hold a chain.
Result<PkeyPtr> leafKey(ByteView certificates) {
  auto chain = parseCertificateChain(certificates);
  if (!chain) return std::move(chain).error().with("reading the server certificate");
  auto key = certificatePublicKey(chain->front().get());
  if (!key) return std::move(key).error().with("reading the server certificate");
  return key;
}

Bytes concat(ByteView a, ByteView b) {
  Bytes out;
  out.reserve(a.size() + b.size());
  out.insert(out.end(), a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

}  // namespace

Result<EncryptedSecret> encryptUserPassword(std::string_view password, ByteView serverNonce,
                                            ByteView serverCertificateDer,
                                            std::string_view tokenPolicyUri) {
  const SecurityPolicy* policy = findSecurityPolicy(tokenPolicyUri);
  if (policy == nullptr) {
    return Error(ErrorCode::kInvalidArgument,
                 "user token security policy " + std::string(tokenPolicyUri) + " not supported");
  }
  if (policy->isNone()) {
    return Error(ErrorCode::kInvalidArgument,
                 "user token policy None would send the password in clear; refused");
  }
  const std::size_t length = password.size() + serverNonce.size();
  if (length > std::numeric_limits<std::uint32_t>::max()) {
    return Error(ErrorCode::kInvalidArgument, "password too long");
  }
  auto key = leafKey(serverCertificateDer);
  if (!key) return std::move(key).error();

  Bytes plain;
  plain.reserve(4 + length);
  for (int i = 0; i < 4; ++i) plain.push_back(static_cast<std::uint8_t>(length >> (8 * i)));
  plain.insert(plain.end(), password.begin(), password.end());
  plain.insert(plain.end(), serverNonce.begin(), serverNonce.end());
  auto sealed = rsaEncrypt(key->get(), policy->asymmetricEncryption, plain);
  // The plaintext holds the password: wipe our copy whatever happened.
  std::fill(plain.begin(), plain.end(), std::uint8_t{0});
  if (!sealed) return std::move(sealed).error().with("encrypting the user password");
  return EncryptedSecret{std::move(sealed.value()), std::string(policy->asymmetricEncryptionUri)};
}

Result<SessionSignature> signClientSession(const SecurityPolicy& policy, EVP_PKEY* ourPrivateKey,
                                           ByteView serverCertificateDer, ByteView serverNonce) {
  if (policy.isNone()) {
    return Error(ErrorCode::kInvalidArgument, "SecurityPolicy None has no client signature");
  }
  auto signature =
      rsaSign(ourPrivateKey, policy.asymmetricSignature, concat(serverCertificateDer, serverNonce));
  if (!signature) return std::move(signature).error().with("signing the session");
  return SessionSignature{std::string(policy.asymmetricSignatureUri), std::move(signature.value())};
}

Status verifyServerSignature(const SecurityPolicy& policy, ByteView serverCertificateDer,
                             ByteView clientCertificateDer, ByteView clientNonce,
                             const SessionSignature& serverSignature) {
  if (policy.isNone()) {
    return Error(ErrorCode::kInvalidArgument, "SecurityPolicy None has no server signature");
  }
  if (serverSignature.algorithmUri != policy.asymmetricSignatureUri) {
    return Error(ErrorCode::kProtocol, "server signature algorithm '" +
                                           serverSignature.algorithmUri + "' is not " +
                                           std::string(policy.asymmetricSignatureUri));
  }
  auto key = leafKey(serverCertificateDer);
  if (!key) return std::move(key).error();
  if (auto s = rsaVerify(key->get(), policy.asymmetricSignature,
                         concat(clientCertificateDer, clientNonce), serverSignature.signature);
      !s) {
    return std::move(s).error().with("checking the CreateSession server signature");
  }
  return okStatus();
}

}  // namespace spindle::opcua
