#include "net/http/https_options.hpp"

#include <fstream>

#include "base/base64.hpp"
#include "base/redact.hpp"
#include "net/http/http_url.hpp"

namespace spindle::net::http {

const config::OptionTable<HttpsOptions>& httpsOptionTable() {
  static const auto table = [] {
    config::OptionTable<HttpsOptions> t;
    t.optional("api", &HttpsOptions::api, "\"\"",
               "the cloud API's base URL, https:// only; \"\" when the edge has none");
    t.optional("ca_file", &HttpsOptions::caFile, "\"\"",
               "PEM file of CA certificates trusted beside the system's (a private cloud's CA)");
    t.optional("pinned_keys", &HttpsOptions::pinnedKeys, "[]",
               "public-key pins sha256//BASE64; when set, the server's key must match one");
    t.optional("connect_timeout", &HttpsOptions::connectTimeout, "10s",
               "limit for the TCP connection and the TLS handshake", {"100ms", "5m"});
    t.optional("timeout", &HttpsOptions::timeout, "60s",
               "limit for one attempt of a request, connection to last byte", {"1s", "1h"});
    t.optional("retries", &HttpsOptions::retries, "5",
               "attempts after the first on connection errors, timeouts, 5xx and 429",
               {"0", "100"});
    t.optional("retry_min", &HttpsOptions::retryMin, "1s", "first wait before a retry",
               {"10ms", "1h"});
    t.optional("retry_max", &HttpsOptions::retryMax, "60s",
               "longest backoff wait before a retry; a server's Retry-After is honoured even "
               "when longer (up to the request's deadline, or one hour)",
               {"10ms", "1h"});
    t.optional("max_response", &HttpsOptions::maxResponse, "16MiB",
               "largest response body accepted in memory; a larger one is an error",
               {"1KiB", "1GiB"});
    return t;
  }();
  return table;
}

Status checkPinnedKey(const std::string& pin) {
  const std::string prefix = "sha256//";
  if (pin.rfind(prefix, 0) != 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "a pin starts with sha256// (the base64 SHA-256 of the server's public key)");
  }
  const auto digest = base64Decode(pin.substr(prefix.size()));
  if (!digest || digest->size() != 32) {
    return Error(ErrorCode::kInvalidArgument,
                 "after sha256// a pin holds the base64 of 32 bytes (44 characters)");
  }
  return okStatus();
}

bool validate(const HttpsOptions& o, const YAML::Node& block, config::Diagnostics& diags) {
  bool good = true;
  if (!o.api.empty()) {
    auto url = parseUrl(o.api);
    if (!url) {
      diags.add(block["api"], "https.api: " + url.error().message());
      good = false;
    } else if (url->scheme != "https") {
      diags.add(block["api"], "https.api must be an https:// URL, not " + url->scheme + "://",
                "the edge talks to the cloud only over TLS");
      good = false;
    } else if (hasUrlCredentials(o.api)) {
      diags.add(block["api"], "https.api must not carry credentials",
                "the configuration is shown on the management page and sent to the cloud");
      good = false;
    }
  }
  if (!o.caFile.empty() && !std::ifstream(o.caFile)) {
    diags.add(block["ca_file"], "https.ca_file: cannot read " + o.caFile,
              "check the path and permissions");
    good = false;
  }
  const YAML::Node pins = block["pinned_keys"];
  for (std::size_t i = 0; i < o.pinnedKeys.size(); ++i) {
    if (auto ok = checkPinnedKey(o.pinnedKeys[i]); !ok) {
      diags.add(pins && pins.IsSequence() && i < pins.size() ? pins[i] : pins,
                "https.pinned_keys: " + ok.error().message(),
                "openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst "
                "-sha256 -binary | base64");
      good = false;
    }
  }
  if (o.retryMin > o.retryMax) {
    diags.add(block["retry_min"], "https.retry_min must not exceed https.retry_max");
    good = false;
  }
  return good;
}

HttpClientOptions clientOptions(const HttpsOptions& o, const std::string& edgeId,
                                std::optional<ProxySettings> proxy,
                                std::shared_ptr<ResolverChain> resolver) {
  HttpClientOptions c;
  c.edgeId = edgeId;
  c.caFile = o.caFile;
  c.pinnedKeys = o.pinnedKeys;
  c.connectTimeout = o.connectTimeout;
  c.timeout = o.timeout;
  c.retries = o.retries;
  c.retryMin = o.retryMin;
  c.retryMax = o.retryMax;
  c.maxResponse = o.maxResponse.bytes;
  c.proxy = std::move(proxy);
  c.resolver = std::move(resolver);
  return c;
}

}  // namespace spindle::net::http
