#include "opcua/identity.hpp"

#include <gtest/gtest.h>

#include "opcua/certificates.hpp"

namespace spindle::opcua {
namespace {

constexpr std::int64_t kNow = 1'780'000'000;  // 2026-05-28

struct Party {
  PkeyPtr key;
  Bytes certificateDer;
};

Party makeParty(const char* name) {
  Party p;
  p.key = generateRsaKey(2048).value();
  CertificateSpec spec;
  spec.commonName = name;
  spec.applicationUri = std::string("urn:test:") + name;
  spec.notBefore = kNow - 3600;
  spec.notAfter = kNow + 86400;
  X509Ptr cert = makeCertificate(spec, p.key.get(), nullptr, p.key.get()).value();
  p.certificateDer = certificateDer(cert.get()).value();
  return p;
}

class OpcuaIdentity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_client = new Party(makeParty("client"));
    s_server = new Party(makeParty("server"));
  }
  static void TearDownTestSuite() {
    delete s_client;
    delete s_server;
  }
  static Party* s_client;
  static Party* s_server;
};
Party* OpcuaIdentity::s_client = nullptr;
Party* OpcuaIdentity::s_server = nullptr;

TEST_F(OpcuaIdentity, EncryptedPasswordDecryptsToTheSpecLayout) {
  const Bytes serverNonce = randomBytes(32).value();
  for (const std::string_view uri :
       {kPolicyBasic256Sha256Uri, kPolicyAes128Sha256RsaOaepUri, kPolicyAes256Sha256RsaPssUri}) {
    const SecurityPolicy& policy = *findSecurityPolicy(uri);
    auto secret =
        encryptUserPassword("s3cret-pässword", serverNonce, s_server->certificateDer, uri);
    ASSERT_TRUE(secret) << secret.error().describe();
    EXPECT_EQ(secret->algorithmUri, policy.asymmetricEncryptionUri);
    EXPECT_EQ(secret->cipherText.size(), 256u);
    auto plain = rsaDecrypt(s_server->key.get(), policy.asymmetricEncryption, secret->cipherText);
    ASSERT_TRUE(plain) << plain.error().describe();
    const std::string password = "s3cret-pässword";
    const std::size_t length = password.size() + 32;
    Bytes expected = {static_cast<std::uint8_t>(length), 0, 0, 0};
    expected.insert(expected.end(), password.begin(), password.end());
    expected.insert(expected.end(), serverNonce.begin(), serverNonce.end());
    EXPECT_EQ(plain.value(), expected);
  }
  EXPECT_EQ(findSecurityPolicy(kPolicyBasic256Sha256Uri)->asymmetricEncryptionUri,
            "http://www.w3.org/2001/04/xmlenc#rsa-oaep");
}

TEST_F(OpcuaIdentity, LongPasswordSpansSeveralOaepBlocks) {
  const std::string password(300, 'p');
  auto secret = encryptUserPassword(password, Bytes(32, 7), s_server->certificateDer,
                                    kPolicyBasic256Sha256Uri);
  ASSERT_TRUE(secret);
  EXPECT_EQ(secret->cipherText.size(), 2 * 256u);
  auto plain =
      rsaDecrypt(s_server->key.get(), AsymmetricEncryption::kRsaOaepSha1, secret->cipherText);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->size(), 4 + 300 + 32u);
  EXPECT_EQ((*plain)[0] | (*plain)[1] << 8, 332);
}

TEST_F(OpcuaIdentity, ServerCertificateChainUsesTheLeafKey) {
  Bytes chain = s_server->certificateDer;
  chain.insert(chain.end(), s_client->certificateDer.begin(), s_client->certificateDer.end());
  auto secret = encryptUserPassword("pw", Bytes(32, 1), chain, kPolicyBasic256Sha256Uri);
  ASSERT_TRUE(secret) << secret.error().describe();
  EXPECT_TRUE(
      rsaDecrypt(s_server->key.get(), AsymmetricEncryption::kRsaOaepSha1, secret->cipherText));
  EXPECT_FALSE(
      rsaDecrypt(s_client->key.get(), AsymmetricEncryption::kRsaOaepSha1, secret->cipherText));
}

TEST_F(OpcuaIdentity, PasswordNeverInClear) {
  auto none = encryptUserPassword("pw", Bytes(32), s_server->certificateDer, kPolicyNoneUri);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(encryptUserPassword("pw", Bytes(32), s_server->certificateDer,
                                   "http://opcfoundation.org/UA/SecurityPolicy#Basic128Rsa15"));
  auto garbage = encryptUserPassword("pw", Bytes(32), Bytes{1, 2, 3}, kPolicyBasic256Sha256Uri);
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code(), ErrorCode::kProtocol);
}

TEST_F(OpcuaIdentity, ClientSignatureVerifiesWithTheClientCertificate) {
  const Bytes serverNonce = randomBytes(32).value();
  for (const std::string_view uri : {kPolicyBasic256Sha256Uri, kPolicyAes256Sha256RsaPssUri}) {
    const SecurityPolicy& policy = *findSecurityPolicy(uri);
    auto signature =
        signClientSession(policy, s_client->key.get(), s_server->certificateDer, serverNonce);
    ASSERT_TRUE(signature) << signature.error().describe();
    EXPECT_EQ(signature->algorithmUri, policy.asymmetricSignatureUri);
    // What the server does: verify with the key of the client certificate it received.
    X509Ptr cert = parseCertificateDer(s_client->certificateDer).value();
    PkeyPtr key = certificatePublicKey(cert.get()).value();
    Bytes data = s_server->certificateDer;
    data.insert(data.end(), serverNonce.begin(), serverNonce.end());
    EXPECT_TRUE(rsaVerify(key.get(), policy.asymmetricSignature, data, signature->signature));
    data.back() ^= 1;
    EXPECT_FALSE(rsaVerify(key.get(), policy.asymmetricSignature, data, signature->signature));
  }
}

TEST_F(OpcuaIdentity, ServerSignatureChecked) {
  const SecurityPolicy& policy = *findSecurityPolicy(kPolicyAes128Sha256RsaOaepUri);
  const Bytes clientNonce = randomBytes(32).value();
  Bytes data = s_client->certificateDer;
  data.insert(data.end(), clientNonce.begin(), clientNonce.end());
  SessionSignature good{std::string(policy.asymmetricSignatureUri),
                        rsaSign(s_server->key.get(), policy.asymmetricSignature, data).value()};
  EXPECT_TRUE(verifyServerSignature(policy, s_server->certificateDer, s_client->certificateDer,
                                    clientNonce, good));

  SessionSignature flipped = good;
  flipped.signature[100] ^= 0x10;
  auto s = verifyServerSignature(policy, s_server->certificateDer, s_client->certificateDer,
                                 clientNonce, flipped);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ErrorCode::kProtocol);

  Bytes otherNonce = clientNonce;
  otherNonce[0] ^= 1;
  EXPECT_FALSE(verifyServerSignature(policy, s_server->certificateDer, s_client->certificateDer,
                                     otherNonce, good));
  // Signed by the client's key, not the server's.
  SessionSignature wrongSigner{
      good.algorithmUri, rsaSign(s_client->key.get(), policy.asymmetricSignature, data).value()};
  EXPECT_FALSE(verifyServerSignature(policy, s_server->certificateDer, s_client->certificateDer,
                                     clientNonce, wrongSigner));
  SessionSignature wrongAlgorithm = good;
  wrongAlgorithm.algorithmUri = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
  s = verifyServerSignature(policy, s_server->certificateDer, s_client->certificateDer, clientNonce,
                            wrongAlgorithm);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("rsa-sha1"), std::string::npos);
}

}  // namespace
}  // namespace spindle::opcua
