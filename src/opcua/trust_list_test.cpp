#include "opcua/trust_list.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include "opcua/certificates.hpp"

namespace spindle::opcua {
namespace {
namespace fs = std::filesystem;

constexpr std::int64_t kNow = 1'780'000'000;  // 2026-05-28
constexpr std::int64_t kDay = 86400;
constexpr std::string_view kEndpoint = "opc.tcp://press-7:4840";

struct TestKeys {
  PkeyPtr root, intermediate, server, other;
};

const TestKeys& testKeys() {
  static const TestKeys k{generateRsaKey(2048).value(), generateRsaKey(2048).value(),
                          generateRsaKey(2048).value(), generateRsaKey(2048).value()};
  return k;
}

X509Ptr makeCert(const std::string& cn, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuerKey,
                 bool ca = false, std::int64_t notAfter = kNow + 365 * kDay) {
  CertificateSpec spec;
  spec.commonName = cn;
  spec.applicationUri = ca ? "" : "urn:" + cn;
  spec.dnsNames = {"press-7"};
  spec.notBefore = kNow - kDay;
  spec.notAfter = notAfter;
  spec.isCa = ca;
  auto cert = makeCertificate(spec, key, issuer, issuerKey);
  EXPECT_TRUE(cert) << cert.error().describe();
  return std::move(cert).value();
}

Bytes derOf(X509* cert) { return certificateDer(cert).value(); }

void writeBytes(const fs::path& path, const Bytes& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

// A CRL of `ca` revoking `revoked`, valid around kNow.
Bytes makeCrl(X509* ca, EVP_PKEY* caKey, X509* revoked) {
  X509_CRL* crl = X509_CRL_new();
  ASN1_TIME* last = ASN1_TIME_set(nullptr, static_cast<time_t>(kNow - kDay));
  ASN1_TIME* next = ASN1_TIME_set(nullptr, static_cast<time_t>(kNow + 30 * kDay));
  EXPECT_EQ(X509_CRL_set_version(crl, 1), 1);
  EXPECT_EQ(X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)), 1);
  X509_CRL_set1_lastUpdate(crl, last);
  X509_CRL_set1_nextUpdate(crl, next);
  if (revoked != nullptr) {
    X509_REVOKED* entry = X509_REVOKED_new();
    X509_REVOKED_set_serialNumber(entry, X509_get_serialNumber(revoked));
    X509_REVOKED_set_revocationDate(entry, last);
    X509_CRL_add0_revoked(crl, entry);
  }
  X509_CRL_sort(crl);
  EXPECT_GT(X509_CRL_sign(crl, caKey, EVP_sha256()), 0);
  unsigned char* der = nullptr;
  const int len = i2d_X509_CRL(crl, &der);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  ASN1_TIME_free(last);
  ASN1_TIME_free(next);
  X509_CRL_free(crl);
  return out;
}

class OpcuaTrustList : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { testKeys(); }
  void SetUp() override {
    m_dir = fs::path(::testing::TempDir()) /
            ("opcua-trust-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    auto list = TrustList::open((m_dir / "pki").string());
    ASSERT_TRUE(list) << list.error().describe();
    m_list.emplace(std::move(list).value());
    m_server =
        makeCert("press-7 server", testKeys().server.get(), nullptr, testKeys().server.get());
  }
  void TearDown() override { fs::remove_all(m_dir); }

  Status check(const Bytes& der, std::int64_t now = kNow, bool tofu = false,
               std::string_view endpoint = kEndpoint) {
    TrustList::Check c{der, findSecurityPolicy(kPolicyBasic256Sha256Uri), now, endpoint, tofu};
    return m_list->checkServerCertificate(c);
  }
  fs::path pki(const char* sub) const { return m_dir / "pki" / sub; }
  std::string rejectedName(const Bytes& der, const std::string& cn) const {
    return cn + " [" + toHex(certificateThumbprint(der).value()) + "].der";
  }

  fs::path m_dir;
  std::optional<TrustList> m_list;
  X509Ptr m_server;
};

TEST_F(OpcuaTrustList, FoldersCreated) {
  for (const char* sub :
       {"trusted/certs", "trusted/crl", "issuers/certs", "issuers/crl", "rejected/certs"}) {
    EXPECT_TRUE(fs::is_directory(pki(sub))) << sub;
  }
}

TEST_F(OpcuaTrustList, TrustedSelfSignedAcceptedAsDerOrPem) {
  const Bytes der = derOf(m_server.get());
  writeBytes(pki("trusted/certs") / "server.der", der);
  auto s = check(der);
  EXPECT_TRUE(s) << s.error().describe();

  fs::remove(pki("trusted/certs") / "server.der");
  EXPECT_FALSE(check(der));
  FILE* f = std::fopen((pki("trusted/certs") / "server.pem").c_str(), "w");
  PEM_write_X509(f, m_server.get());
  std::fclose(f);
  s = check(der);
  EXPECT_TRUE(s) << s.error().describe();
}

TEST_F(OpcuaTrustList, UntrustedRefusedWrittenToRejectedThenMovedAndAccepted) {
  const Bytes der = derOf(m_server.get());
  auto s = check(der);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ErrorCode::kInvalidArgument);
  const fs::path rejected = pki("rejected/certs") / rejectedName(der, "press-7 server");
  ASSERT_TRUE(fs::exists(rejected)) << rejected;
  const std::string text = s.error().describe();
  EXPECT_NE(text.find(rejected.string()), std::string::npos) << text;
  EXPECT_NE(text.find("move that file to " + pki("trusted/certs").string()), std::string::npos)
      << text;
  EXPECT_NE(text.find(std::string(kEndpoint)), std::string::npos) << text;

  fs::rename(rejected, pki("trusted/certs") / rejected.filename());
  s = check(der);
  EXPECT_TRUE(s) << s.error().describe();
}

TEST_F(OpcuaTrustList, CaSignedLeafAcceptedUntilRevoked) {
  X509Ptr root =
      makeCert("Plant Root CA", testKeys().root.get(), nullptr, testKeys().root.get(), true);
  X509Ptr leaf = makeCert("press-7", testKeys().server.get(), root.get(), testKeys().root.get());
  X509Ptr sibling = makeCert("press-8", testKeys().other.get(), root.get(), testKeys().root.get());
  writeBytes(pki("trusted/certs") / "root.der", derOf(root.get()));
  auto s = check(derOf(leaf.get()));
  EXPECT_TRUE(s) << s.error().describe();

  // A CRL that revokes another certificate changes nothing.
  writeBytes(pki("trusted/crl") / "root.crl",
             makeCrl(root.get(), testKeys().root.get(), sibling.get()));
  s = check(derOf(leaf.get()));
  EXPECT_TRUE(s) << s.error().describe();

  writeBytes(pki("trusted/crl") / "root.crl",
             makeCrl(root.get(), testKeys().root.get(), leaf.get()));
  s = check(derOf(leaf.get()));
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().describe().find("revoked"), std::string::npos) << s.error().describe();
}

TEST_F(OpcuaTrustList, IntermediateFromIssuersCompletesTheChain) {
  X509Ptr root =
      makeCert("Plant Root CA", testKeys().root.get(), nullptr, testKeys().root.get(), true);
  X509Ptr mid =
      makeCert("Line CA", testKeys().intermediate.get(), root.get(), testKeys().root.get(), true);
  X509Ptr leaf =
      makeCert("press-7", testKeys().server.get(), mid.get(), testKeys().intermediate.get());
  writeBytes(pki("trusted/certs") / "root.der", derOf(root.get()));
  auto s = check(derOf(leaf.get()));
  ASSERT_FALSE(s) << "no path to the root without the intermediate";
  EXPECT_NE(s.error().describe().find("not trusted"), std::string::npos) << s.error().describe();

  writeBytes(pki("issuers/certs") / "line.der", derOf(mid.get()));
  s = check(derOf(leaf.get()));
  EXPECT_TRUE(s) << s.error().describe();

  // With a root CRL present, the intermediate without one is "revocation unknown": accepted.
  writeBytes(pki("trusted/crl") / "root.crl", makeCrl(root.get(), testKeys().root.get(), nullptr));
  s = check(derOf(leaf.get()));
  EXPECT_TRUE(s) << s.error().describe();
  // The intermediate's CRL in issuers/crl revokes the leaf.
  writeBytes(pki("issuers/crl") / "line.crl",
             makeCrl(mid.get(), testKeys().intermediate.get(), leaf.get()));
  s = check(derOf(leaf.get()));
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().describe().find("revoked"), std::string::npos) << s.error().describe();
  fs::remove(pki("issuers/crl") / "line.crl");

  // An issuer alone is not a trust anchor.
  fs::remove(pki("trusted/certs") / "root.der");
  EXPECT_FALSE(check(derOf(leaf.get())));
}

TEST_F(OpcuaTrustList, IntermediateSentWithTheLeafCompletesTheChain) {
  X509Ptr root =
      makeCert("Plant Root CA", testKeys().root.get(), nullptr, testKeys().root.get(), true);
  X509Ptr mid =
      makeCert("Line CA", testKeys().intermediate.get(), root.get(), testKeys().root.get(), true);
  X509Ptr leaf =
      makeCert("press-7", testKeys().server.get(), mid.get(), testKeys().intermediate.get());
  writeBytes(pki("trusted/certs") / "root.der", derOf(root.get()));
  Bytes chain = derOf(leaf.get());
  const Bytes midDer = derOf(mid.get());
  chain.insert(chain.end(), midDer.begin(), midDer.end());
  auto s = check(chain);
  EXPECT_TRUE(s) << s.error().describe();
  // The chain's CA certificates never anchor trust themselves.
  fs::remove(pki("trusted/certs") / "root.der");
  s = check(chain);
  ASSERT_FALSE(s);
  EXPECT_TRUE(fs::exists(pki("rejected/certs") / rejectedName(derOf(leaf.get()), "press-7")))
      << "the leaf alone is kept";
  // Trailing garbage after the chain is refused.
  chain.push_back(0x30);
  s = check(chain);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ErrorCode::kProtocol);
}

TEST_F(OpcuaTrustList, OutsideValidityRefused) {
  X509Ptr shortLived = makeCert("press-7 server", testKeys().server.get(), nullptr,
                                testKeys().server.get(), false, kNow + kDay);
  const Bytes der = derOf(shortLived.get());
  writeBytes(pki("trusted/certs") / "server.der", der);
  EXPECT_TRUE(check(der, kNow));
  auto s = check(der, kNow + 2 * kDay);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("expired"), std::string::npos) << s.error().message();
  s = check(der, kNow - 2 * kDay);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("not yet valid"), std::string::npos) << s.error().message();
}

TEST_F(OpcuaTrustList, Sha1SignatureAndSmallKeysRefusedEvenWhenTrusted) {
  X509Ptr sha1 = makeCert("old server", testKeys().server.get(), nullptr, testKeys().server.get());
  ASSERT_GT(X509_sign(sha1.get(), testKeys().server.get(), EVP_sha1()), 0);
  writeBytes(pki("trusted/certs") / "old.der", derOf(sha1.get()));
  auto s = check(derOf(sha1.get()));
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("SHA1"), std::string::npos) << s.error().message();

  PkeyPtr small = generateRsaKey(1024).value();
  X509Ptr weak = makeCert("weak server", small.get(), nullptr, small.get());
  writeBytes(pki("trusted/certs") / "weak.der", derOf(weak.get()));
  s = check(derOf(weak.get()));
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("1024 bits"), std::string::npos) << s.error().message();
}

TEST_F(OpcuaTrustList, TrustOnFirstUseTrustsOnlyTheFirstCertificate) {
  const Bytes first = derOf(m_server.get());
  auto s = check(first, kNow, true);
  ASSERT_TRUE(s) << s.error().describe();
  const std::string thumbprint = toHex(certificateThumbprint(first).value());
  EXPECT_TRUE(fs::exists(pki("trusted/certs") / rejectedName(first, "press-7 server")));
  std::ifstream log(pki("trusted") / "trust-on-first-use.log");
  std::stringstream text;
  text << log.rdbuf();
  EXPECT_EQ(text.str(),
            "2026-05-28T20:26:40Z\topc.tcp://press-7:4840\tpress-7 server\t" + thumbprint + "\n");
  EXPECT_TRUE(check(first, kNow, true)) << "now simply trusted";

  X509Ptr replaced =
      makeCert("press-7 server", testKeys().other.get(), nullptr, testKeys().other.get());
  const Bytes second = derOf(replaced.get());
  s = check(second, kNow, true);
  ASSERT_FALSE(s);
  const std::string message = s.error().describe();
  EXPECT_NE(message.find("trust on first use trusted " + thumbprint), std::string::npos) << message;
  EXPECT_NE(message.find("2026-05-28T20:26:40Z"), std::string::npos) << message;
  EXPECT_TRUE(fs::exists(pki("rejected/certs") / rejectedName(second, "press-7 server")));

  // Trusted on first use, then removed from trusted/certs by an operator: not re-trusted.
  fs::remove(pki("trusted/certs") / rejectedName(first, "press-7 server"));
  s = check(first, kNow, true);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().describe().find("no longer in"), std::string::npos) << s.error().describe();

  // Another endpoint is a first use of its own.
  EXPECT_TRUE(check(second, kNow, true, "opc.tcp://press-8:4840"));
  // Without the option nothing new is trusted.
  X509Ptr third = makeCert("press-9", testKeys().root.get(), nullptr, testKeys().root.get());
  EXPECT_FALSE(check(derOf(third.get()), kNow, false, "opc.tcp://press-9:4840"));
}

TEST_F(OpcuaTrustList, MalformedCertificateIsAProtocolError) {
  auto s = check(Bytes{0x30, 0x82, 0x01});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ErrorCode::kProtocol);
}

TEST_F(OpcuaTrustList, ApplicationUriMustMatchTheEndpoint) {
  const Bytes der = derOf(m_server.get());
  EXPECT_TRUE(checkServerApplicationUri(der, "urn:press-7 server"));
  auto s = checkServerApplicationUri(der, "urn:press-8");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("urn:press-8"), std::string::npos);
  EXPECT_NE(s.error().message().find("urn:press-7 server"), std::string::npos);
}

}  // namespace
}  // namespace spindle::opcua
