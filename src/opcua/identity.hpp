#pragma once
/// The secrets of CreateSession / ActivateSession (OPC UA Part 4, 5.6.2 to 5.6.3 and 7.36):
/// the encrypted password of a UserNameIdentityToken, the client's signature, and the check of
/// the server's signature. Pure: the caller encodes the results into its requests.

#include <string>
#include <string_view>

#include "base/error.hpp"
#include "opcua/crypto.hpp"
#include "opcua/security_policy.hpp"

namespace spindle::opcua {

/// A UserNameIdentityToken's password field and its encryptionAlgorithm.
struct EncryptedSecret {
  Bytes cipherText;
  std::string algorithmUri;  ///< e.g. "http://www.w3.org/2001/04/xmlenc#rsa-oaep"
};

/// Encrypts `password` for the server (Part 4 7.36.2.2): the plaintext is a UInt32
/// little-endian length of password + serverNonce, the password's bytes, then the server
/// nonce; RSA-OAEP with the key of `serverCertificateDer` (its leaf, if a chain), as the user token
/// policy's `tokenPolicyUri` says (it may differ from the channel's policy; pass the channel's when
/// the token policy names none). A None or unknown policy is kInvalidArgument: this function never
/// returns a password in clear. A malformed certificate is kProtocol.
Result<EncryptedSecret> encryptUserPassword(std::string_view password, ByteView serverNonce,
                                            ByteView serverCertificateDer,
                                            std::string_view tokenPolicyUri);

/// The content of a SignatureData (Part 4 7.37): algorithm URI and signature bytes. Named
/// apart from the encoder's SignatureData (services_session.hpp), which callers fill from it.
struct SessionSignature {
  std::string algorithmUri;
  Bytes signature;
};

/// The ActivateSession clientSignature: our private key's signature over the server's
/// certificate (DER) followed by the server's nonce, with the channel policy's algorithm.
Result<SessionSignature> signClientSession(const SecurityPolicy& policy, EVP_PKEY* ourPrivateKey,
                                           ByteView serverCertificateDer, ByteView serverNonce);

/// Checks the CreateSession serverSignature: the server certificate's signature over our
/// certificate (DER) followed by our client nonce. A wrong algorithm URI or a signature that
/// does not verify is kProtocol.
Status verifyServerSignature(const SecurityPolicy& policy, ByteView serverCertificateDer,
                             ByteView clientCertificateDer, ByteView clientNonce,
                             const SessionSignature& serverSignature);

}  // namespace spindle::opcua
