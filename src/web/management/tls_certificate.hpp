#pragma once
/// TLS for the management page: the edge's own self-signed certificate, made on first start in
/// the data directory, and the server context built from it or from the user's certificate and
/// key. OpenSSL 3 (EVP and X509 APIs only); file I/O, no logging (the caller logs what it gets).

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "base/error.hpp"

namespace spindle::web::management {

/// File names of the edge's own pair inside the data directory.
inline constexpr const char* kSelfSignedCertName = "management-cert.pem";
inline constexpr const char* kSelfSignedKeyName = "management-key.pem";

/// Days before expiry at which the self-signed certificate is made anew.
inline constexpr int kRenewBeforeDays = 30;

/// The edge's certificate and key as ensureSelfSigned() leaves them.
struct CertificateFiles {
  std::string cert;        ///< path of the certificate (PEM, mode 0644)
  std::string key;         ///< path of the private key (PEM PKCS#8, unencrypted, mode 0600)
  bool generated = false;  ///< true when this call made a new pair
  /// SHA-256 of the certificate's DER as colon-separated upper-case hex ("AB:12:..."), the form
  /// browsers show, so the log can print it for users to compare before trusting the page.
  std::string sha256Fingerprint;
  /// When `generated`: why, naming the file, for the log ("<dir>/management-cert.pem does not
  /// exist" on first start; "... expires within 30 days or has expired", "... holds no PEM
  /// private key", "the key in ... does not belong to the certificate in ..."). Else empty.
  std::string reason;
};

/// The edge's own certificate in `dir` (`kSelfSignedCertName`, `kSelfSignedKeyName`), made if
/// needed. `dir` is created if missing. `names` are the host names and addresses the page is
/// reached by (hostname, FQDN, interface addresses; "[::1]" and "fe80::1%eth0" are accepted and
/// stored without brackets and zone); "localhost", "127.0.0.1" and "::1" are always added.
///
/// An existing pair is used as is when both files parse, the key belongs to the certificate and
/// the certificate is valid for more than `kRenewBeforeDays` days. The names of a stored
/// certificate are not compared with `names`: replacing it would make every browser that
/// trusted it warn again, so an address change keeps the old one (delete both files to remake).
/// A certificate not yet valid is kept too: an edge without a real-time clock often starts
/// before NTP has set the time.
///
/// Otherwise a new pair replaces both files: an EC P-256 key and a self-signed X.509 v3
/// certificate (CN "Spindle edge <first name>", subjectAltName with every name as DNS or IP,
/// CA:FALSE, digitalSignature, serverAuth, 825 days). The edge owns these files, so a missing
/// half, a corrupt file or a pair that does not match is regenerated, not reported: the reason
/// is in `CertificateFiles::reason`. Each file is written to a fresh temporary name (O_EXCL,
/// the key never readable by others even for a moment), synced and renamed into place.
///
/// Errors: kInvalidArgument for a name that is neither a host name nor an IP address; kIo when
/// `dir` cannot be made or a file cannot be read (other than missing) or written, naming the
/// file; kInternal when OpenSSL fails (with its reason). Not for two processes on one `dir` at
/// once; call it once at startup, from one thread.
Result<CertificateFiles> ensureSelfSigned(const std::string& dir,
                                          const std::vector<std::string>& names);

/// A TLS server context for the management listener, loaded from `certFile` (PEM: the server's
/// certificate first, then any intermediates) and `keyFile` (PEM, unencrypted). Used for the
/// edge's own pair and for a user's own certificate and key.
///
/// TLS 1.2 is the minimum (SSLv2/3, TLS 1.0 and 1.1 off), no compression, ephemeral ECDH only
/// with AEAD ciphers for TLS 1.2, the server's cipher order, no renegotiation.
///
/// Errors name the file: kNotFound when it does not exist, kIo when it cannot be read,
/// kInvalidArgument when it holds no PEM certificate or key, the key is encrypted, or the key
/// does not belong to the certificate; kInternal when OpenSSL fails otherwise (with its reason).
/// The context is complete when returned; share it between connections and do not change it.
Result<std::shared_ptr<boost::asio::ssl::context>> makeServerContext(const std::string& certFile,
                                                                     const std::string& keyFile);

}  // namespace spindle::web::management
