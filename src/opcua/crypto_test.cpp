#include "opcua/crypto.hpp"

#include <string>

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

namespace spindle::opcua {
namespace {

Bytes fromHex(std::string_view hex) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

Bytes bytesOf(std::string_view text) { return Bytes(text.begin(), text.end()); }

Bytes concat(const Bytes& a, const Bytes& b) {
  Bytes out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// OpenSSL's own TLS 1.2 PRF, an implementation independent of ours: with digest SHA-256 and
// the whole of label+seed given as the seed, it computes P_SHA256(secret, seed).
Bytes opensslTls1Prf(const Bytes& secret, const Bytes& seed, std::size_t length) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "TLS1-PRF", nullptr);
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET,
                                        const_cast<std::uint8_t*>(secret.data()), secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, const_cast<std::uint8_t*>(seed.data()),
                                        seed.size()),
      OSSL_PARAM_construct_end()};
  Bytes out(length);
  const int rc = EVP_KDF_derive(ctx, out.data(), out.size(), params);
  EVP_KDF_CTX_free(ctx);
  EVP_KDF_free(kdf);
  EXPECT_EQ(rc, 1);
  return out;
}

TEST(OpcuaCrypto, PSha256MatchesPublishedTls12PrfVector) {
  // The TLS 1.2 PRF (SHA-256) test vector circulated on the IETF TLS list: PRF(secret, label,
  // seed) = P_SHA256(secret, label + seed).
  const Bytes secret = fromHex("9bbe436ba940f017b17652849a71db35");
  const Bytes seed = concat(bytesOf("test label"), fromHex("a0ba9f936cda311827a6f796ffd5198c"));
  const Bytes expected = fromHex(
      "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
      "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
      "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
      "87347b66");
  auto out = pSha256(secret, seed, expected.size());
  ASSERT_TRUE(out) << out.error().describe();
  EXPECT_EQ(out.value(), expected);
}

TEST(OpcuaCrypto, PSha256MatchesOpensslTls1PrfKdf) {
  for (const std::size_t secretLength : {16u, 32u, 65u}) {
    for (const std::size_t length : {1u, 31u, 32u, 33u, 64u, 80u, 200u}) {
      const Bytes secret = randomBytes(secretLength).value();
      const Bytes seed = randomBytes(32).value();
      auto ours = pSha256(secret, seed, length);
      ASSERT_TRUE(ours);
      EXPECT_EQ(ours.value(), opensslTls1Prf(secret, seed, length))
          << "secret " << secretLength << " length " << length;
    }
  }
}

TEST(OpcuaCrypto, ChannelKeysSplitPSha256PerPolicy) {
  for (const SecurityPolicy& policy : securityPolicies()) {
    if (policy.isNone()) continue;
    const Bytes clientNonce = randomBytes(32).value();
    const Bytes serverNonce = randomBytes(32).value();
    auto keys = deriveChannelKeys(policy, clientNonce, serverNonce);
    ASSERT_TRUE(keys) << keys.error().describe();
    for (const DerivedKeys* k : {&keys->client, &keys->server}) {
      EXPECT_EQ(k->signingKey.size(), 32u);
      EXPECT_EQ(k->encryptingKey.size(), policy.encryptingKeyLength);
      EXPECT_EQ(k->iv.size(), 16u);
    }
    // Client keys: secret = server nonce, seed = client nonce; signing, encrypting, IV.
    const std::size_t total = 32 + policy.encryptingKeyLength + 16;
    const Bytes client = opensslTls1Prf(serverNonce, clientNonce, total);
    const Bytes server = opensslTls1Prf(clientNonce, serverNonce, total);
    EXPECT_EQ(concat(concat(keys->client.signingKey, keys->client.encryptingKey), keys->client.iv),
              client);
    EXPECT_EQ(concat(concat(keys->server.signingKey, keys->server.encryptingKey), keys->server.iv),
              server);
  }
  EXPECT_EQ(findSecurityPolicy(kPolicyAes128Sha256RsaOaepUri)->encryptingKeyLength, 16u);
  EXPECT_EQ(findSecurityPolicy(kPolicyBasic256Sha256Uri)->encryptingKeyLength, 32u);
}

TEST(OpcuaCrypto, ShortNonceRefused) {
  const SecurityPolicy& policy = *findSecurityPolicy(kPolicyBasic256Sha256Uri);
  auto keys = deriveChannelKeys(policy, randomBytes(32).value(), randomBytes(16).value());
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error().code(), ErrorCode::kProtocol);
  EXPECT_NE(keys.error().message().find("nonce too short"), std::string::npos);
}

TEST(OpcuaCrypto, HmacSha256Rfc4231Case2) {
  auto mac = hmacSha256(bytesOf("Jefe"), bytesOf("what do ya want for nothing?"));
  ASSERT_TRUE(mac);
  EXPECT_EQ(toHex(mac.value()), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(OpcuaCrypto, AesCbcNistSp80038aVectors) {
  const Bytes iv = fromHex("000102030405060708090a0b0c0d0e0f");
  const Bytes plain = fromHex("6bc1bee22e409f96e93d7e117393172a");
  auto aes128 = aesCbcEncrypt(fromHex("2b7e151628aed2a6abf7158809cf4f3c"), iv, plain);
  ASSERT_TRUE(aes128);
  EXPECT_EQ(toHex(aes128.value()), "7649abac8119b246cee98e9b12e9197d");
  const Bytes key256 = fromHex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
  auto aes256 = aesCbcEncrypt(key256, iv, plain);
  ASSERT_TRUE(aes256);
  EXPECT_EQ(toHex(aes256.value()), "f58c4c04d6e5f1ba779eabfb5f7bfbd6");
  auto back = aesCbcDecrypt(key256, iv, aes256.value());
  ASSERT_TRUE(back);
  EXPECT_EQ(back.value(), plain);
  EXPECT_FALSE(aesCbcEncrypt(key256, iv, Bytes(15)));
  EXPECT_FALSE(aesCbcEncrypt(Bytes(24), iv, plain));
}

TEST(OpcuaCrypto, Sha1Thumbprint) {
  auto digest = certificateThumbprint(bytesOf("abc"));
  ASSERT_TRUE(digest);
  EXPECT_EQ(toHex(digest.value()), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

class OpcuaCryptoRsa : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { s_key = generateRsaKey(2048).value().release(); }
  static void TearDownTestSuite() { EVP_PKEY_free(s_key); }
  static EVP_PKEY* s_key;
};
EVP_PKEY* OpcuaCryptoRsa::s_key = nullptr;

TEST_F(OpcuaCryptoRsa, SignVerifyBothSchemes) {
  const Bytes data = bytesOf("the chunk to sign");
  for (const auto scheme :
       {AsymmetricSignature::kRsaPkcs1Sha256, AsymmetricSignature::kRsaPssSha256}) {
    auto sig = rsaSign(s_key, scheme, data);
    ASSERT_TRUE(sig) << sig.error().describe();
    EXPECT_EQ(sig->size(), 256u);
    EXPECT_TRUE(rsaVerify(s_key, scheme, data, sig.value()));
    Bytes bad = sig.value();
    bad[10] ^= 1;
    auto s = rsaVerify(s_key, scheme, data, bad);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code(), ErrorCode::kProtocol);
    EXPECT_EQ(ERR_peek_error(), 0u) << "the OpenSSL error queue is left empty";
  }
  // PKCS#1 v1.5 is deterministic, PSS is randomized: two PSS signatures differ.
  EXPECT_EQ(rsaSign(s_key, AsymmetricSignature::kRsaPkcs1Sha256, data).value(),
            rsaSign(s_key, AsymmetricSignature::kRsaPkcs1Sha256, data).value());
  EXPECT_NE(rsaSign(s_key, AsymmetricSignature::kRsaPssSha256, data).value(),
            rsaSign(s_key, AsymmetricSignature::kRsaPssSha256, data).value());
  // And a PKCS#1 signature is not a PSS one.
  auto pkcs = rsaSign(s_key, AsymmetricSignature::kRsaPkcs1Sha256, data).value();
  EXPECT_FALSE(rsaVerify(s_key, AsymmetricSignature::kRsaPssSha256, data, pkcs));
}

TEST_F(OpcuaCryptoRsa, OaepInBlocks) {
  for (const auto scheme :
       {AsymmetricEncryption::kRsaOaepSha1, AsymmetricEncryption::kRsaOaepSha256}) {
    const std::size_t block = 256 - oaepOverhead(scheme);
    EXPECT_EQ(block, scheme == AsymmetricEncryption::kRsaOaepSha1 ? 214u : 190u);
    const Bytes plain = randomBytes(block * 3).value();
    auto sealed = rsaEncrypt(s_key, scheme, plain);
    ASSERT_TRUE(sealed) << sealed.error().describe();
    EXPECT_EQ(sealed->size(), 3 * 256u);
    auto opened = rsaDecrypt(s_key, scheme, sealed.value());
    ASSERT_TRUE(opened) << opened.error().describe();
    EXPECT_EQ(opened.value(), plain);

    Bytes tampered = sealed.value();
    tampered[256 + 7] ^= 0x80;
    auto bad = rsaDecrypt(s_key, scheme, tampered);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code(), ErrorCode::kProtocol);
    EXPECT_NE(bad.error().message().find("offset 256"), std::string::npos) << bad.error().message();
    EXPECT_EQ(ERR_peek_error(), 0u);

    auto ragged = rsaDecrypt(s_key, scheme, ByteView(sealed->data(), 300));
    ASSERT_FALSE(ragged);
    EXPECT_EQ(ragged.error().code(), ErrorCode::kProtocol);
  }
  // SHA-1 OAEP output does not decrypt as SHA-256 OAEP.
  auto sealed = rsaEncrypt(s_key, AsymmetricEncryption::kRsaOaepSha1, bytesOf("x")).value();
  EXPECT_FALSE(rsaDecrypt(s_key, AsymmetricEncryption::kRsaOaepSha256, sealed));
}

TEST(OpcuaCrypto, OpensslErrorCarriesOpensslString) {
  auto key = parsePrivateKeyPem(
      "-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n");
  ASSERT_FALSE(key);
  EXPECT_NE(key.error().message().find("error:"), std::string::npos) << key.error().message();
  EXPECT_EQ(ERR_peek_error(), 0u);
  auto cert = parseCertificateDer(bytesOf("\x30\x03\x02\x01"));
  ASSERT_FALSE(cert);
  EXPECT_EQ(cert.error().code(), ErrorCode::kProtocol);
}

}  // namespace
}  // namespace spindle::opcua
