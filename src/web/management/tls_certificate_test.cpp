#include "web/management/tls_certificate.hpp"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include <arpa/inet.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include "journal/testing/journal_testing.hpp"

namespace spindle::web::management {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;
using journal::testing::TempDir;

template <typename T, void (*Free)(T*)>
struct Freer {
  void operator()(T* p) const { Free(p); }
};
using X509Ptr = std::unique_ptr<X509, Freer<X509, X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Freer<EVP_PKEY, EVP_PKEY_free>>;

std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void writeText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

X509Ptr readCert(const std::string& path) {
  const std::string text = readText(path);
  BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
  X509Ptr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

PkeyPtr readKey(const std::string& path) {
  const std::string text = readText(path);
  BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return key;
}

unsigned modeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// "DNS:name" and "IP:address" for every subjectAltName entry.
std::set<std::string> altNamesOf(X509* cert) {
  std::set<std::string> out;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    int type = 0;
    const auto* value = static_cast<const ASN1_STRING*>(GENERAL_NAME_get0_value(name, &type));
    const auto* bytes = ASN1_STRING_get0_data(value);
    const int length = ASN1_STRING_length(value);
    if (type == GEN_DNS) {
      out.insert("DNS:" + std::string(reinterpret_cast<const char*>(bytes), length));
    } else if (type == GEN_IPADD) {
      char text[INET6_ADDRSTRLEN] = {};
      inet_ntop(length == 4 ? AF_INET : AF_INET6, bytes, text, sizeof text);
      out.insert(std::string("IP:") + text);
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

std::string commonNameOf(X509* cert) {
  char cn[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
  return cn;
}

// SHA-256 of the DER, computed here without X509_digest, in the browsers' notation.
std::string expectedFingerprint(X509* cert) {
  unsigned char* der = nullptr;
  const int length = i2d_X509(cert, &der);
  unsigned char md[32];
  EVP_Digest(der, static_cast<std::size_t>(length), md, nullptr, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  std::string out;
  for (const unsigned char b : md) {
    if (!out.empty()) out += ':';
    out += "0123456789ABCDEF"[b >> 4];
    out += "0123456789ABCDEF"[b & 15];
  }
  return out;
}

// A bare self-signed pair made here, independently of the code under test, valid from
// `fromSeconds` to `toSeconds` relative to now.
struct TestPair {
  std::string certPem, keyPem;
};
TestPair makeTestPair(long fromSeconds, long toSeconds, bool rsa = false) {
  PkeyPtr key(rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256"));
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), fromSeconds);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), toSeconds);
  X509_set_pubkey(cert.get(), key.get());
  X509_sign(cert.get(), key.get(), EVP_sha256());
  TestPair pair;
  const auto pem = [](const std::function<void(BIO*)>& write) {
    BIO* bio = BIO_new(BIO_s_mem());
    write(bio);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    std::string text(data, static_cast<std::size_t>(size));
    BIO_free(bio);
    return text;
  };
  pair.certPem = pem([&](BIO* bio) { PEM_write_bio_X509(bio, cert.get()); });
  pair.keyPem = pem([&](BIO* bio) {
    PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  return pair;
}

constexpr long kDay = 86400;

TEST(ManagementTlsCertificate, GeneratesAPairWithTheAskedProperties) {
  TempDir dir("tls");
  const std::string sub = (dir.path() / "data").string();  // made by the call
  const std::time_t before = std::time(nullptr);
  auto files = ensureSelfSigned(sub, {"Edge-7.plant.local", "192.168.10.5", "[fe80::1%eth0]"});
  ASSERT_TRUE(files.ok()) << files.error().describe();
  EXPECT_TRUE(files->generated);
  EXPECT_EQ(files->cert, sub + "/management-cert.pem");
  EXPECT_EQ(files->key, sub + "/management-key.pem");
  EXPECT_EQ(modeOf(files->key), 0600u);
  EXPECT_EQ(modeOf(files->cert), 0644u);

  X509Ptr cert = readCert(files->cert);
  ASSERT_TRUE(cert);
  PkeyPtr key = readKey(files->key);
  ASSERT_TRUE(key);
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
  EXPECT_EQ(X509_verify(cert.get(), key.get()), 1);  // self-signed
  EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
  char group[64] = {};
  ASSERT_EQ(EVP_PKEY_get_group_name(key.get(), group, sizeof group, nullptr), 1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(commonNameOf(cert.get()), "Spindle edge edge-7.plant.local");
  EXPECT_EQ(altNamesOf(cert.get()),
            (std::set<std::string>{"DNS:edge-7.plant.local", "IP:192.168.10.5", "IP:fe80::1",
                                   "DNS:localhost", "IP:127.0.0.1", "IP:::1"}));

  int critical = -1;
  auto* constraints = static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(cert.get(), NID_basic_constraints, &critical, nullptr));
  ASSERT_NE(constraints, nullptr);
  EXPECT_EQ(critical, 1);
  EXPECT_EQ(constraints->ca, 0);
  BASIC_CONSTRAINTS_free(constraints);
  EXPECT_EQ(X509_get_key_usage(cert.get()), static_cast<std::uint32_t>(KU_DIGITAL_SIGNATURE));
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()), static_cast<std::uint32_t>(XKU_SSL_SERVER));

  BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr);
  EXPECT_FALSE(BN_is_negative(serial));
  EXPECT_GT(BN_num_bits(serial), 96);  // 128 random bits: under 97 has odds of 2^-32
  EXPECT_LE(BN_num_bits(serial), 128);
  BN_free(serial);

  int days = 0, seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert.get()),
                           X509_get0_notAfter(cert.get())),
            1);
  EXPECT_EQ(days, 825);
  EXPECT_EQ(seconds, 0);
  std::time_t earliest = before - 3600 - 5, latest = std::time(nullptr) - 3600 + 5;
  EXPECT_EQ(X509_cmp_time(X509_get0_notBefore(cert.get()), &earliest), 1);
  EXPECT_EQ(X509_cmp_time(X509_get0_notBefore(cert.get()), &latest), -1);

  EXPECT_EQ(files->sha256Fingerprint, expectedFingerprint(cert.get()));
  EXPECT_EQ(files->sha256Fingerprint.size(), 32u * 3 - 1);
}

TEST(ManagementTlsCertificate, TheKeyIsPrivateAndTheCertificateReadableWhateverTheUmask) {
  for (const mode_t mask : {mode_t{0}, mode_t{077}}) {
    TempDir dir("tls");
    const mode_t old = ::umask(mask);
    auto files = ensureSelfSigned(dir.str(), {"edge"});
    ::umask(old);
    ASSERT_TRUE(files.ok()) << files.error().describe();
    EXPECT_EQ(modeOf(files->key), 0600u) << "umask " << mask;
    EXPECT_EQ(modeOf(files->cert), 0644u) << "umask " << mask;
    // Nothing but the two files: no temporary file left beside them.
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) ++entries;
    EXPECT_EQ(entries, 2u);
  }
}

TEST(ManagementTlsCertificate, ASecondCallReusesThePair) {
  TempDir dir("tls");
  auto first = ensureSelfSigned(dir.str(), {"edge"});
  ASSERT_TRUE(first.ok()) << first.error().describe();
  const std::string certPem = readText(first->cert), keyPem = readText(first->key);
  ::chmod(first->key.c_str(), 0644);  // a careless copy: tightened again, not served as is
  auto second = ensureSelfSigned(dir.str(), {"edge", "10.0.0.9"});
  ASSERT_TRUE(second.ok()) << second.error().describe();
  EXPECT_FALSE(second->generated);
  EXPECT_EQ(second->reason, "");
  EXPECT_EQ(second->sha256Fingerprint, first->sha256Fingerprint);
  EXPECT_EQ(readText(second->cert), certPem);
  EXPECT_EQ(readText(second->key), keyPem);
  EXPECT_EQ(modeOf(second->key), 0600u);
}

TEST(ManagementTlsCertificate, RegeneratesACorruptOrMissingFileOrAMismatchedPair) {
  // The edge owns these files, so each of these makes a new pair rather than an error.
  TempDir dir("tls"), other("tls");
  auto otherFiles = ensureSelfSigned(other.str(), {"other"});
  ASSERT_TRUE(otherFiles.ok()) << otherFiles.error().describe();
  const std::string cert = dir.str() + "/management-cert.pem";
  const std::string key = dir.str() + "/management-key.pem";
  struct Case {
    const char* what;
    std::function<void()> damage;
    std::string reasonMentions;
  };
  const Case cases[] = {
      {"corrupt key", [&] { writeText(key, "-----BEGIN PRIVATE KEY-----\nAAAA\n"); }, key},
      {"corrupt certificate", [&] { writeText(cert, "not a certificate"); }, cert},
      {"missing key", [&] { fs::remove(key); }, key},
      {"mismatched pair",
       [&] { fs::copy_file(otherFiles->key, key, fs::copy_options::overwrite_existing); },
       "does not belong"},
  };
  for (const Case& c : cases) {
    auto before = ensureSelfSigned(dir.str(), {"edge"});
    ASSERT_TRUE(before.ok()) << before.error().describe();
    c.damage();
    auto after = ensureSelfSigned(dir.str(), {"edge"});
    ASSERT_TRUE(after.ok()) << c.what << ": " << after.error().describe();
    EXPECT_TRUE(after->generated) << c.what;
    EXPECT_NE(after->reason.find(c.reasonMentions), std::string::npos)
        << c.what << ": " << after->reason;
    EXPECT_NE(after->sha256Fingerprint, before->sha256Fingerprint) << c.what;
    X509Ptr newCert = readCert(cert);
    PkeyPtr newKey = readKey(key);
    ASSERT_TRUE(newCert && newKey) << c.what;
    EXPECT_EQ(X509_check_private_key(newCert.get(), newKey.get()), 1) << c.what;
    EXPECT_EQ(modeOf(key), 0600u) << c.what;
  }
}

TEST(ManagementTlsCertificate, ReplacesACertificateThatExpiredOrExpiresWithin30Days) {
  struct Case {
    long from, to;
    bool replaced;
  };
  for (const Case c : {Case{-400 * kDay, -10 * kDay, true}, Case{-400 * kDay, 10 * kDay, true},
                       Case{-400 * kDay, 60 * kDay, false}}) {
    TempDir dir("tls");
    const TestPair pair = makeTestPair(c.from, c.to);
    writeText(dir.str() + "/management-cert.pem", pair.certPem);
    writeText(dir.str() + "/management-key.pem", pair.keyPem);
    auto files = ensureSelfSigned(dir.str(), {"edge"});
    ASSERT_TRUE(files.ok()) << files.error().describe();
    EXPECT_EQ(files->generated, c.replaced) << c.to / kDay << " days: " << files->reason;
    EXPECT_EQ(readText(files->cert) == pair.certPem, !c.replaced);
    if (c.replaced) {
      EXPECT_NE(files->reason.find("expires within 30 days"), std::string::npos) << files->reason;
      X509Ptr cert = readCert(files->cert);
      std::time_t in800Days = std::time(nullptr) + 800 * kDay;
      EXPECT_EQ(X509_cmp_time(X509_get0_notAfter(cert.get()), &in800Days), 1);
    }
  }
}

TEST(ManagementTlsCertificate, AKeyThatCannotBeReadIsAnErrorNotReplaced) {
  TempDir dir("tls");
  fs::create_directory(dir.path() / "management-key.pem");  // read() fails with EISDIR
  writeText(dir.str() + "/management-cert.pem", makeTestPair(0, 90 * kDay).certPem);
  auto files = ensureSelfSigned(dir.str(), {"edge"});
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.error().code(), ErrorCode::kIo);
  EXPECT_NE(files.error().describe().find("management-key.pem"), std::string::npos)
      << files.error().describe();
}

TEST(ManagementTlsCertificate, RefusesANameThatIsNeitherHostNorAddress) {
  TempDir dir("tls");
  for (const char* name : {"bad name", "a,DNS:evil.example", "127.1", "", "x..y"}) {
    auto files = ensureSelfSigned(dir.str(), {name});
    ASSERT_FALSE(files.ok()) << name;
    EXPECT_EQ(files.error().code(), ErrorCode::kInvalidArgument) << name;
    EXPECT_NE(files.error().describe().find(std::string("\"") + name + "\""), std::string::npos)
        << files.error().describe();
  }
  EXPECT_FALSE(fs::exists(dir.path() / "management-key.pem"));
}

TEST(ManagementTlsServerContext, LoadsAUsersPairWithAChainAndTheAskedSettings) {
  TempDir dir("tls");
  const TestPair pair = makeTestPair(-kDay, 90 * kDay, /*rsa=*/true);
  const TestPair intermediate = makeTestPair(-kDay, 90 * kDay);
  const std::string cert = dir.str() + "/user.crt", key = dir.str() + "/user.key";
  writeText(cert, pair.certPem + intermediate.certPem);
  writeText(key, pair.keyPem);
  auto context = makeServerContext(cert, key);
  ASSERT_TRUE(context.ok()) << context.error().describe();
  SSL_CTX* ctx = (*context)->native_handle();
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
  EXPECT_NE(SSL_CTX_get_options(ctx) & SSL_OP_NO_COMPRESSION, 0u);
  EXPECT_NE(SSL_CTX_get_options(ctx) & SSL_OP_NO_RENEGOTIATION, 0u);
  STACK_OF(X509)* chain = nullptr;
  ASSERT_EQ(SSL_CTX_get0_chain_certs(ctx, &chain), 1);
  EXPECT_EQ(sk_X509_num(chain), 1);
  X509Ptr leaf = readCert(cert);
  EXPECT_EQ(X509_cmp(SSL_CTX_get0_certificate(ctx), leaf.get()), 0);
}

TEST(ManagementTlsServerContext, RefusesWithAMessageNamingTheFile) {
  TempDir dir("tls");
  const TestPair pair = makeTestPair(-kDay, 90 * kDay), other = makeTestPair(-kDay, 90 * kDay);
  const std::string cert = dir.str() + "/user.crt", key = dir.str() + "/user.key";
  const std::string otherKey = dir.str() + "/other.key", junk = dir.str() + "/junk.pem";
  const std::string encrypted = dir.str() + "/encrypted.key";
  writeText(cert, pair.certPem);
  writeText(key, pair.keyPem);
  writeText(otherKey, other.keyPem);
  writeText(junk, "hello");
  writeText(encrypted,
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
  struct Case {
    std::string cert, key;
    ErrorCode code;
    std::string mentions;
  };
  const Case cases[] = {
      {cert, otherKey, ErrorCode::kInvalidArgument, "the key in " + otherKey + " does not belong"},
      {dir.str() + "/absent.crt", key, ErrorCode::kNotFound, dir.str() + "/absent.crt"},
      {cert, dir.str() + "/absent.key", ErrorCode::kNotFound, dir.str() + "/absent.key"},
      {junk, key, ErrorCode::kInvalidArgument, junk + " holds no PEM certificate"},
      {cert, junk, ErrorCode::kInvalidArgument, junk + " holds no PEM private key"},
      {cert, encrypted, ErrorCode::kInvalidArgument, encrypted + " holds an encrypted key"},
  };
  for (const Case& c : cases) {
    auto context = makeServerContext(c.cert, c.key);
    ASSERT_FALSE(context.ok()) << c.mentions;
    EXPECT_EQ(context.error().code(), c.code) << context.error().describe();
    EXPECT_NE(context.error().describe().find(c.mentions), std::string::npos)
        << context.error().describe();
  }
}

// A real handshake over loopback: the server with the generated pair, a client that trusts only
// that certificate and checks the address it dialled against the subjectAltName.
struct Handshake {
  boost::system::error_code server, client;
  std::string serverFingerprint;  // of the certificate the client received
  int version = 0;                // the protocol version agreed
};

Handshake handshake(asio::ssl::context& serverContext, const std::string& caFile,
                    const std::string& expectedIp, int maxVersion = TLS1_3_VERSION) {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  asio::ssl::context clientContext(asio::ssl::context::tls_client);
  clientContext.set_verify_mode(asio::ssl::verify_peer);
  SSL_CTX_set_max_proto_version(clientContext.native_handle(), maxVersion);
  Handshake result;
  clientContext.load_verify_file(caFile, result.client);
  EXPECT_FALSE(result.client) << result.client.message();
  asio::ssl::stream<asio::ip::tcp::socket> server(io, serverContext), client(io, clientContext);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(client.native_handle()), expectedIp.c_str());
  result.server = result.client = asio::error::would_block;  // neither has finished
  acceptor.async_accept(server.next_layer(), [&](boost::system::error_code ec) {
    if (ec) {
      result.server = ec;
      return;
    }
    server.async_handshake(asio::ssl::stream_base::server,
                           [&](boost::system::error_code e) { result.server = e; });
  });
  client.next_layer().async_connect(acceptor.local_endpoint(), [&](boost::system::error_code ec) {
    if (ec) {
      result.client = ec;
      return;
    }
    client.async_handshake(asio::ssl::stream_base::client, [&](boost::system::error_code e) {
      result.client = e;
      if (X509* peer = SSL_get0_peer_certificate(client.native_handle())) {
        result.serverFingerprint = expectedFingerprint(peer);
      }
      result.version = SSL_version(client.native_handle());
    });
  });
  io.run_for(std::chrono::seconds(5));  // a bound for a broken build; it takes milliseconds
  return result;
}

TEST(ManagementTlsHandshake, AClientTrustingTheGeneratedCertificateConnectsBy127001) {
  TempDir dir("tls");
  auto files = ensureSelfSigned(dir.str(), {"edge"});
  ASSERT_TRUE(files.ok()) << files.error().describe();
  auto context = makeServerContext(files->cert, files->key);
  ASSERT_TRUE(context.ok()) << context.error().describe();

  const Handshake good = handshake(**context, files->cert, "127.0.0.1");
  EXPECT_FALSE(good.server) << good.server.message();
  EXPECT_FALSE(good.client) << good.client.message();
  EXPECT_EQ(good.serverFingerprint, files->sha256Fingerprint);
  EXPECT_EQ(good.version, TLS1_3_VERSION);

  // A TLS 1.2 client (older browsers) finds a cipher in the server's restricted list.
  const Handshake tls12 = handshake(**context, files->cert, "127.0.0.1", TLS1_2_VERSION);
  EXPECT_FALSE(tls12.server) << tls12.server.message();
  EXPECT_FALSE(tls12.client) << tls12.client.message();
  EXPECT_EQ(tls12.version, TLS1_2_VERSION);

  // The same certificate dialled as an address it does not name: the client refuses, so the
  // success above did check the name.
  const Handshake wrongName = handshake(**context, files->cert, "10.9.9.9");
  EXPECT_TRUE(wrongName.client);
  EXPECT_NE(wrongName.client, asio::error::would_block);
  EXPECT_TRUE(wrongName.server);
}

}  // namespace
}  // namespace spindle::web::management
