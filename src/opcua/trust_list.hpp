#pragma once
/// Whether to trust a server's certificate, decided from a PKI folder laid out as other OPC UA
/// stacks do (created when missing):
///
///   <pki>/trusted/certs   certificates we trust: servers' own (self-signed) ones, or CAs
///   <pki>/trusted/crl     CRLs of those CAs
///   <pki>/issuers/certs   intermediate CAs, usable to build a chain but not trusted alone
///   <pki>/issuers/crl     their CRLs
///   <pki>/rejected/certs  certificates we refused, for an operator to inspect and move
///
/// Files may be DER or PEM (a PEM file may hold several certificates). Only file I/O; the
/// caller passes "now", and nothing here keeps state between calls.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "opcua/crypto.hpp"
#include "opcua/security_policy.hpp"

namespace spindle::opcua {

class TrustList {
 public:
  /// The PKI folder at `pkiDir`; creates the folders above that are missing (kIo on failure).
  static Result<TrustList> open(std::string pkiDir);

  struct Check {
    ByteView certificateDer;       ///< the server's certificate as it sent it
    const SecurityPolicy* policy;  ///< the channel's policy (key size bounds); not None
    std::int64_t now = 0;          ///< Unix seconds (UTC)
    std::string_view endpointUrl;  ///< names the server in messages and the TOFU log
    bool trustOnFirstUse = false;  ///< see below
  };

  /// Accepts the certificate when (1) it is inside its validity period at `now`, its RSA key
  /// is within the policy's bounds and it is not signed with SHA-1 or MD5; and (2) it is itself
  /// in trusted/certs (compared by content), or it chains through issuers/certs to a CA in
  /// trusted/certs at `now` and no CRL of the chain revokes it. A CA that has no CRL in either
  /// crl folder is accepted (revocation unknown), as most OPC UA stacks do by default.
  ///
  /// A certificate failing (2) only for lack of trust is copied to
  /// rejected/certs/"<CN> [<sha1 hex>].der" and the kInvalidArgument error names that file and
  /// says to move it to trusted/certs. With `trustOnFirstUse`, the first certificate seen for
  /// an endpoint URL (none recorded in trusted/trust-on-first-use.log) is trusted instead: it
  /// is copied to trusted/certs and a line "UTC time<TAB>endpoint URL<TAB>CN<TAB>SHA-1" is
  /// appended to the log. A later, different certificate for an endpoint in the log is refused
  /// like an untrusted one and the message says which thumbprint was trusted first and when.
  /// Failures of (1), a revoked or expired chain are kInvalidArgument; undecodable DER is
  /// kProtocol; unreadable folders are kIo.
  Status checkServerCertificate(const Check& check) const;

  const std::string& root() const { return m_root; }

 private:
  explicit TrustList(std::string root) : m_root(std::move(root)) {}
  Status trustOnFirstUse(const Check& check, X509* cert, ByteView der, const std::string& name,
                         const std::string& thumbprint) const;
  std::string reject(ByteView der, const std::string& name) const;

  std::string m_root;
};

/// Checks that the certificate's subjectAltName URI equals the applicationUri the server
/// announced in its endpoint description (Part 4 5.6.2); kInvalidArgument naming both when
/// not, kProtocol when the DER does not decode.
Status checkServerApplicationUri(ByteView certificateDer, std::string_view applicationUri);

}  // namespace spindle::opcua
