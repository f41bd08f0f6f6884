#pragma once
/// Reading a finished TLS handshake: was the chain issued by a CA this edge trusts, is the
/// certificate for the name we asked, and who issued it. An untrusted issuer on a connection
/// to the cloud is the mark of deep packet inspection (the firewall re-signs the traffic with
/// its own CA).

#include <string>
#include <vector>

#include "netcheck/check_result.hpp"

typedef struct ssl_st SSL;

namespace spindle::netcheck {

struct TlsVerdict {
  std::string protocol;  ///< "TLSv1.3"
  std::string cipher;
  long verifyCode = 0;  ///< X509_V_OK or an X509_V_ERR_* code (chain only, no hostname)
  std::string verifyText;
  bool chainTrusted = false;
  bool untrustedIssuer = false;  ///< the chain ends at a CA the trust store does not hold
  bool expiredOrNotYetValid = false;
  std::string verifyName;  ///< the name checked; empty when none was (an IP without tls_name)
  bool nameMatches = false;
  bool unexpectedIssuer = false;  ///< trusted, but not one of the expected issuers
  std::string issuer;             ///< the leaf's issuer, "CN (O)"
  std::string topIssuer;          ///< the issuer of the last certificate the server sent
  std::string subject;
  std::vector<std::string> names;  ///< the leaf's DNS and IP subject alternative names
};

/// Inspects the handshake `ssl` just completed (verify mode none: OpenSSL still recorded the
/// chain result). `expectIssuer` lists CN/O substrings; empty: any trusted issuer.
TlsVerdict inspectTls(SSL* ssl, const std::string& verifyName,
                      const std::vector<std::string>& expectIssuer);

/// True when the verdict points at traffic inspection (untrusted or unexpected issuer).
bool looksLikeDpi(const TlsVerdict& verdict);

/// Fills status, detail, cause, remedy and facts of a TLS (or NATS-over-TLS) row. `bypass`
/// names the traffic a DPI bypass rule must cover ("api.example.test and the other cloud
/// domains listed below").
void judgeTls(const TlsVerdict& verdict, const std::string& target, const std::string& bypass,
              CheckResult& row);

}  // namespace spindle::netcheck
