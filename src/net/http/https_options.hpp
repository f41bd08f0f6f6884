#pragma once
/// The `https:` section of spindle.yaml: how the edge's HTTP client (net/http/http_client.hpp)
/// trusts servers, how long it waits, how often it retries, and the cloud API it talks to.
///
///   https:
///     api: https://api.example.com/v1      # the cloud API base URL ("" none)
///     ca_file: /etc/spindle/cloud-ca.pem    # private CA, beside the system store
///     pinned_keys: [sha256//BASE64...]      # optional: the server key must be one of these
///     connect_timeout: 10s
///     timeout: 60s
///     retries: 5
///     retry_min: 1s
///     retry_max: 60s
///     max_response: 16MiB

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/units.hpp"
#include "config/option_table.hpp"
#include "net/http/http_client.hpp"
#include "net/proxy.hpp"

namespace spindle::net {
class ResolverChain;
}

namespace spindle::net::http {

struct HttpsOptions {
  std::string api;
  std::string caFile;
  std::vector<std::string> pinnedKeys;
  Duration connectTimeout = std::chrono::seconds(10);
  Duration timeout = std::chrono::seconds(60);
  int retries = 5;
  Duration retryMin = std::chrono::seconds(1);
  Duration retryMax = std::chrono::seconds(60);
  ByteSize maxResponse{16u << 20};
};

const config::OptionTable<HttpsOptions>& httpsOptionTable();

/// Checks values beyond their types: `api` is an https:// URL (http:// is refused: TLS is
/// never optional) without credentials, `ca_file` can be read, each pin is "sha256//" and the
/// base64 of 32 bytes, retry_min <= retry_max. Diagnostics at `block`; false on a problem.
bool validate(const HttpsOptions& options, const YAML::Node& block, config::Diagnostics& diags);

/// One pin's form, for validate and tests: kInvalidArgument saying what is wrong.
Status checkPinnedKey(const std::string& pin);

/// The client's options from the section, the edge id, the edge's proxy (net::proxySettings)
/// and the DNS chain (null: curl resolves, tests only).
HttpClientOptions clientOptions(const HttpsOptions& options, const std::string& edgeId,
                                std::optional<ProxySettings> proxy,
                                std::shared_ptr<ResolverChain> resolver);

}  // namespace spindle::net::http
