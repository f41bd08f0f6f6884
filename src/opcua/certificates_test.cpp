#include "opcua/certificates.hpp"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

namespace spindle::opcua {
namespace {
namespace fs = std::filesystem;

constexpr std::int64_t kNow = 1'780'000'000;  // 2026-05-28

fs::path suiteDir() {
  return fs::path(::testing::TempDir()) / ("opcua-cert-" + std::to_string(::getpid()));
}

ApplicationCertificateOptions optionsFor(const fs::path& dir) {
  ApplicationCertificateOptions options;
  options.pkiDir = (dir / "pki").string();
  options.applicationUri = "urn:press-7:spindle";
  options.hostname = "press-7";
  options.now = kNow;
  return options;
}

class OpcuaApplicationCertificate : public ::testing::Test {
 protected:
  // RSA key generation is slow: the first call happens once, here, and each test starts
  // from a copy of the PKI folder it made (tests of the first call look at s_first).
  static void SetUpTestSuite() {
    fs::remove_all(suiteDir());
    s_first = new Result<ApplicationCertificate>(
        loadOrCreateApplicationCertificate(optionsFor(suiteDir() / "first")));
  }
  static void TearDownTestSuite() {
    delete s_first;
    fs::remove_all(suiteDir());
  }
  void SetUp() override {
    ASSERT_TRUE(*s_first) << s_first->error().describe();
    m_dir = suiteDir() / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    m_options = optionsFor(m_dir);
    fs::create_directories(m_dir);
    fs::copy(suiteDir() / "first" / "pki", m_dir / "pki", fs::copy_options::recursive);
  }

  static unsigned mode(const fs::path& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 0777;
  }

  fs::path certPath() const { return fs::path(m_options.pkiDir) / "own/certs/spindle.der"; }
  fs::path keyPath() const { return fs::path(m_options.pkiDir) / "own/private/spindle.pem"; }

  static Result<ApplicationCertificate>* s_first;
  fs::path m_dir;
  ApplicationCertificateOptions m_options;
};
Result<ApplicationCertificate>* OpcuaApplicationCertificate::s_first = nullptr;

TEST_F(OpcuaApplicationCertificate, CreatedOnFirstUseThenLoaded) {
  const ApplicationCertificate* first = &s_first->value();
  const fs::path firstPki = suiteDir() / "first" / "pki";
  ASSERT_TRUE(fs::exists(firstPki / "own/certs/spindle.der"));
  ASSERT_TRUE(fs::exists(firstPki / "own/private/spindle.pem"));
  EXPECT_EQ(mode(firstPki / "own/private/spindle.pem"), 0600u);
  EXPECT_EQ(mode(firstPki / "own/private"), 0700u);
  EXPECT_EQ(first->applicationUri, "urn:press-7:spindle");

  // What was written reads back with the fields Part 6 6.2.2 asks for.
  X509Ptr cert = parseCertificateDer(first->der).value();
  EXPECT_EQ(certificateApplicationUri(cert.get()).value(), "urn:press-7:spindle");
  EXPECT_EQ(certificateCommonName(cert.get()), "Spindle@press-7");
  EXPECT_EQ(rsaKeyBits(first->privateKey.get()), 2048u);
  EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_sha256WithRSAEncryption);
  EXPECT_EQ(X509_check_ca(cert.get()), 0) << "CA:FALSE";
  const std::uint32_t usage = X509_get_key_usage(cert.get());
  for (const std::uint32_t bit : {KU_DIGITAL_SIGNATURE, KU_NON_REPUDIATION, KU_KEY_ENCIPHERMENT,
                                  KU_DATA_ENCIPHERMENT, KU_KEY_CERT_SIGN}) {
    EXPECT_TRUE(usage & bit) << "key usage bit " << bit;
  }
  const std::uint32_t extended = X509_get_extended_key_usage(cert.get());
  EXPECT_TRUE(extended & XKU_SSL_SERVER);
  EXPECT_TRUE(extended & XKU_SSL_CLIENT);
  time_t t = static_cast<time_t>(kNow - 1);
  EXPECT_EQ(X509_cmp_time(X509_get0_notBefore(cert.get()), &t), 1);
  t = static_cast<time_t>(kNow + 5 * 365 * 86400);
  EXPECT_EQ(X509_cmp_time(X509_get0_notAfter(cert.get()), &t), 1) << "valid five years";
  X509_NAME* subject = X509_get_subject_name(cert.get());
  char org[64] = {};
  X509_NAME_get_text_by_NID(subject, NID_organizationName, org, sizeof org);
  EXPECT_STREQ(org, "Spindle");
  EXPECT_EQ(X509_check_host(cert.get(), "press-7", 0, 0, nullptr), 1) << "SAN DNS";
  EXPECT_EQ(X509_check_private_key(cert.get(), first->privateKey.get()), 1);

  auto second = loadOrCreateApplicationCertificate(m_options);
  ASSERT_TRUE(second) << second.error().describe();
  EXPECT_EQ(second->der, first->der);
  EXPECT_EQ(EVP_PKEY_eq(second->privateKey.get(), first->privateKey.get()), 1);
}

TEST_F(OpcuaApplicationCertificate, CorruptKeyIsAClearError) {
  ASSERT_TRUE(loadOrCreateApplicationCertificate(m_options));
  std::ofstream(keyPath(), std::ios::trunc) << "-----BEGIN PRIVATE KEY-----\ngarbage\n";
  auto loaded = loadOrCreateApplicationCertificate(m_options);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().describe().find(keyPath().string()), std::string::npos)
      << loaded.error().describe();
  EXPECT_NE(loaded.error().describe().find("not a PEM private key"), std::string::npos);
}

TEST_F(OpcuaApplicationCertificate, KeyOfAnotherCertificateRefused) {
  ASSERT_TRUE(loadOrCreateApplicationCertificate(m_options));
  const std::string pem = privateKeyPem(generateRsaKey(1024).value().get()).value();
  std::ofstream(keyPath(), std::ios::trunc) << pem;
  auto loaded = loadOrCreateApplicationCertificate(m_options);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message().find("is not the key of"), std::string::npos)
      << loaded.error().message();
}

TEST_F(OpcuaApplicationCertificate, OtherApplicationUriRefusedNotReplaced) {
  const ApplicationCertificate* first = &s_first->value();
  m_options.applicationUri = "urn:press-8:spindle";
  auto loaded = loadOrCreateApplicationCertificate(m_options);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(loaded.error().message().find("urn:press-7:spindle"), std::string::npos);
  EXPECT_NE(loaded.error().message().find("delete"), std::string::npos);
  const std::string onDisk = readPkiFile(certPath().string()).value();
  EXPECT_EQ(Bytes(onDisk.begin(), onDisk.end()), first->der) << "left as it was";
}

TEST_F(OpcuaApplicationCertificate, HalfAPairIsAnError) {
  ASSERT_TRUE(loadOrCreateApplicationCertificate(m_options));
  fs::remove(certPath());
  auto loaded = loadOrCreateApplicationCertificate(m_options);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message().find("exists without"), std::string::npos);
}

TEST(OpcuaCertificateFields, NoSubjectAltNameUri) {
  PkeyPtr key = generateRsaKey(1024).value();
  CertificateSpec spec;
  spec.commonName = "no uri";
  spec.dnsNames = {"host"};
  spec.notBefore = kNow;
  spec.notAfter = kNow + 10;
  X509Ptr cert = makeCertificate(spec, key.get(), nullptr, key.get()).value();
  auto uri = certificateApplicationUri(cert.get());
  ASSERT_FALSE(uri);
  EXPECT_EQ(uri.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(certificateCommonName(cert.get()), "no uri");
}

}  // namespace
}  // namespace spindle::opcua
