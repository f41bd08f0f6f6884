#include "web/management/tls_certificate.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <utility>

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "web/management/openssl_errors.hpp"

namespace spindle::web::management {
namespace fs = std::filesystem;
namespace {

// Apple's platforms refuse TLS server certificates valid for longer than 825 days, even ones a
// user trusted by hand; Chrome and Firefox accept that too for a locally trusted certificate.
constexpr int kValidityDays = 825;
// Browsers and the edge often disagree by a few minutes; starting an hour back avoids a
// "not yet valid" refusal from a laptop whose clock is slightly behind.
constexpr long kBackdateSeconds = 3600;
constexpr std::size_t kMaxFileBytes = 1 << 20;
constexpr std::size_t kMaxCommonNameBytes = 64;  // ub-common-name, RFC 5280

template <typename T, auto Free>
struct Freer {
  void operator()(T* p) const { Free(p); }
};
using BioPtr = std::unique_ptr<BIO, Freer<BIO, BIO_free>>;
using X509Ptr = std::unique_ptr<X509, Freer<X509, X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Freer<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Freer<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Freer<GENERAL_NAMES, GENERAL_NAMES_free>>;

Error opensslError(ErrorCode code, const std::string& what) {
  return Error(code, what + opensslReasons());
}

// Callers copy errno first: building their message may allocate, and that may change it.
Error errnoError(int err, const std::string& what) {
  return Error(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
               what + ": " + std::strerror(err));
}

// The whole of a small file; kNotFound when it does not exist, kIo when it cannot be read.
Result<std::string> readSmallFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return Error(ErrorCode::kNotFound, path + " does not exist");
    return errnoError(err, "opening " + path);
  }
  std::string text;
  std::array<char, 16384> buf;
  while (true) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return errnoError(err, "reading " + path);
    }
    if (n == 0) break;
    text.append(buf.data(), static_cast<std::size_t>(n));
    if (text.size() > kMaxFileBytes) {
      ::close(fd);
      return Error(ErrorCode::kInvalidArgument,
                   path + " is larger than " + std::to_string(kMaxFileBytes) + " bytes");
    }
  }
  ::close(fd);
  return text;
}

BioPtr memoryBio(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}
// Refuses every passphrase request: without it OpenSSL would prompt on the terminal.
int noPassphrase(char*, int, int, void*) { return -1; }

// Every PEM certificate in `text`, the first one first; at least one.
Result<std::vector<X509Ptr>> parseCertificates(const std::string& text, const std::string& path) {
  ERR_clear_error();
  BioPtr bio = memoryBio(text);
  if (!bio) return opensslError(ErrorCode::kInternal, "reading " + path);
  std::vector<X509Ptr> certs;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, noPassphrase, nullptr)) {
    certs.emplace_back(cert);
  }
  // The loop ends at the end of the text (no further start line, which is fine after one
  // certificate) or at a block that does not parse (never fine).
  const unsigned long last = ERR_peek_last_error();
  const bool endOfText =
      ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE;
  if (certs.empty() || !endOfText) {
    return opensslError(ErrorCode::kInvalidArgument,
                        path + (certs.empty() ? " holds no PEM certificate"
                                              : " holds a PEM block that is not a certificate"));
  }
  ERR_clear_error();
  return certs;
}

Result<PkeyPtr> parseKey(const std::string& text, const std::string& path) {
  if (text.find("ENCRYPTED") != std::string::npos) {
    return Error(ErrorCode::kInvalidArgument,
                 path +
                     " holds an encrypted key; the edge starts unattended and needs it "
                     "unencrypted (openssl pkey -in <file> -out <new file>)");
  }
  ERR_clear_error();
  BioPtr bio = memoryBio(text);
  if (!bio) return opensslError(ErrorCode::kInternal, "reading " + path);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr));
  if (!key) return opensslError(ErrorCode::kInvalidArgument, path + " holds no PEM private key");
  return key;
}

Result<std::string> fingerprint(X509* cert) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int length = 0;
  if (X509_digest(cert, EVP_sha256(), md.data(), &length) != 1) {
    return opensslError(ErrorCode::kInternal, "hashing the certificate");
  }
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    if (i != 0) hex += ':';
    hex += "0123456789ABCDEF"[md[i] >> 4];
    hex += "0123456789ABCDEF"[md[i] & 15];
  }
  return hex;
}

// One subjectAltName entry: a DNS name (lower case) or the bytes of an IPv4/IPv6 address.
struct AltName {
  bool ip = false;
  std::string value;  // the DNS name, or 4 or 16 address bytes
  std::string text;   // as written in the common name and in messages
  bool operator==(const AltName& other) const { return ip == other.ip && value == other.value; }
};

Result<AltName> parseAltName(std::string name) {
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') {
    name = name.substr(1, name.size() - 2);
  }
  std::string address = name.substr(0, name.find('%'));  // a zone cannot go into a certificate
  std::array<unsigned char, 16> bytes{};
  for (const auto& [family, size] : {std::pair{AF_INET, 4}, std::pair{AF_INET6, 16}}) {
    if (inet_pton(family, address.c_str(), bytes.data()) == 1) {
      return AltName{true, std::string(reinterpret_cast<char*>(bytes.data()), size), address};
    }
  }
  // A host name (RFC 1123 letters, digits, hyphens, dots; underscores appear in the wild). All
  // digits and dots is an address inet_pton refused ("127.1"), which browsers read differently.
  const bool allowed = std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
  });
  const bool numeric = std::all_of(name.begin(), name.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
  });
  if (name.empty() || name.size() > 253 || !allowed || numeric || name.front() == '.' ||
      name.find("..") != std::string::npos) {
    return Error(ErrorCode::kInvalidArgument,
                 "\"" + name + "\" is neither a host name nor an IP address");
  }
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return AltName{false, name, name};
}

Result<std::vector<AltName>> altNames(const std::vector<std::string>& names) {
  std::vector<AltName> out;
  std::vector<std::string> all = names;
  for (const char* always : {"localhost", "127.0.0.1", "::1"}) all.emplace_back(always);
  for (const std::string& name : all) {
    auto parsed = parseAltName(name);
    if (!parsed) return std::move(parsed).error().with("naming the management certificate");
    if (std::find(out.begin(), out.end(), *parsed) == out.end()) out.push_back(*parsed);
  }
  return out;
}

Status addSubjectAltNames(X509* cert, const std::vector<AltName>& names) {
  GeneralNamesPtr general(sk_GENERAL_NAME_new_null());
  if (!general) return opensslError(ErrorCode::kInternal, "making the subjectAltName");
  for (const AltName& name : names) {
    GENERAL_NAME* entry = GENERAL_NAME_new();
    ASN1_STRING* value = name.ip ? ASN1_OCTET_STRING_new() : ASN1_IA5STRING_new();
    if (entry == nullptr || value == nullptr ||
        ASN1_STRING_set(value, name.value.data(), static_cast<int>(name.value.size())) != 1) {
      GENERAL_NAME_free(entry);
      ASN1_STRING_free(value);
      return opensslError(ErrorCode::kInternal, "adding " + name.text + " to the subjectAltName");
    }
    GENERAL_NAME_set0_value(entry, name.ip ? GEN_IPADD : GEN_DNS, value);
    if (sk_GENERAL_NAME_push(general.get(), entry) == 0) {
      GENERAL_NAME_free(entry);
      return opensslError(ErrorCode::kInternal, "adding " + name.text + " to the subjectAltName");
    }
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, general.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return opensslError(ErrorCode::kInternal, "adding the subjectAltName");
  }
  return okStatus();
}

Status addExtensions(X509* cert, const std::vector<AltName>& names) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  // keyUsage is critical as RFC 5280 4.2.1.3 asks; no keyCertSign, which needs CA:TRUE.
  const std::pair<int, const char*> extensions[] = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature"},
      {NID_ext_key_usage, "serverAuth"},
      {NID_subject_key_identifier, "hash"},
  };
  for (const auto& [nid, value] : extensions) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    const bool added = ext != nullptr && X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    if (!added) {
      return opensslError(ErrorCode::kInternal,
                          std::string("adding the extension ") + OBJ_nid2sn(nid) + " " + value);
    }
  }
  // Built from parts rather than from "DNS:...,IP:..." text so no name can inject an entry.
  return addSubjectAltNames(cert, names);
}

Result<PkeyPtr> makeKey() {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_group_name(ctx.get(), "P-256") != 1 ||
      EVP_PKEY_generate(ctx.get(), &key) != 1) {
    return opensslError(ErrorCode::kInternal, "making an EC P-256 key");
  }
  return PkeyPtr(key);
}

Status setSerial(X509* cert) {
  // 128 random bits: RFC 5280 allows up to 20 octets and asks for a positive number, which
  // BN_bin2bn always gives (DER adds a leading zero octet when the top bit is set).
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return opensslError(ErrorCode::kInternal, "drawing a certificate serial");
  }
  bytes.back() |= 1;  // never zero
  BIGNUM* bn = BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr);
  const bool ok = bn != nullptr && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != nullptr;
  BN_free(bn);
  if (!ok) return opensslError(ErrorCode::kInternal, "setting a certificate serial");
  return okStatus();
}

Result<X509Ptr> makeCertificate(EVP_PKEY* key, const std::vector<AltName>& names, std::time_t now) {
  X509Ptr cert(X509_new());
  if (!cert) return opensslError(ErrorCode::kInternal, "making a certificate");
  std::string commonName = "Spindle edge " + names.front().text;
  if (commonName.size() > kMaxCommonNameBytes) commonName.resize(kMaxCommonNameBytes);
  X509_NAME* subject = X509_get_subject_name(cert.get());
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1,
                                 0) != 1 ||
      X509_set_issuer_name(cert.get(), subject) != 1 ||
      ASN1_TIME_adj(X509_getm_notBefore(cert.get()), now, 0, -kBackdateSeconds) == nullptr ||
      ASN1_TIME_adj(X509_getm_notAfter(cert.get()), now, kValidityDays, -kBackdateSeconds) ==
          nullptr ||
      X509_set_pubkey(cert.get(), key) != 1) {
    return opensslError(ErrorCode::kInternal, "filling in the certificate");
  }
  if (auto status = setSerial(cert.get()); !status) return std::move(status).error();
  if (auto status = addExtensions(cert.get(), names); !status) return std::move(status).error();
  if (X509_sign(cert.get(), key, EVP_sha256()) <= 0) {
    return opensslError(ErrorCode::kInternal, "signing the certificate");
  }
  return cert;
}

Result<std::string> toPem(X509* cert, EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  const bool ok = bio && (cert != nullptr ? PEM_write_bio_X509(bio.get(), cert)
                                          : PEM_write_bio_PrivateKey(bio.get(), key, nullptr,
                                                                     nullptr, 0, nullptr, nullptr));
  if (!ok) return opensslError(ErrorCode::kInternal, "encoding PEM");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  std::string pem(data, static_cast<std::size_t>(size));
  if (key != nullptr) OPENSSL_cleanse(data, static_cast<std::size_t>(size));
  return pem;
}

// Replaces `path` with `text`: a new file under a random name beside it, created with O_EXCL
// (so it is ours, not a link someone left) and `mode` from the start, synced, then renamed
// over `path`. A crash leaves the old file or the new one, never a part.
Status writeAtomically(const std::string& path, const std::string& text, mode_t mode) {
  std::array<unsigned char, 8> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    return opensslError(ErrorCode::kInternal, "naming a temporary file for " + path);
  }
  std::string tmp = path + ".tmp-";
  for (const unsigned char b : random) {
    tmp += "0123456789abcdef"[b >> 4];
    tmp += "0123456789abcdef"[b & 15];
  }
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) {
    const int err = errno;
    return errnoError(err, "creating " + tmp);
  }
  const auto fail = [&](const char* step) {
    const int err = errno;
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    return errnoError(err, step + (" " + tmp));
  };
  // The umask may have taken bits away (a certificate is meant to be readable by all).
  if (::fchmod(fd, mode) != 0) return fail("setting the mode of");
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("writing");
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("syncing");
  const int closed = ::close(std::exchange(fd, -1));
  if (closed != 0) return fail("closing");
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("renaming into place");
  return okStatus();
}

void syncDirectory(const std::string& dir) {
  if (const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// Temporary files a crash left behind; the key's would hold an unused private key.
void removeStaleTemporaries(const std::string& dir) {
  std::error_code ec;
  std::vector<fs::path> stale;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    for (const char* prefix : {kSelfSignedCertName, kSelfSignedKeyName}) {
      if (name.rfind(std::string(prefix) + ".tmp-", 0) == 0) stale.push_back(it->path());
    }
  }
  for (const fs::path& path : stale) fs::remove(path, ec);
}

// A certificate chain with its key, read and checked to belong together.
struct Pair {
  std::vector<X509Ptr> chain;  // the leaf first
  PkeyPtr key;
};

// kNotFound or kIo when a file cannot be read; kInvalidArgument when it does not parse or the
// key belongs to another certificate. Both messages name the file.
Result<Pair> loadPair(const std::string& certFile, const std::string& keyFile) {
  auto certText = readSmallFile(certFile);
  if (!certText) return std::move(certText).error();
  auto chain = parseCertificates(*certText, certFile);
  if (!chain) return std::move(chain).error();
  auto keyText = readSmallFile(keyFile);
  if (!keyText) return std::move(keyText).error();
  auto key = parseKey(*keyText, keyFile);
  OPENSSL_cleanse(keyText->data(), keyText->size());
  if (!key) return std::move(key).error();
  ERR_clear_error();
  if (X509_check_private_key(chain->front().get(), key->get()) != 1) {
    return opensslError(
        ErrorCode::kInvalidArgument,
        "the key in " + keyFile + " does not belong to the certificate in " + certFile);
  }
  return Pair{std::move(chain).value(), std::move(key).value()};
}

// The stored certificate when it can serve; otherwise `problem` says why it must be made anew.
struct Stored {
  X509Ptr cert;
  std::string problem;
};

// A file that exists but cannot be read is an error, not a problem to fix by replacing it: it
// means a wrong owner or mode that the operator should see.
Result<Stored> checkStored(const std::string& certFile, const std::string& keyFile,
                           std::time_t now) {
  auto pair = loadPair(certFile, keyFile);
  if (!pair && pair.error().code() == ErrorCode::kIo) return std::move(pair).error();
  if (!pair) return Stored{nullptr, pair.error().message()};
  X509Ptr cert = std::move(pair->chain.front());
  std::time_t renewAt = now + std::time_t{kRenewBeforeDays} * 86400;
  if (X509_cmp_time(X509_get0_notAfter(cert.get()), &renewAt) <= 0) {  // 0: unreadable time
    return Stored{nullptr, certFile + " expires within " + std::to_string(kRenewBeforeDays) +
                               " days or has expired"};
  }
  return Stored{std::move(cert), ""};
}

Status loadChain(SSL_CTX* ctx, const std::string& certFile, const std::string& keyFile) {
  auto pair = loadPair(certFile, keyFile);
  if (!pair) return std::move(pair).error();
  if (SSL_CTX_use_certificate(ctx, pair->chain.front().get()) != 1 ||
      SSL_CTX_clear_chain_certs(ctx) != 1) {
    return opensslError(ErrorCode::kInternal, "using the certificate in " + certFile);
  }
  for (std::size_t i = 1; i < pair->chain.size(); ++i) {
    if (SSL_CTX_add0_chain_cert(ctx, pair->chain[i].get()) != 1) {
      return opensslError(ErrorCode::kInternal, "using the chain in " + certFile);
    }
    (void)pair->chain[i].release();  // the context owns it now
  }
  if (SSL_CTX_use_PrivateKey(ctx, pair->key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    return opensslError(ErrorCode::kInvalidArgument, "using the key in " + keyFile);
  }
  return okStatus();
}

}  // namespace

Result<CertificateFiles> ensureSelfSigned(const std::string& dir,
                                          const std::vector<std::string>& names) {
  auto alt = altNames(names);
  if (!alt) return std::move(alt).error();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error(ErrorCode::kIo, "creating " + dir + ": " + ec.message());
  removeStaleTemporaries(dir);

  CertificateFiles files;
  files.cert = (fs::path(dir) / kSelfSignedCertName).string();
  files.key = (fs::path(dir) / kSelfSignedKeyName).string();
  const std::time_t now = std::time(nullptr);
  auto stored = checkStored(files.cert, files.key, now);
  if (!stored) return std::move(stored).error().with("checking the management certificate");

  if (stored->problem.empty()) {
    // Ours, so tighten a key someone copied with a looser mode instead of serving it as is.
    struct stat st {};
    if (::stat(files.key.c_str(), &st) == 0 && (st.st_mode & 077) != 0 &&
        ::chmod(files.key.c_str(), 0600) != 0) {
      const int err = errno;
      return errnoError(err, "making " + files.key + " private");
    }
    auto print = fingerprint(stored->cert.get());
    if (!print) return std::move(print).error();
    files.sha256Fingerprint = std::move(print).value();
    return files;
  }

  files.generated = true;
  files.reason = stored->problem;
  auto key = makeKey();
  if (!key) return std::move(key).error();
  auto cert = makeCertificate(key->get(), *alt, now);
  if (!cert) return std::move(cert).error();
  auto keyPem = toPem(nullptr, key->get());
  if (!keyPem) return std::move(keyPem).error();
  auto certPem = toPem(cert->get(), nullptr);
  if (!certPem) return std::move(certPem).error();
  // The key first: a crash between the two leaves a pair that does not match, which the next
  // start regenerates.
  auto wroteKey = writeAtomically(files.key, *keyPem, 0600);
  OPENSSL_cleanse(keyPem->data(), keyPem->size());
  if (!wroteKey) return std::move(wroteKey).error().with("writing the management key");
  if (auto wrote = writeAtomically(files.cert, *certPem, 0644); !wrote) {
    return std::move(wrote).error().with("writing the management certificate");
  }
  syncDirectory(dir);
  auto print = fingerprint(cert->get());
  if (!print) return std::move(print).error();
  files.sha256Fingerprint = std::move(print).value();
  return files;
}

Result<std::shared_ptr<boost::asio::ssl::context>> makeServerContext(const std::string& certFile,
                                                                     const std::string& keyFile) {
  namespace ssl = boost::asio::ssl;
  std::shared_ptr<ssl::context> context;
  ERR_clear_error();
  try {
    context = std::make_shared<ssl::context>(ssl::context::tls_server);
  } catch (const boost::system::system_error& e) {
    return opensslError(ErrorCode::kInternal, std::string("making a TLS context: ") + e.what());
  }
  SSL_CTX* ctx = context->native_handle();
  // OpenSSL 3 always uses a fresh ECDH key (SINGLE_ECDH_USE is kept as the intent, a no-op);
  // the version options repeat the minimum for any code that reads options, not versions.
  SSL_CTX_set_options(ctx, SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 |
                               SSL_OP_NO_COMPRESSION | SSL_OP_SINGLE_ECDH_USE |
                               SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  // TLS 1.2: forward secrecy and AEAD only, for EC and RSA keys alike (TLS 1.3 suites are
  // all of that already and keep OpenSSL's defaults).
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20") != 1) {
    return opensslError(ErrorCode::kInternal, "setting up the TLS context");
  }
  if (auto status = loadChain(ctx, certFile, keyFile); !status) {
    return std::move(status).error().with("setting up TLS for the management page");
  }
  return context;
}

}  // namespace spindle::web::management
