#pragma once
/// The endpoints this edge's own configuration names (the cloud API, the HTTPS uplink, crash
/// reports, the adapter store), checked through the edge's HTTP client exactly as the edge
/// reaches them: the `https:` trust (CA file, pins), the proxy, the DNS chain. Each gives one
/// `api` row. How a configuration becomes this list: app/netcheck_targets.hpp.

#include <string>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "net/http/http_client.hpp"
#include "net/proxy.hpp"
#include "netcheck/check_result.hpp"

namespace spindle::netcheck {

/// What a configured endpoint is for: decides the request and how its answer is read.
enum class HttpTargetRole {
  kApi,           ///< https.api: GET <api>/v1/ping must answer 2xx (docs/cloud-protocol.md)
  kUplink,        ///< uplinks.https: HEAD on the data URL; any HTTP answer proves the route
  kCrashReports,  ///< crash_reports.endpoint: HEAD; any HTTP answer proves the route
  kAdapterStore,  ///< adapter_store.url: GET <url>/index.json must answer 200
  /// uploads.endpoint: HEAD /<bucket> (HeadBucket), signed when the edge has credentials:
  /// 200 passes; 404 (no bucket), a redirect or 400 (another region) fail; a 403 passes with
  /// a warning (credentials allowed to put objects only may not list the bucket).
  kUploads,
};
const char* toString(HttpTargetRole role);

struct HttpTarget {
  HttpTargetRole role = HttpTargetRole::kApi;
  /// The key a person corrects when the URL is wrong: "https.api", "uplinks.https.url", ...
  std::string setting;
  std::string url;   ///< the URL requested, path included; empty when `problem` is set
  std::string what;  ///< the requirement, for the row: "the cloud API (https.api) answers"
  /// Set when the configuration names the endpoint but no URL can be made from it (the HTTPS
  /// uplink without url and without https.api): the row fails with this as its cause.
  std::string problem;
  /// Headers sent with the request (a SigV4 signature for the uploads bucket).
  std::vector<std::pair<std::string, std::string>> headers;
  bool signedRequest = false;  ///< `headers` carry the edge's credentials
};

/// The request a role makes: "GET" or "HEAD".
const char* requestMethod(HttpTargetRole role);

/// How the request went, beside the answer: for causes and remedies.
struct HttpCheckContext {
  /// Set when the request went through this proxy (its host is not in no_proxy).
  const net::ProxySettings* proxy = nullptr;
  bool pinned = false;  ///< https.pinned_keys is set
  bool caFile = false;  ///< https.ca_file is set
  Duration timeout{0};  ///< the limit the request had
  std::string edgeId;   ///< sent as Spindle-Edge
};

/// Fills `row` (status, detail, cause, remedy, facts) from the client's answer to `target`'s
/// request: an HTTP status judged by the role, or the client's error classified (DNS,
/// connection refused or timed out, TLS trust, name or pin, proxy refusals, ...). The
/// client's own messages become the detail, its proxy refusals the cause as they are. Pure.
void judgeHttpTarget(const HttpTarget& target, const net::http::HttpResponse& response,
                     const HttpCheckContext& context, CheckResult& row);

}  // namespace spindle::netcheck
