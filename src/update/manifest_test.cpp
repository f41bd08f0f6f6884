// Manifests and envelopes: what verifies, and each way one is refused.

#include "update/manifest.hpp"

#include <gtest/gtest.h>

#include "update/refusal.hpp"

namespace spindle::update {
namespace {

Manifest sample() {
  Manifest m;
  m.version = Version::parse("2.0.0").value();
  m.url = "https://deploy.example.com/spindle-2.0.0";
  m.size = 1234;
  m.sha256 = std::string(64, 'a');
  m.minVersion = Version::parse("1.0.0").value();
  m.notes = "faster";
  m.channel = "stable";
  return m;
}

Envelope signedBy(const std::string& manifest, const std::vector<const KeyPair*>& keys) {
  Envelope e;
  e.manifest = manifest;
  for (const auto* k : keys) {
    // A PrivateKey comes from a file; sign through one written by the test.
    const std::string path = ::testing::TempDir() + "/" + k->publicKey.id + ".pem";
    FILE* f = std::fopen(path.c_str(), "w");
    std::fputs(k->privatePem.c_str(), f);
    std::fclose(f);
    auto key = PrivateKey::load(path);
    EXPECT_TRUE(key);
    e.signatures.push_back({key->publicKey().id, key->sign(manifest).value()});
  }
  return e;
}

Reason reasonFor(const Result<Manifest>& r) {
  EXPECT_FALSE(r);
  return r ? Reason::kMalformed : reasonOf(r.error()).value_or(Reason::kInstall);
}

TEST(UpdateManifest, AGoodEnvelopeVerifiesAndRoundTripsThroughJson) {
  const KeyPair key = generateKeyPair();
  const Envelope e = signedBy(manifestJson(sample()), {&key});
  auto parsed = parseEnvelope(envelopeJson(e));
  ASSERT_TRUE(parsed);
  auto m = verifyEnvelope(*parsed, {key.publicKey});
  ASSERT_TRUE(m) << m.error().describe();
  EXPECT_EQ(m->version.text(), "2.0.0");
  EXPECT_EQ(m->size, 1234u);
  EXPECT_EQ(m->minVersion.text(), "1.0.0");
  EXPECT_EQ(m->notes, "faster");
  EXPECT_FALSE(m->rollback);
}

TEST(UpdateManifest, PublicKeysParseAsPemOrRawBase64WithTheSameId) {
  const KeyPair key = generateKeyPair();
  auto pem = parsePublicKey(key.publicPem);
  auto raw = parsePublicKey(base64Encode(key.publicKey.raw));
  ASSERT_TRUE(pem && raw);
  EXPECT_EQ(pem->id, raw->id);
  EXPECT_EQ(pem->id.size(), 16u);
  EXPECT_FALSE(parsePublicKey("bm90IGEga2V5"));
}

TEST(UpdateManifest, ATamperedManifestIsABadSignature) {
  const KeyPair key = generateKeyPair();
  Envelope e = signedBy(manifestJson(sample()), {&key});
  const auto at = e.manifest.find("2.0.0");
  e.manifest.replace(at, 5, "9.0.0");
  EXPECT_EQ(reasonFor(verifyEnvelope(e, {key.publicKey})), Reason::kBadSignature);
}

TEST(UpdateManifest, ASignatureByAnotherKeyUnderATrustedIdIsABadSignature) {
  const KeyPair trusted = generateKeyPair();
  const KeyPair other = generateKeyPair();
  Envelope e = signedBy(manifestJson(sample()), {&other});
  e.signatures[0].keyId = trusted.publicKey.id;
  EXPECT_EQ(reasonFor(verifyEnvelope(e, {trusted.publicKey})), Reason::kBadSignature);
}

TEST(UpdateManifest, OnlyUntrustedKeysIsAnUnknownKey) {
  const KeyPair trusted = generateKeyPair();
  const KeyPair other = generateKeyPair();
  const Envelope e = signedBy(manifestJson(sample()), {&other});
  auto r = verifyEnvelope(e, {trusted.publicKey});
  EXPECT_EQ(reasonFor(r), Reason::kUnknownKey);
  EXPECT_NE(r.error().message().find(other.publicKey.id), std::string::npos);
}

TEST(UpdateManifest, RotationSignedByOldAndNewVerifiesOnEdgesTrustingEither) {
  const KeyPair oldKey = generateKeyPair();
  const KeyPair newKey = generateKeyPair();
  const Envelope both = signedBy(manifestJson(sample()), {&oldKey, &newKey});
  EXPECT_TRUE(verifyEnvelope(both, {oldKey.publicKey}));
  EXPECT_TRUE(verifyEnvelope(both, {newKey.publicKey}));
  EXPECT_TRUE(verifyEnvelope(both, {oldKey.publicKey, newKey.publicKey}));
  // After the rotation: signed by the new key only, an edge that trusts both takes it.
  const Envelope fresh = signedBy(manifestJson(sample()), {&newKey});
  EXPECT_TRUE(verifyEnvelope(fresh, {oldKey.publicKey, newKey.publicKey}));
  EXPECT_EQ(reasonFor(verifyEnvelope(fresh, {oldKey.publicKey})), Reason::kUnknownKey);
}

TEST(UpdateManifest, MalformedEnvelopesAndManifestsAreRefusedAsSuch) {
  const KeyPair key = generateKeyPair();
  EXPECT_EQ(reasonOf(parseEnvelope("not json").error()), Reason::kMalformed);
  EXPECT_EQ(reasonOf(parseEnvelope(R"({"manifest": "!!", "signatures": []})").error()),
            Reason::kMalformed);
  Envelope unsignedEnvelope;
  unsignedEnvelope.manifest = manifestJson(sample());
  EXPECT_EQ(reasonFor(verifyEnvelope(unsignedEnvelope, {key.publicKey})), Reason::kMalformed);
  Manifest plain = sample();
  plain.url = "http://deploy.example.com/spindle";
  EXPECT_EQ(reasonFor(verifyEnvelope(signedBy(manifestJson(plain), {&key}), {key.publicKey})),
            Reason::kMalformed);
  EXPECT_EQ(reasonFor(parseManifest(R"({"version": "2.0.0"})")), Reason::kMalformed);
}

}  // namespace
}  // namespace spindle::update

namespace spindle::update {
namespace {

// A raw key's base64 holds '/' about half the time: it is still a key, not a file name.
TEST(UpdateSigning, ABase64KeyWithASlashIsAKey) {
  for (int i = 0; i < 64; ++i) {
    const auto keys = generateKeyPair();
    const std::string text = base64Encode(keys.publicKey.raw);
    if (text.find('/') == std::string::npos) continue;
    auto loaded = loadPublicKey(text);
    ASSERT_TRUE(loaded) << text << ": " << loaded.error().describe();
    EXPECT_EQ(loaded->id, keys.publicKey.id);
    return;
  }
  FAIL() << "no generated key had a '/' in 64 tries";
}

}  // namespace
}  // namespace spindle::update
