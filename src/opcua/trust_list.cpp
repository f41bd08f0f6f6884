#include "opcua/trust_list.hpp"

#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "base/atomic_file.hpp"
#include "opcua/certificates.hpp"

namespace spindle::opcua {
namespace fs = std::filesystem;
namespace {

constexpr const char* kFolders[] = {"trusted/certs", "trusted/crl", "issuers/certs", "issuers/crl",
                                    "rejected/certs"};
constexpr const char* kTofuLog = "trusted/trust-on-first-use.log";

Error refused(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

struct StoreFree {
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
  void operator()(STACK_OF(X509) * p) const { sk_X509_pop_free(p, X509_free); }
};

// Every certificate (or CRL) in the regular files of `dir`, DER or PEM; files that are neither
// (a README, a half-copied file) are skipped rather than failing every connection.
template <typename T, typename ReadPem, typename ReadDer>
Result<std::vector<std::unique_ptr<T, OpensslFree>>> loadFolder(const fs::path& dir, ReadPem pem,
                                                                ReadDer der) {
  std::vector<std::unique_ptr<T, OpensslFree>> out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return Error(ErrorCode::kIo, ec.message()).with("listing " + dir.string());
  for (const fs::directory_entry& entry : it) {
    if (!entry.is_regular_file(ec)) continue;
    auto text = readPkiFile(entry.path().string());
    if (!text) continue;
    if (text->find("-----BEGIN") != std::string::npos) {
      BioPtr bio(BIO_new_mem_buf(text->data(), static_cast<int>(text->size())));
      while (bio) {
        T* item = pem(bio.get(), nullptr, nullptr, nullptr);
        if (item == nullptr) break;
        out.emplace_back(item);
      }
    } else {
      const auto* p = reinterpret_cast<const unsigned char*>(text->data());
      if (T* item = der(nullptr, &p, static_cast<long>(text->size()))) out.emplace_back(item);
    }
    ERR_clear_error();
  }
  return out;
}

Result<std::vector<X509Ptr>> loadCertificates(const fs::path& dir) {
  return loadFolder<X509>(dir, PEM_read_bio_X509, d2i_X509);
}

Result<std::vector<X509CrlPtr>> loadCrls(const fs::path& dir) {
  return loadFolder<X509_CRL>(dir, PEM_read_bio_X509_CRL, d2i_X509_CRL);
}

std::string utcTime(std::int64_t unixSeconds) {
  const auto t = static_cast<std::time_t>(unixSeconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Keeps file names and log fields to one safe line.
std::string sanitize(std::string_view text, bool forFileName) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool plain = std::isalnum(u) || c == ' ' || c == '.' || c == '_' || c == '-' || c == '@';
    if (forFileName) {
      out += plain ? c : '_';
    } else {
      out += (u < 0x20 || u == 0x7f) ? '?' : c;
    }
  }
  return out;
}

// Validity, key size and signature digest: what no trust decision can overrule.
Status checkIntrinsic(X509* cert, const TrustList::Check& check) {
  // X509_cmp_time: -1 when the certificate's time is at or before `now`, 1 after, 0 on error.
  auto now = static_cast<std::time_t>(check.now);
  if (X509_cmp_time(X509_get0_notBefore(cert), &now) >= 0) {
    return refused("certificate is not yet valid at " + utcTime(check.now));
  }
  if (X509_cmp_time(X509_get0_notAfter(cert), &now) <= 0) {
    return refused("certificate expired (notAfter is before " + utcTime(check.now) + ")");
  }
  auto key = certificatePublicKey(cert);
  if (!key) return std::move(key).error();
  const std::size_t bits = rsaKeyBits(key->get());
  if (bits < check.policy->minAsymmetricKeyBits || bits > check.policy->maxAsymmetricKeyBits) {
    return refused("certificate RSA key has " + std::to_string(bits) + " bits; " +
                   std::string(check.policy->name) + " allows " +
                   std::to_string(check.policy->minAsymmetricKeyBits) + ".." +
                   std::to_string(check.policy->maxAsymmetricKeyBits));
  }
  int mdNid = NID_undef;
  if (X509_get_signature_info(cert, &mdNid, nullptr, nullptr, nullptr) != 1) {
    return opensslError(ErrorCode::kProtocol, "certificate signature algorithm unknown");
  }
  if (mdNid == NID_sha1 || mdNid == NID_md5) {
    return refused(std::string("certificate is signed with ") + OBJ_nid2sn(mdNid) + "; " +
                   std::string(check.policy->name) + " requires SHA-256");
  }
  return okStatus();
}

bool sameCertificate(X509* a, const Bytes& der) {
  auto bytes = certificateDer(a);
  return bytes && bytes->size() == der.size() && std::equal(der.begin(), der.end(), bytes->begin());
}

// A CA without a CRL: revocation unknown, accepted (see the header).
int verifyCallback(int ok, X509_STORE_CTX* ctx) {
  if (!ok && X509_STORE_CTX_get_error(ctx) == X509_V_ERR_UNABLE_TO_GET_CRL) return 1;
  return ok;
}

// 0 when `cert` chains to a trusted CA, else the X509_V_ERR code.
// `sent` is the chain the server sent, leaf first: its other certificates may complete the
// path, but only a CA in trusted/certs anchors it.
Result<int> verifyChain(X509* cert, const fs::path& root, std::int64_t now,
                        std::vector<X509Ptr>& trusted, std::vector<X509Ptr>& sent) {
  std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
  std::unique_ptr<STACK_OF(X509), StoreFree> untrusted(sk_X509_new_null());
  if (!store || !untrusted) return opensslError(ErrorCode::kInternal, "making a trust store");
  for (X509Ptr& ca : trusted) X509_STORE_add_cert(store.get(), ca.get());
  auto issuers = loadCertificates(root / "issuers" / "certs");
  if (!issuers) return std::move(issuers).error();
  for (X509Ptr& ca : issuers.value()) {
    if (sk_X509_push(untrusted.get(), ca.get()) > 0) ca.release();
  }
  for (std::size_t i = 1; i < sent.size(); ++i) {
    if (sk_X509_push(untrusted.get(), sent[i].get()) > 0) sent[i].release();
  }
  bool haveCrl = false;
  for (const char* dir : {"trusted/crl", "issuers/crl"}) {
    auto crls = loadCrls(root / dir);
    if (!crls) return std::move(crls).error();
    for (X509CrlPtr& crl : crls.value()) {
      X509_STORE_add_crl(store.get(), crl.get());
      haveCrl = true;
    }
  }
  std::unique_ptr<X509_STORE_CTX, StoreFree> ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), cert, untrusted.get()) != 1) {
    return opensslError(ErrorCode::kInternal, "setting up certificate verification");
  }
  X509_STORE_CTX_set_time(ctx.get(), 0, static_cast<std::time_t>(now));
  if (haveCrl)
    X509_STORE_CTX_set_flags(ctx.get(), X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
  X509_STORE_CTX_set_verify_cb(ctx.get(), verifyCallback);
  const int rc = X509_verify_cert(ctx.get());
  const int error = rc == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx.get());
  ERR_clear_error();
  return error;
}

// The thumbprint first trusted for `endpointUrl` and when, from the TOFU log; empty if none.
std::pair<std::string, std::string> firstTrusted(const fs::path& log,
                                                 std::string_view endpointUrl) {
  std::ifstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream ss(line);
    for (std::string f; std::getline(ss, f, '\t');) fields.push_back(f);
    if (fields.size() == 4 && fields[1] == endpointUrl) return {fields[3], fields[0]};
  }
  return {};
}

}  // namespace

Result<TrustList> TrustList::open(std::string pkiDir) {
  for (const char* sub : kFolders) {
    std::error_code ec;
    fs::create_directories(fs::path(pkiDir) / sub, ec);
    if (ec) return Error(ErrorCode::kIo, ec.message()).with("creating " + pkiDir + "/" + sub);
  }
  return TrustList(std::move(pkiDir));
}

std::string TrustList::reject(ByteView der, const std::string& name) const {
  const fs::path path = fs::path(m_root) / "rejected" / "certs" / (name + ".der");
  // Best effort: failing to keep a copy must not hide why the certificate was refused.
  (void)writeFileAtomically(path.string(), std::string(der.begin(), der.end()), 0644);
  return path.string();
}

Status TrustList::trustOnFirstUse(const Check& check, X509* cert, ByteView der,
                                  const std::string& name, const std::string& thumbprint) const {
  const fs::path root(m_root);
  // The log holds the URL as sanitized when written.
  const std::string endpoint = sanitize(check.endpointUrl, false);
  const auto [firstThumbprint, when] = firstTrusted(root / kTofuLog, endpoint);
  if (!firstThumbprint.empty()) {
    const std::string file = reject(der, name);
    if (firstThumbprint == thumbprint) {
      return refused("certificate " + thumbprint + " was trusted on first use on " + when +
                     " but is no longer in " + (root / "trusted" / "certs").string() +
                     "; it was copied to " + file + "; move it back to trust it again");
    }
    return refused("server " + std::string(check.endpointUrl) + " sent certificate " + thumbprint +
                   ", but trust on first use trusted " + firstThumbprint + " for it on " + when +
                   "; the certificate was copied to " + file +
                   "; if the server really has a new certificate, move that file to " +
                   (root / "trusted" / "certs").string());
  }
  const fs::path trustedPath = root / "trusted" / "certs" / (name + ".der");
  if (auto s = writeFileAtomically(trustedPath.string(), std::string(der.begin(), der.end()), 0644);
      !s) {
    return std::move(s).error().with("trusting on first use");
  }
  std::ofstream log(root / kTofuLog, std::ios::app);
  log << utcTime(check.now) << '\t' << endpoint << '\t'
      << sanitize(certificateCommonName(cert), false) << '\t' << thumbprint << '\n';
  log.flush();
  if (!log) return Error(ErrorCode::kIo, "cannot append").with("writing " + std::string(kTofuLog));
  return okStatus();
}

Status TrustList::checkServerCertificate(const Check& check) const {
  if (check.policy == nullptr || check.policy->isNone()) {
    return Error(ErrorCode::kInvalidArgument, "certificate check needs a policy other than None");
  }
  auto chain = parseCertificateChain(check.certificateDer);
  if (!chain) return std::move(chain).error().with("reading the server certificate");
  X509* leaf = chain->front().get();
  const std::string where = "server certificate of " + std::string(check.endpointUrl);
  if (auto s = checkIntrinsic(leaf, check); !s) return std::move(s).error().with(where);

  auto leafDer = certificateDer(leaf);
  if (!leafDer) return std::move(leafDer).error();
  auto thumb = certificateThumbprint(leafDer.value());
  if (!thumb) return std::move(thumb).error();
  const std::string thumbprint = toHex(thumb.value());
  std::string cn = sanitize(certificateCommonName(leaf), true);
  const std::string name = (cn.empty() ? std::string("certificate") : cn) + " [" + thumbprint + "]";

  const fs::path root(m_root);
  auto trusted = loadCertificates(root / "trusted" / "certs");
  if (!trusted) return std::move(trusted).error();
  for (const X509Ptr& t : trusted.value()) {
    if (sameCertificate(t.get(), leafDer.value())) return okStatus();
  }
  auto verdict = verifyChain(leaf, root, check.now, trusted.value(), chain.value());
  if (!verdict) return std::move(verdict).error();
  const int error = verdict.value();
  if (error == X509_V_OK) return okStatus();
  const std::string reason = X509_verify_cert_error_string(error);
  if (error == X509_V_ERR_CERT_REVOKED || error == X509_V_ERR_CERT_HAS_EXPIRED ||
      error == X509_V_ERR_CERT_NOT_YET_VALID || error == X509_V_ERR_CRL_SIGNATURE_FAILURE ||
      error == X509_V_ERR_CERT_SIGNATURE_FAILURE) {
    return refused("refused: " + reason).with(where);
  }
  if (check.trustOnFirstUse) {
    auto s = trustOnFirstUse(check, leaf, leafDer.value(), name, thumbprint);
    if (!s) return std::move(s).error().with(where);
    return s;
  }
  const std::string file = reject(leafDer.value(), name);
  return refused("not trusted (" + reason + "); it was copied to " + file +
                 "; to trust it, move that file to " + (root / "trusted" / "certs").string())
      .with(where);
}

Status checkServerApplicationUri(ByteView certificateDer, std::string_view applicationUri) {
  auto chain = parseCertificateChain(certificateDer);
  if (!chain) return std::move(chain).error().with("reading the server certificate");
  auto uri = certificateApplicationUri(chain->front().get());
  if (!uri) {
    return refused("server certificate has no subjectAltName URI; the endpoint says '" +
                   std::string(applicationUri) + "'");
  }
  if (uri.value() != applicationUri) {
    return refused("server certificate is for application URI '" + uri.value() +
                   "', but the endpoint says '" + std::string(applicationUri) + "'");
  }
  return okStatus();
}

}  // namespace spindle::opcua
