#pragma once
/// X.509 certificates for OPC UA (Part 6, 6.2.2): making one, reading the fields OPC UA checks,
/// and the client's application instance certificate, kept in a PKI folder laid out as other
/// OPC UA stacks do:
///
///   <pki>/own/certs/spindle.der     the certificate (DER, mode 0644)
///   <pki>/own/private/spindle.pem   its RSA key (PEM PKCS#8, mode 0600, folder 0700)
///
/// Only file I/O; no clocks (the caller passes "now").

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "opcua/crypto.hpp"

namespace spindle::opcua {

/// What a new certificate says. Times are Unix seconds (UTC).
struct CertificateSpec {
  std::string commonName;
  std::string organization;           ///< empty: no O= in the subject
  std::string applicationUri;         ///< subjectAltName URI; empty: none
  std::vector<std::string> dnsNames;  ///< subjectAltName DNS entries
  std::int64_t notBefore = 0;
  std::int64_t notAfter = 0;
  bool isCa = false;         ///< a CA: basicConstraints CA:TRUE, keyUsage keyCertSign, cRLSign
  std::uint64_t serial = 0;  ///< 0: a random 63-bit serial
};

/// An X.509 v3 certificate for `subjectKey` signed with SHA-256 by `issuerKey` on behalf of
/// `issuer`; self-signed when `issuer` is null (then `issuerKey` is `subjectKey`'s private
/// half). An application instance certificate (isCa false) gets what Part 6 6.2.2 asks:
/// basicConstraints CA:FALSE, keyUsage digitalSignature, nonRepudiation, keyEncipherment,
/// dataEncipherment (and keyCertSign when self-signed), extendedKeyUsage serverAuth and
/// clientAuth, subject and authority key identifiers.
Result<X509Ptr> makeCertificate(const CertificateSpec& spec, EVP_PKEY* subjectKey, X509* issuer,
                                EVP_PKEY* issuerKey);

/// The first URI of the subjectAltName (the OPC UA applicationUri); kNotFound when none.
Result<std::string> certificateApplicationUri(X509* cert);
/// The subject's commonName, or "" when it has none.
std::string certificateCommonName(X509* cert);

/// The whole of a small file of the PKI folder (a certificate, key or CRL): kIo when it cannot
/// be read, kInvalidArgument when it is over `maxBytes` (1 MiB by default).
Result<std::string> readPkiFile(const std::string& path, std::size_t maxBytes = 1 << 20);

/// The client's own certificate and key.
struct ApplicationCertificate {
  X509Ptr certificate;
  Bytes der;
  PkeyPtr privateKey;
  std::string applicationUri;
};

struct ApplicationCertificateOptions {
  std::string pkiDir;          ///< the PKI folder root
  std::string applicationUri;  ///< e.g. "urn:<hostname>:spindle"
  std::string hostname;        ///< CN=Spindle@<hostname>, subjectAltName DNS
  std::int64_t now = 0;        ///< Unix seconds: the start of a new certificate's validity
};

/// Loads the certificate and key from the PKI folder, or creates both on first use (RSA 2048,
/// SHA-256, self-signed, valid 5 years from `now`), written atomically with the modes above.
/// A stored certificate whose subjectAltName URI is not `applicationUri` is a kInvalidArgument
/// error, NOT silently replaced: servers may have trusted the old certificate, so replacing it
/// is the operator's decision (the message says which files to delete). A missing half (key
/// without certificate or the reverse), an unreadable or corrupt file, or a key that does not
/// belong to the certificate are errors naming the file.
Result<ApplicationCertificate> loadOrCreateApplicationCertificate(
    const ApplicationCertificateOptions& options);

}  // namespace spindle::opcua
