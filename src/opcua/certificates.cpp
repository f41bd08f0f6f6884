#include "opcua/certificates.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/atomic_file.hpp"

namespace spindle::opcua {
namespace fs = std::filesystem;
namespace {

constexpr std::int64_t kValiditySeconds = 5 * 365 * 86400 + 86400;  // five years and a leap day

Status addExtension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str());
  if (ext == nullptr) {
    return opensslError(ErrorCode::kInternal,
                        std::string("certificate extension ") + OBJ_nid2sn(nid) + " " + value);
  }
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) return opensslError(ErrorCode::kInternal, "adding a certificate extension");
  return okStatus();
}

Status setSerial(X509* cert, std::uint64_t serial) {
  if (serial == 0) {
    auto random = randomBytes(8);
    if (!random) return std::move(random).error();
    for (const std::uint8_t b : random.value()) serial = (serial << 8) | b;
    serial = (serial >> 1) | 1;  // positive and never zero
  }
  BIGNUM* bn = BN_new();
  bool ok = bn != nullptr && BN_set_word(bn, serial) == 1 &&
            BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != nullptr;
  BN_free(bn);
  if (!ok) return opensslError(ErrorCode::kInternal, "setting a certificate serial");
  return okStatus();
}

Status setSubject(X509* cert, const CertificateSpec& spec) {
  X509_NAME* name = X509_get_subject_name(cert);
  const auto add = [&](const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                      0) == 1;
  };
  if (!add("CN", spec.commonName) || (!spec.organization.empty() && !add("O", spec.organization))) {
    return opensslError(ErrorCode::kInternal, "setting a certificate subject");
  }
  return okStatus();
}

Status addExtensions(X509* cert, X509* issuer, const CertificateSpec& spec) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : cert, cert, nullptr, nullptr, 0);
  std::string altNames;
  if (!spec.applicationUri.empty()) altNames = "URI:" + spec.applicationUri;
  for (const std::string& dns : spec.dnsNames) {
    altNames += (altNames.empty() ? "DNS:" : ",DNS:") + dns;
  }
  std::string keyUsage = spec.isCa ? "critical,keyCertSign,cRLSign,digitalSignature"
                                   : "critical,digitalSignature,nonRepudiation,keyEncipherment,"
                                     "dataEncipherment";
  if (!spec.isCa && issuer == nullptr) keyUsage += ",keyCertSign";  // self-signed: signs itself
  const std::pair<int, std::string> extensions[] = {
      {NID_basic_constraints, spec.isCa ? "critical,CA:TRUE" : "critical,CA:FALSE"},
      {NID_key_usage, keyUsage},
      {NID_ext_key_usage, spec.isCa ? "" : "serverAuth,clientAuth"},
      {NID_subject_key_identifier, "hash"},
      {NID_authority_key_identifier, "keyid:always"},
      {NID_subject_alt_name, altNames},
  };
  for (const auto& [nid, value] : extensions) {
    if (value.empty()) continue;
    if (auto s = addExtension(cert, &ctx, nid, value); !s) return s;
  }
  return okStatus();
}

Status writeFile(const fs::path& path, const std::string& bytes, int mode) {
  if (auto s = writeFileAtomically(path.string(), bytes, mode); !s) {
    return std::move(s).error().with("writing " + path.string());
  }
  return okStatus();
}

Result<ApplicationCertificate> createApplicationCertificate(
    const ApplicationCertificateOptions& options, const fs::path& certPath,
    const fs::path& keyPath) {
  auto key = generateRsaKey(2048);
  if (!key) return std::move(key).error();
  CertificateSpec spec;
  spec.commonName = "Spindle@" + options.hostname;
  spec.organization = "Spindle";
  spec.applicationUri = options.applicationUri;
  if (!options.hostname.empty()) spec.dnsNames.push_back(options.hostname);
  spec.notBefore = options.now;
  spec.notAfter = options.now + kValiditySeconds;
  auto cert = makeCertificate(spec, key->get(), nullptr, key->get());
  if (!cert) return std::move(cert).error();
  auto der = certificateDer(cert->get());
  if (!der) return std::move(der).error();
  auto pem = privateKeyPem(key->get());
  if (!pem) return std::move(pem).error();

  std::error_code ec;
  fs::create_directories(keyPath.parent_path(), ec);
  if (!ec) fs::permissions(keyPath.parent_path(), fs::perms::owner_all, ec);
  if (!ec) fs::create_directories(certPath.parent_path(), ec);
  if (ec) return Error(ErrorCode::kIo, ec.message()).with("creating " + options.pkiDir + "/own");
  // The key first: a certificate without its key would be useless after a crash.
  if (auto s = writeFile(keyPath, pem.value(), 0600); !s) return std::move(s).error();
  if (auto s = writeFile(certPath, std::string(der->begin(), der->end()), 0644); !s) {
    return std::move(s).error();
  }
  return ApplicationCertificate{std::move(cert.value()), std::move(der.value()),
                                std::move(key.value()), options.applicationUri};
}

Result<ApplicationCertificate> loadApplicationCertificate(
    const ApplicationCertificateOptions& options, const fs::path& certPath,
    const fs::path& keyPath) {
  auto derText = readPkiFile(certPath.string());
  if (!derText) return std::move(derText).error();
  auto pem = readPkiFile(keyPath.string());
  if (!pem) return std::move(pem).error();
  Bytes der(derText->begin(), derText->end());
  auto cert = parseCertificateDer(der);
  if (!cert) return std::move(cert).error().with("reading " + certPath.string());
  auto key = parsePrivateKeyPem(pem.value());
  if (!key) return std::move(key).error().with("reading " + keyPath.string());
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    return opensslError(ErrorCode::kInvalidArgument,
                        keyPath.string() + " is not the key of " + certPath.string());
  }
  auto uri = certificateApplicationUri(cert->get());
  if (!uri || uri.value() != options.applicationUri) {
    return Error(ErrorCode::kInvalidArgument,
                 certPath.string() + " is for application URI '" + (uri ? uri.value() : "") +
                     "', but the configured one is '" + options.applicationUri +
                     "'; delete it and " + keyPath.string() +
                     " to create a new certificate (servers must then trust the new one)");
  }
  return ApplicationCertificate{std::move(cert.value()), std::move(der), std::move(key.value()),
                                options.applicationUri};
}

}  // namespace

Result<X509Ptr> makeCertificate(const CertificateSpec& spec, EVP_PKEY* subjectKey, X509* issuer,
                                EVP_PKEY* issuerKey) {
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1 ||
      X509_set_pubkey(cert.get(), subjectKey) != 1 ||
      ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(spec.notBefore)) ==
          nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(spec.notAfter)) ==
          nullptr) {
    return opensslError(ErrorCode::kInternal, "making a certificate");
  }
  if (auto s = setSerial(cert.get(), spec.serial); !s) return std::move(s).error();
  if (auto s = setSubject(cert.get(), spec); !s) return std::move(s).error();
  X509_NAME* issuerName = X509_get_subject_name(issuer != nullptr ? issuer : cert.get());
  if (X509_set_issuer_name(cert.get(), issuerName) != 1) {
    return opensslError(ErrorCode::kInternal, "setting a certificate issuer");
  }
  if (auto s = addExtensions(cert.get(), issuer, spec); !s) return std::move(s).error();
  if (X509_sign(cert.get(), issuerKey, EVP_sha256()) <= 0) {
    return opensslError(ErrorCode::kInternal, "signing a certificate");
  }
  return cert;
}

Result<std::string> certificateApplicationUri(X509* cert) {
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  std::string uri;
  bool found = false;
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names) && !found; ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* s = name->d.uniformResourceIdentifier;
    uri.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
               static_cast<std::size_t>(ASN1_STRING_length(s)));
    found = true;
  }
  GENERAL_NAMES_free(names);
  ERR_clear_error();  // a missing extension may leave a note in the queue
  if (!found) return Error(ErrorCode::kNotFound, "certificate has no subjectAltName URI");
  return uri;
}

std::string certificateCommonName(X509* cert) {
  X509_NAME* name = X509_get_subject_name(cert);
  const int at = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (at < 0) return "";
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, at));
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) {
    ERR_clear_error();
    return "";
  }
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

Result<std::string> readPkiFile(const std::string& path, std::size_t maxBytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, std::strerror(errno)).with("opening " + path);
  std::string out;
  char buf[8192];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    out.append(buf, static_cast<std::size_t>(in.gcount()));
    if (out.size() > maxBytes) {
      return Error(ErrorCode::kInvalidArgument,
                   path + " is larger than " + std::to_string(maxBytes) + " bytes");
    }
  }
  if (in.bad()) return Error(ErrorCode::kIo, "read failed").with("reading " + path);
  return out;
}

Result<ApplicationCertificate> loadOrCreateApplicationCertificate(
    const ApplicationCertificateOptions& options) {
  const fs::path root(options.pkiDir);
  const fs::path certPath = root / "own" / "certs" / "spindle.der";
  const fs::path keyPath = root / "own" / "private" / "spindle.pem";
  std::error_code ec;
  const bool haveCert = fs::exists(certPath, ec);
  const bool haveKey = fs::exists(keyPath, ec);
  if (haveCert && haveKey) return loadApplicationCertificate(options, certPath, keyPath);
  if (haveCert != haveKey) {
    return Error(ErrorCode::kInvalidArgument,
                 (haveCert ? certPath : keyPath).string() + " exists without " +
                     (haveCert ? keyPath : certPath).string() +
                     "; restore it, or delete both to create a new certificate");
  }
  return createApplicationCertificate(options, certPath, keyPath);
}

}  // namespace spindle::opcua
