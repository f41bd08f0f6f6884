#include "opcua/channel_security.hpp"

#include <string>
#include <tuple>

#include <gtest/gtest.h>
#include <openssl/evp.h>

namespace spindle::opcua {
namespace {

constexpr std::size_t kSymHeaderEnd = 16;    // MessageHeader, SecureChannelId, TokenId
constexpr std::size_t kAsymHeaderEnd = 100;  // stands for policy URI, certificate, thumbprint
constexpr std::size_t kChunkSize = 8192;

std::uint32_t messageSize(const Bytes& chunk) {
  return chunk[4] | chunk[5] << 8 | chunk[6] << 16 | static_cast<std::uint32_t>(chunk[7]) << 24;
}

void setMessageSize(Bytes& chunk, std::size_t size) {
  for (int i = 0; i < 4; ++i) chunk[4 + i] = static_cast<std::uint8_t>(size >> (8 * i));
}

// A chunk as the chunk layer hands it to protect(): header through the security header, the
// sequence header, `body` bytes; MessageSize still 0.
Bytes makeChunk(const char* type, std::size_t headerEnd, std::size_t body) {
  Bytes chunk(headerEnd + 8 + body);
  chunk[0] = static_cast<std::uint8_t>(type[0]);
  chunk[1] = static_cast<std::uint8_t>(type[1]);
  chunk[2] = static_cast<std::uint8_t>(type[2]);
  chunk[3] = 'F';
  for (std::size_t i = 8; i < chunk.size(); ++i) chunk[i] = static_cast<std::uint8_t>(i * 31 + 7);
  return chunk;
}

// Protects with `sender`, checks the layout, unprotects with `receiver`, compares.
void roundTrip(ChunkSecurity& sender, ChunkSecurity& receiver, std::size_t headerEnd,
               std::size_t body, const char* type = "MSG") {
  SCOPED_TRACE("body " + std::to_string(body));
  const Bytes original = makeChunk(type, headerEnd, body);
  Bytes chunk = original;
  auto s = sender.protect(chunk, headerEnd);
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_EQ(messageSize(chunk), chunk.size());
  EXPECT_EQ((chunk.size() - headerEnd) % sender.cipherBlockSize(), 0u);
  EXPECT_TRUE(std::equal(original.begin() + 8, original.begin() + static_cast<long>(headerEnd),
                         chunk.begin() + 8))
      << "the security header is never encrypted";
  const std::size_t sent = chunk.size();
  auto u = receiver.unprotect(chunk, headerEnd);
  ASSERT_TRUE(u) << u.error().describe();
  Bytes expected = original;
  setMessageSize(expected, sent);
  EXPECT_EQ(chunk, expected);
}

Bytes nonce(std::uint8_t fill) { return Bytes(32, fill); }

// ---- SymmetricSecurity ----

using SymParam = std::tuple<std::string_view, SecurityMode>;

class OpcuaSymmetricSecurity : public ::testing::TestWithParam<SymParam> {
 protected:
  void SetUp() override {
    m_policy = findSecurityPolicy(std::get<0>(GetParam()));
    ASSERT_NE(m_policy, nullptr);
    m_mode = std::get<1>(GetParam());
    m_keys = deriveChannelKeys(*m_policy, nonce(0x11), nonce(0x22)).value();
    m_client = make(m_keys, ChannelSide::kClient);
    m_server = make(m_keys, ChannelSide::kServer);
  }
  std::unique_ptr<SymmetricSecurity> make(const ChannelKeys& keys, ChannelSide side) {
    auto security = SymmetricSecurity::create(*m_policy, m_mode, keys, side);
    EXPECT_TRUE(security) << security.error().describe();
    return std::move(security).value();
  }
  bool encrypting() const { return m_mode == SecurityMode::kSignAndEncrypt; }
  Bytes protectedChunk(std::size_t body) {
    Bytes chunk = makeChunk("MSG", kSymHeaderEnd, body);
    EXPECT_TRUE(m_client->protect(chunk, kSymHeaderEnd));
    return chunk;
  }

  const SecurityPolicy* m_policy = nullptr;
  SecurityMode m_mode = SecurityMode::kInvalid;
  ChannelKeys m_keys;
  std::unique_ptr<SymmetricSecurity> m_client;
  std::unique_ptr<SymmetricSecurity> m_server;
};

TEST_P(OpcuaSymmetricSecurity, SizesFollowTheMode) {
  EXPECT_EQ(m_client->signatureSize(), 32u);
  EXPECT_EQ(m_client->cipherBlockSize(), encrypting() ? 16u : 1u);
  EXPECT_EQ(m_client->plainBlockSize(), encrypting() ? 16u : 1u);
  EXPECT_EQ(m_client->paddingFieldSize(), encrypting() ? 1u : 0u);
}

TEST_P(OpcuaSymmetricSecurity, RoundTripsBothWays) {
  const std::size_t max = m_client->maxPlaintext(kChunkSize, kSymHeaderEnd) - 8;
  for (const std::size_t body : {std::size_t{0}, std::size_t{8}, std::size_t{1}, std::size_t{23},
                                 std::size_t{100}, max - 1, max}) {
    roundTrip(*m_client, *m_server, kSymHeaderEnd, body);
    roundTrip(*m_server, *m_client, kSymHeaderEnd, body);
  }
}

TEST_P(OpcuaSymmetricSecurity, MaxPlaintextFillsButNeverOverflowsTheChunk) {
  for (const std::size_t chunkSize :
       {std::size_t{1024}, std::size_t{8192}, std::size_t{8195}, std::size_t{65535}}) {
    const std::size_t max = m_client->maxPlaintext(chunkSize, kSymHeaderEnd);
    Bytes fits = makeChunk("MSG", kSymHeaderEnd, max - 8);
    ASSERT_TRUE(m_client->protect(fits, kSymHeaderEnd));
    EXPECT_LE(fits.size(), chunkSize);
    EXPECT_GT(fits.size() + m_client->cipherBlockSize(), chunkSize) << "max is not tight";
    Bytes over = makeChunk("MSG", kSymHeaderEnd, max - 8 + 1);
    ASSERT_TRUE(m_client->protect(over, kSymHeaderEnd));
    EXPECT_GT(over.size(), chunkSize);
  }
}

TEST_P(OpcuaSymmetricSecurity, EncryptsEverythingAfterTheSecurityHeader) {
  const Bytes plain = makeChunk("MSG", kSymHeaderEnd, 64);
  const Bytes sent = protectedChunk(64);
  const bool same =
      std::equal(plain.begin() + kSymHeaderEnd, plain.end(), sent.begin() + kSymHeaderEnd);
  EXPECT_EQ(same, !encrypting());
}

TEST_P(OpcuaSymmetricSecurity, ClientSendsWithTheClientKeys) {
  // Both ends of these tests run the same code, so a swap of the key sets would go unnoticed
  // by round trips; a real server derives the client's keys as Part 6 6.7.5 says. Open the
  // chunk by hand with the client keys (P_SHA256(serverNonce, clientNonce)).
  Bytes chunk = protectedChunk(30);
  if (encrypting()) {
    const Bytes plain =
        aesCbcDecrypt(m_keys.client.encryptingKey, m_keys.client.iv,
                      ByteView(chunk.data() + kSymHeaderEnd, chunk.size() - kSymHeaderEnd))
            .value();
    std::copy(plain.begin(), plain.end(), chunk.begin() + kSymHeaderEnd);
  }
  const Bytes mac =
      hmacSha256(m_keys.client.signingKey, ByteView(chunk.data(), chunk.size() - 32)).value();
  EXPECT_TRUE(std::equal(mac.begin(), mac.end(), chunk.end() - 32));
  const Bytes body = makeChunk("MSG", kSymHeaderEnd, 30);
  EXPECT_TRUE(std::equal(body.begin() + kSymHeaderEnd, body.end(), chunk.begin() + kSymHeaderEnd));
}

TEST_P(OpcuaSymmetricSecurity, EveryFlippedByteIsRefused) {
  const Bytes sent = protectedChunk(40);
  for (std::size_t at = 0; at < sent.size(); ++at) {
    Bytes chunk = sent;
    chunk[at] ^= 0x01;
    auto s = m_server->unprotect(chunk, kSymHeaderEnd);
    ASSERT_FALSE(s) << "flip at " << at;
    EXPECT_EQ(s.error().code(), ErrorCode::kProtocol);
    const char* check = (at >= 4 && at < 8) ? "MessageSize" : "signature";
    EXPECT_NE(s.error().describe().find(check), std::string::npos)
        << "flip at " << at << ": " << s.error().describe();
  }
}

TEST_P(OpcuaSymmetricSecurity, WrongKeysRefused) {
  const ChannelKeys other = deriveChannelKeys(*m_policy, nonce(0x11), nonce(0x23)).value();
  auto stranger = make(other, ChannelSide::kServer);
  Bytes chunk = protectedChunk(40);
  auto s = stranger->unprotect(chunk, kSymHeaderEnd);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("signature"), std::string::npos);
  // A server that (wrongly) took the client's own keys to check with refuses too.
  Bytes again = protectedChunk(40);
  EXPECT_FALSE(m_client->unprotect(again, kSymHeaderEnd));
}

TEST_P(OpcuaSymmetricSecurity, ExtraByteRefused) {
  Bytes chunk = protectedChunk(40);
  chunk.push_back(0);
  setMessageSize(chunk, chunk.size());
  auto s = m_server->unprotect(chunk, kSymHeaderEnd);
  ASSERT_FALSE(s);
  // Encrypted: no longer whole AES blocks; signed only: the signature moved.
  const char* check = encrypting() ? "not a multiple of the 16-byte" : "signature";
  EXPECT_NE(s.error().message().find(check), std::string::npos) << s.error().message();
}

TEST_P(OpcuaSymmetricSecurity, SignModeHasNoPadding) {
  const Bytes sent = protectedChunk(5);
  const std::size_t unpadded = kSymHeaderEnd + 8 + 5 + 32;
  if (encrypting()) {
    // 13 plaintext + 1 PaddingSize + 2 padding + 32 signature = 3 AES blocks after the header.
    EXPECT_EQ(sent.size(), kSymHeaderEnd + 48);
  } else {
    EXPECT_EQ(sent.size(), unpadded);
  }
}

TEST_P(OpcuaSymmetricSecurity, TooShortForTheSignatureRefused) {
  Bytes chunk = makeChunk("MSG", kSymHeaderEnd, 16 - 8);
  setMessageSize(chunk, chunk.size());
  auto s = m_server->unprotect(chunk, kSymHeaderEnd);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ErrorCode::kProtocol);
  EXPECT_NE(s.error().message().find("no room for the 32-byte signature"), std::string::npos)
      << s.error().message();
}

// A correctly signed and encrypted chunk whose padding is wrong: what a buggy or hostile
// peer holding the keys could send.
Bytes sealWithPadding(const DerivedKeys& keys, Bytes chunk, Bytes padding) {
  chunk.insert(chunk.end(), padding.begin(), padding.end());
  setMessageSize(chunk, chunk.size() + 32);
  const Bytes mac = hmacSha256(keys.signingKey, chunk).value();
  chunk.insert(chunk.end(), mac.begin(), mac.end());
  const Bytes sealed =
      aesCbcEncrypt(keys.encryptingKey, keys.iv,
                    ByteView(chunk.data() + kSymHeaderEnd, chunk.size() - kSymHeaderEnd))
          .value();
  std::copy(sealed.begin(), sealed.end(), chunk.begin() + kSymHeaderEnd);
  return chunk;
}

TEST_P(OpcuaSymmetricSecurity, BadPaddingUnderAValidSignatureRefused) {
  if (!encrypting()) {
    // Signed only: a body that ends like padding must come back whole, nothing stripped.
    Bytes chunk = makeChunk("MSG", kSymHeaderEnd, 8);
    std::fill(chunk.end() - 4, chunk.end(), std::uint8_t{3});
    const Bytes original = chunk;
    ASSERT_TRUE(m_client->protect(chunk, kSymHeaderEnd));
    ASSERT_TRUE(m_server->unprotect(chunk, kSymHeaderEnd));
    EXPECT_EQ(chunk.size(), original.size());
    EXPECT_TRUE(std::equal(chunk.begin() + 8, chunk.end(), original.begin() + 8));
    return;
  }
  // 16 + 8 + 3 body + 5 padding + 32 signature: the padding field says 4, one byte is wrong.
  Bytes chunk = sealWithPadding(m_keys.client, makeChunk("MSG", kSymHeaderEnd, 3), {4, 4, 9, 4, 4});
  auto s = m_server->unprotect(chunk, kSymHeaderEnd);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("padding byte at offset 29 is 9"), std::string::npos)
      << s.error().message();
  // A padding size reaching back before the security header.
  Bytes tooLong =
      sealWithPadding(m_keys.client, makeChunk("MSG", kSymHeaderEnd, 3), {4, 4, 4, 4, 200});
  s = m_server->unprotect(tooLong, kSymHeaderEnd);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("padding size 200"), std::string::npos) << s.error().message();
  // And the same with correct padding is accepted, so the two refusals are about padding.
  Bytes good = sealWithPadding(m_keys.client, makeChunk("MSG", kSymHeaderEnd, 3), {4, 4, 4, 4, 4});
  EXPECT_TRUE(m_server->unprotect(good, kSymHeaderEnd));
  EXPECT_EQ(good, [] {
    Bytes b = makeChunk("MSG", kSymHeaderEnd, 3);
    setMessageSize(b, 64);
    return b;
  }());
}

INSTANTIATE_TEST_SUITE_P(
    OpcuaPolicies, OpcuaSymmetricSecurity,
    ::testing::Combine(::testing::Values(kPolicyBasic256Sha256Uri, kPolicyAes128Sha256RsaOaepUri,
                                         kPolicyAes256Sha256RsaPssUri),
                       ::testing::Values(SecurityMode::kSign, SecurityMode::kSignAndEncrypt)),
    [](const ::testing::TestParamInfo<SymParam>& p) {
      return std::string(findSecurityPolicy(std::get<0>(p.param))->name) + "_" +
             toString(std::get<1>(p.param));
    });

TEST(OpcuaSymmetricSecurityCreate, RefusesNoneAndWrongKeys) {
  const SecurityPolicy& basic = *findSecurityPolicy(kPolicyBasic256Sha256Uri);
  const SecurityPolicy& aes128 = *findSecurityPolicy(kPolicyAes128Sha256RsaOaepUri);
  const ChannelKeys keys = deriveChannelKeys(basic, nonce(1), nonce(2)).value();
  EXPECT_FALSE(SymmetricSecurity::create(securityPolicyNone(), SecurityMode::kSign, keys,
                                         ChannelSide::kClient));
  EXPECT_FALSE(SymmetricSecurity::create(basic, SecurityMode::kNone, keys, ChannelSide::kClient));
  // Basic256Sha256 keys (32-byte AES) do not fit Aes128_Sha256_RsaOaep.
  EXPECT_FALSE(
      SymmetricSecurity::create(aes128, SecurityMode::kSignAndEncrypt, keys, ChannelSide::kClient));
}

// ---- AsymmetricSecurity ----

// RSA key generation is slow (a 4096-bit key takes seconds on this machine): a few keys,
// made once. The 4096/4096 cases use the one 4096-bit key at both ends; that exercises the
// same sizes and ExtraPaddingSize as two keys would.
struct Keys {
  PkeyPtr a2048, b2048, c4096;
};

const Keys& keys() {
  static const Keys k{generateRsaKey(2048).value(), generateRsaKey(2048).value(),
                      generateRsaKey(4096).value()};
  return k;
}

// (policy, client key bits, server key bits, mode)
using AsymParam = std::tuple<std::string_view, int, int, SecurityMode>;

class OpcuaAsymmetricSecurity : public ::testing::TestWithParam<AsymParam> {
 protected:
  static void SetUpTestSuite() { keys(); }
  void SetUp() override {
    m_policy = findSecurityPolicy(std::get<0>(GetParam()));
    m_clientKey = std::get<1>(GetParam()) == 4096 ? keys().c4096.get() : keys().a2048.get();
    m_serverKey = std::get<2>(GetParam()) == 4096 ? keys().c4096.get() : keys().b2048.get();
    m_client = make(m_clientKey, m_serverKey);
    m_server = make(m_serverKey, m_clientKey);
  }
  std::unique_ptr<AsymmetricSecurity> make(EVP_PKEY* ours, EVP_PKEY* peer) {
    auto security = AsymmetricSecurity::create(*m_policy, std::get<3>(GetParam()), ours, peer);
    EXPECT_TRUE(security) << security.error().describe();
    return std::move(security).value();
  }
  Bytes protectedChunk(std::size_t body) {
    Bytes chunk = makeChunk("OPN", kAsymHeaderEnd, body);
    EXPECT_TRUE(m_client->protect(chunk, kAsymHeaderEnd));
    return chunk;
  }

  const SecurityPolicy* m_policy = nullptr;
  EVP_PKEY* m_clientKey = nullptr;
  EVP_PKEY* m_serverKey = nullptr;
  std::unique_ptr<AsymmetricSecurity> m_client;
  std::unique_ptr<AsymmetricSecurity> m_server;
};

TEST_P(OpcuaAsymmetricSecurity, SizesComeFromBothKeys) {
  const std::size_t serverBytes = std::get<2>(GetParam()) / 8;
  EXPECT_EQ(m_client->signatureSize(), static_cast<std::size_t>(std::get<1>(GetParam()) / 8));
  EXPECT_EQ(m_client->cipherBlockSize(), serverBytes);
  EXPECT_EQ(m_client->plainBlockSize(), serverBytes - oaepOverhead(m_policy->asymmetricEncryption));
  EXPECT_EQ(m_client->paddingFieldSize(), serverBytes > 256 ? 2u : 1u);
}

TEST_P(OpcuaAsymmetricSecurity, RoundTripsBothWaysWithinTheChunkSize) {
  const std::size_t max = m_client->maxPlaintext(kChunkSize, kAsymHeaderEnd) - 8;
  for (const std::size_t body : {std::size_t{0}, std::size_t{1}, std::size_t{300}, max}) {
    roundTrip(*m_client, *m_server, kAsymHeaderEnd, body, "OPN");
  }
  const std::size_t serverMax = m_server->maxPlaintext(kChunkSize, kAsymHeaderEnd) - 8;
  roundTrip(*m_server, *m_client, kAsymHeaderEnd, 0, "OPN");
  roundTrip(*m_server, *m_client, kAsymHeaderEnd, serverMax, "OPN");
  Bytes full = makeChunk("OPN", kAsymHeaderEnd, max);
  ASSERT_TRUE(m_client->protect(full, kAsymHeaderEnd));
  EXPECT_LE(full.size(), kChunkSize);
  Bytes over = makeChunk("OPN", kAsymHeaderEnd, max + 1);
  ASSERT_TRUE(m_client->protect(over, kAsymHeaderEnd));
  EXPECT_GT(over.size(), kChunkSize);
}

TEST_P(OpcuaAsymmetricSecurity, PaddingLayoutMatchesPart6) {
  // Pick a body that needs `want` padding bytes, decrypt by hand, read the padding fields.
  const std::size_t plainBlock = m_client->plainBlockSize();
  const std::size_t field = m_client->paddingFieldSize();
  const std::size_t sig = m_client->signatureSize();
  const std::size_t want = field == 2 ? 370 : 100;  // over 255 needs ExtraPaddingSize
  const std::size_t body = 4 * plainBlock - want - field - sig - 8;
  Bytes chunk = makeChunk("OPN", kAsymHeaderEnd, body);
  ASSERT_TRUE(m_client->protect(chunk, kAsymHeaderEnd));
  EXPECT_EQ(chunk.size(), kAsymHeaderEnd + 4 * m_client->cipherBlockSize());
  const Bytes plain =
      rsaDecrypt(m_serverKey, m_policy->asymmetricEncryption,
                 ByteView(chunk.data() + kAsymHeaderEnd, chunk.size() - kAsymHeaderEnd))
          .value();
  ASSERT_EQ(plain.size(), 4 * plainBlock);
  const std::size_t paddingStart = 8 + body;  // the PaddingSize byte
  EXPECT_EQ(plain[paddingStart], want & 0xff);
  for (std::size_t i = 1; i <= want; ++i) EXPECT_EQ(plain[paddingStart + i], want & 0xff);
  if (field == 2) {
    EXPECT_EQ(plain[paddingStart + want + 1], want >> 8);
  }
  // What follows is our signature over header + plaintext up to it.
  Bytes signedPart(chunk.begin(), chunk.begin() + kAsymHeaderEnd);
  signedPart.insert(signedPart.end(), plain.begin(), plain.end() - static_cast<long>(sig));
  EXPECT_TRUE(rsaVerify(m_clientKey, m_policy->asymmetricSignature, signedPart,
                        ByteView(plain.data() + plain.size() - sig, sig)));
  Bytes received = chunk;
  ASSERT_TRUE(m_server->unprotect(received, kAsymHeaderEnd));
  EXPECT_EQ(received.size(), kAsymHeaderEnd + 8 + body);
}

TEST_P(OpcuaAsymmetricSecurity, FlippedBytesRefused) {
  const Bytes sent = protectedChunk(40);
  const std::size_t last = sent.size() - 1;
  for (const std::size_t at : {std::size_t{0}, std::size_t{5}, std::size_t{20}, kAsymHeaderEnd - 1,
                               kAsymHeaderEnd, kAsymHeaderEnd + 100, last}) {
    Bytes chunk = sent;
    chunk[at] ^= 0x01;
    auto s = m_server->unprotect(chunk, kAsymHeaderEnd);
    ASSERT_FALSE(s) << "flip at " << at;
    EXPECT_EQ(s.error().code(), ErrorCode::kProtocol);
    const std::string text = s.error().describe();
    if (at == 5) {
      EXPECT_NE(text.find("MessageSize"), std::string::npos) << text;
    } else if (at < kAsymHeaderEnd) {
      EXPECT_NE(text.find("signature"), std::string::npos) << text;
    } else {
      EXPECT_NE(text.find("does not decrypt"), std::string::npos) << text;
    }
  }
}

TEST_P(OpcuaAsymmetricSecurity, WrongKeysRefused) {
  // Decrypting with a key the chunk was not encrypted for: it does not decrypt.
  EVP_PKEY* stranger = m_serverKey == keys().b2048.get() ? keys().a2048.get() : keys().b2048.get();
  auto receiver = make(stranger, m_clientKey);
  Bytes chunk = protectedChunk(40);
  auto s = receiver->unprotect(chunk, kAsymHeaderEnd);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ErrorCode::kProtocol);
  EXPECT_NE(s.error().describe().find("does not decrypt"), std::string::npos)
      << s.error().describe();

  // Signed by another key than the peer's certificate holds.
  EVP_PKEY* impostorKey =
      m_clientKey == keys().a2048.get() ? keys().b2048.get() : keys().a2048.get();
  auto impostor = make(impostorKey, m_serverKey);
  chunk = makeChunk("OPN", kAsymHeaderEnd, 40);
  ASSERT_TRUE(impostor->protect(chunk, kAsymHeaderEnd));
  s = m_server->unprotect(chunk, kAsymHeaderEnd);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ErrorCode::kProtocol);
  if (rsaKeyBytes(impostorKey) == rsaKeyBytes(m_clientKey)) {
    EXPECT_NE(s.error().describe().find("signature"), std::string::npos) << s.error().describe();
  }
}

TEST_P(OpcuaAsymmetricSecurity, BadPaddingUnderAValidSignatureRefused) {
  Bytes chunk = makeChunk("OPN", kAsymHeaderEnd, 10);
  const std::size_t field = m_client->paddingFieldSize();
  const std::size_t sig = m_client->signatureSize();
  const std::size_t plainBlock = m_client->plainBlockSize();
  const std::size_t padding = plainBlock - (8 + 10 + field + sig) % plainBlock;
  chunk.insert(chunk.end(), padding + 1, static_cast<std::uint8_t>(padding & 0xff));
  if (field == 2) chunk.push_back(static_cast<std::uint8_t>(padding >> 8));
  chunk[kAsymHeaderEnd + 8 + 10 + 3] ^= 0x40;  // one padding byte wrong
  const std::size_t blocks = (chunk.size() - kAsymHeaderEnd + sig) / plainBlock;
  setMessageSize(chunk, kAsymHeaderEnd + blocks * m_client->cipherBlockSize());
  const Bytes signature = rsaSign(m_clientKey, m_policy->asymmetricSignature, chunk).value();
  chunk.insert(chunk.end(), signature.begin(), signature.end());
  const Bytes sealed =
      rsaEncrypt(m_serverKey, m_policy->asymmetricEncryption,
                 ByteView(chunk.data() + kAsymHeaderEnd, chunk.size() - kAsymHeaderEnd))
          .value();
  chunk.resize(kAsymHeaderEnd);
  chunk.insert(chunk.end(), sealed.begin(), sealed.end());
  auto s = m_server->unprotect(chunk, kAsymHeaderEnd);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("padding byte at offset " +
                                     std::to_string(kAsymHeaderEnd + 8 + 10 + 3)),
            std::string::npos)
      << s.error().message();
}

TEST_P(OpcuaAsymmetricSecurity, CiphertextNotWholeBlocksRefused) {
  Bytes chunk = protectedChunk(10);
  chunk.resize(chunk.size() - 1);
  setMessageSize(chunk, chunk.size());
  auto s = m_server->unprotect(chunk, kAsymHeaderEnd);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("not a multiple"), std::string::npos) << s.error().message();
}

INSTANTIATE_TEST_SUITE_P(
    OpcuaPolicies, OpcuaAsymmetricSecurity,
    ::testing::Values(
        AsymParam{kPolicyBasic256Sha256Uri, 2048, 2048, SecurityMode::kSignAndEncrypt},
        AsymParam{kPolicyBasic256Sha256Uri, 4096, 4096, SecurityMode::kSignAndEncrypt},
        AsymParam{kPolicyBasic256Sha256Uri, 2048, 4096, SecurityMode::kSign},
        AsymParam{kPolicyAes128Sha256RsaOaepUri, 2048, 2048, SecurityMode::kSign},
        AsymParam{kPolicyAes128Sha256RsaOaepUri, 2048, 4096, SecurityMode::kSignAndEncrypt},
        AsymParam{kPolicyAes256Sha256RsaPssUri, 2048, 2048, SecurityMode::kSignAndEncrypt},
        AsymParam{kPolicyAes256Sha256RsaPssUri, 4096, 2048, SecurityMode::kSignAndEncrypt},
        AsymParam{kPolicyAes256Sha256RsaPssUri, 4096, 4096, SecurityMode::kSign}),
    [](const ::testing::TestParamInfo<AsymParam>& p) {
      return std::string(findSecurityPolicy(std::get<0>(p.param))->name) + "_" +
             std::to_string(std::get<1>(p.param)) + "_" + std::to_string(std::get<2>(p.param)) +
             "_" + toString(std::get<3>(p.param));
    });

TEST(OpcuaAsymmetricSecurityCreate, RefusesKeysOutsideThePolicyBounds) {
  const SecurityPolicy& basic = *findSecurityPolicy(kPolicyBasic256Sha256Uri);
  PkeyPtr small = generateRsaKey(1024).value();
  auto s = AsymmetricSecurity::create(basic, SecurityMode::kSignAndEncrypt, keys().a2048.get(),
                                      small.get());
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("1024 bits"), std::string::npos) << s.error().message();
  EXPECT_FALSE(AsymmetricSecurity::create(basic, SecurityMode::kNone, keys().a2048.get(),
                                          keys().b2048.get()));
  EXPECT_FALSE(AsymmetricSecurity::create(securityPolicyNone(), SecurityMode::kSign,
                                          keys().a2048.get(), keys().b2048.get()));
}

}  // namespace
}  // namespace spindle::opcua
