#include "netcheck/tls_inspect.hpp"

#include <boost/asio/ip/address.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace spindle::netcheck {
namespace {

std::string entry(X509_NAME* name, int nid) {
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return "";
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(length));
  OPENSSL_free(utf8);
  return out;
}

/// "CN (O)", or whichever of the two exists.
std::string describeName(X509_NAME* name) {
  if (name == nullptr) return "";
  const std::string cn = entry(name, NID_commonName);
  const std::string o = entry(name, NID_organizationName);
  if (cn.empty()) return o;
  if (o.empty() || cn.find(o) != std::string::npos) return cn;
  return cn + " (" + o + ")";
}

std::vector<std::string> subjectAltNames(X509* cert) {
  std::vector<std::string> out;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type == GEN_DNS) {
      const auto* s = n->d.dNSName;
      out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                       static_cast<std::size_t>(ASN1_STRING_length(s)));
    } else if (n->type == GEN_IPADD) {
      const auto* s = n->d.iPAddress;
      const unsigned char* b = ASN1_STRING_get0_data(s);
      if (ASN1_STRING_length(s) == 4) {
        out.push_back(boost::asio::ip::address_v4({b[0], b[1], b[2], b[3]}).to_string());
      }
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return !needle.empty() && haystack.find(needle) != std::string::npos;
}

std::string listNames(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < 4; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > 4) out += ", ...";
  return out.empty() ? "no names" : out;
}

}  // namespace

TlsVerdict inspectTls(SSL* ssl, const std::string& verifyName,
                      const std::vector<std::string>& expectIssuer) {
  TlsVerdict v;
  v.protocol = SSL_get_version(ssl);
  v.cipher = SSL_get_cipher_name(ssl);
  v.verifyCode = SSL_get_verify_result(ssl);
  v.verifyText = X509_verify_cert_error_string(v.verifyCode);
  v.chainTrusted = v.verifyCode == X509_V_OK;
  switch (v.verifyCode) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
      v.untrustedIssuer = true;
      break;
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      v.expiredOrNotYetValid = true;
      break;
    default:
      break;
  }
  X509* leaf = SSL_get1_peer_certificate(ssl);
  if (leaf != nullptr) {
    v.subject = describeName(X509_get_subject_name(leaf));
    v.issuer = describeName(X509_get_issuer_name(leaf));
    v.names = subjectAltNames(leaf);
    v.verifyName = verifyName;
    if (!verifyName.empty()) {
      boost::system::error_code ec;
      boost::asio::ip::make_address(verifyName, ec);
      v.nameMatches =
          ec ? X509_check_host(leaf, verifyName.c_str(), verifyName.size(), 0, nullptr) == 1
             : X509_check_ip_asc(leaf, verifyName.c_str(), 0) == 1;
    }
    X509_free(leaf);
  }
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
  if (chain != nullptr && sk_X509_num(chain) > 0) {
    X509* top = sk_X509_value(chain, sk_X509_num(chain) - 1);
    v.topIssuer = describeName(X509_get_issuer_name(top));
  }
  if (v.topIssuer.empty()) v.topIssuer = v.issuer;
  if (v.chainTrusted && !expectIssuer.empty()) {
    bool seen = false;
    for (const auto& e : expectIssuer)
      seen = seen || contains(v.issuer, e) || contains(v.topIssuer, e);
    v.unexpectedIssuer = !seen;
  }
  return v;
}

bool looksLikeDpi(const TlsVerdict& v) { return v.untrustedIssuer || v.unexpectedIssuer; }

void judgeTls(const TlsVerdict& v, const std::string& target, const std::string& bypass,
              CheckResult& row) {
  row.facts["protocol"] = v.protocol;
  row.facts["cipher"] = v.cipher;
  row.facts["issuer"] = v.issuer;
  row.facts["top_issuer"] = v.topIssuer;
  row.facts["subject"] = v.subject;
  row.facts["names"] = v.names;
  row.facts["chain_trusted"] = v.chainTrusted;
  row.facts["verify_error"] = v.chainTrusted ? "" : v.verifyText;
  row.facts["hostname_checked"] = !v.verifyName.empty();
  row.facts["hostname_matches"] = v.nameMatches;
  row.facts["dpi"] = looksLikeDpi(v);
  const std::string issuedBy =
      v.issuer + (v.topIssuer != v.issuer && !v.topIssuer.empty() ? ", under " + v.topIssuer : "");
  if (looksLikeDpi(v)) {
    row.status = CheckStatus::kFail;
    row.facts["dpi_issuer"] = v.issuer;
    row.detail = v.protocol + " certificate issued by " + issuedBy;
    row.cause = "deep packet inspection detected: the certificate for " + target +
                " is issued by " + v.issuer +
                (v.untrustedIssuer ? ", a CA this edge does not trust (" + v.verifyText + ")"
                                   : ", not by the issuer this service uses") +
                ". A firewall or proxy is decrypting and re-signing this traffic, which breaks "
                "the edge's verified connections.";
    row.remedy =
        "create a bypass (no-decryption) rule for this traffic on the inspecting "
        "firewall (" +
        v.issuer + "): exempt " + bypass + ".";
    return;
  }
  if (v.expiredOrNotYetValid) {
    row.status = CheckStatus::kFail;
    row.detail = v.protocol + " certificate " + v.verifyText + " (issued by " + issuedBy + ")";
    row.cause = "the certificate of " + target + " is " + v.verifyText +
                " by this edge's clock: either the clock is wrong or the server is misconfigured";
    row.remedy =
        "check the clock rows above (NTP must be reachable); if the clock is right, "
        "something other than the cloud service answers for " +
        target + ".";
    return;
  }
  if (!v.chainTrusted) {
    row.status = CheckStatus::kFail;
    row.detail = v.protocol + " certificate rejected: " + v.verifyText;
    row.cause = "the certificate chain of " + target + " does not verify (" + v.verifyText +
                "; issued by " + issuedBy + ")";
    row.remedy = "make sure nothing between this edge and " + target +
                 " intercepts TLS; if it does, create a bypass rule for " + bypass + ".";
    return;
  }
  if (!v.verifyName.empty() && !v.nameMatches) {
    row.status = CheckStatus::kFail;
    row.detail = v.protocol + " certificate is for " + listNames(v.names) + ", not " + v.verifyName;
    row.cause = "the server that answered for " + target + " presents a certificate for " +
                listNames(v.names) +
                ": something else answers for this name (a proxy, a "
                "captive portal, or a wrong DNS answer)";
    row.remedy = "check the DNS answer for " + v.verifyName +
                 " and any proxy between this edge and the internet.";
    return;
  }
  row.status = CheckStatus::kPass;
  row.detail = v.protocol + ", chain verified (issued by " + issuedBy + ")" +
               (v.verifyName.empty() ? ", reached by IP: name not checked"
                                     : ", certificate matches " + v.verifyName);
}

}  // namespace spindle::netcheck
