#include "app/netcheck_targets.hpp"

#include <algorithm>
#include <any>
#include <optional>

#include "transform/store/store_options.hpp"
#include "uplinks/registry.hpp"
#include "upload/s3_session.hpp"
#include "upload/upload_options.hpp"

namespace spindle::app {
namespace {

using netcheck::HttpTarget;
using netcheck::HttpTargetRole;

std::string withoutTrailingSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

/// The rows of the uplinks that reach HTTPS endpoints (each type says which: its `endpoints`).
std::vector<HttpTarget> uplinkTargets(const SpindleConfig& config) {
  std::vector<HttpTarget> out;
  for (const auto& entry : config.uplinks) {
    const auto* type = uplinks::builtinUplinks().find(entry.name);
    if (type == nullptr || !type->endpoints) continue;
    for (auto& e : type->endpoints(entry.options, config.https.api, config.edge.id)) {
      out.push_back({HttpTargetRole::kUplink, std::move(e.setting), std::move(e.url),
                     std::move(e.what), std::move(e.problem)});
    }
  }
  return out;
}

/// The uploads bucket: a HeadBucket, signed when the edge's credentials can be read (an
/// unreadable secret file is a configuration problem `spindle validate` reports).
HttpTarget uploadsTarget(const upload::UploadOptions& options) {
  HttpTarget t{HttpTargetRole::kUploads, "uploads.endpoint", "",
               "the uploads bucket (uploads.endpoint, uploads.bucket) answers", ""};
  upload::S3Target target{options.endpoint, options.bucket, {}};
  if (!options.accessKeyId.empty()) {
    if (auto credentials = upload::loadCredentials(options)) {
      target.credentials = std::move(*credentials);
      t.signedRequest = true;
    }
  }
  auto request = upload::headBucketRequest(target);
  if (!request) {
    t.problem = request.error().describe();
    return t;
  }
  t.url = request->url;
  if (t.signedRequest) t.headers = std::move(request->headers);
  return t;
}

}  // namespace

std::vector<HttpTarget> configuredHttpTargets(const SpindleConfig& config) {
  std::vector<HttpTarget> out;
  const auto add = [&out](HttpTarget t) {
    const bool seen = !t.url.empty() && std::any_of(out.begin(), out.end(),
                                                    [&t](const auto& o) { return o.url == t.url; });
    if (!seen) out.push_back(std::move(t));
  };
  if (!config.https.api.empty()) {
    add({HttpTargetRole::kApi, "https.api", withoutTrailingSlash(config.https.api) + "/v1/ping",
         "the cloud API (https.api) answers GET /v1/ping", ""});
  }
  for (auto& uplink : uplinkTargets(config)) add(std::move(uplink));
  if (!config.crashReports.apiKeyFile.empty()) {
    add({HttpTargetRole::kCrashReports, "crash_reports.endpoint", config.crashReports.endpoint,
         "crash reports (crash_reports.endpoint) can be sent", ""});
  }
  if (config.adapterStore) {
    add({HttpTargetRole::kAdapterStore, "adapter_store.url",
         transform::store::baseUrl(*config.adapterStore) + "index.json",
         "the adapter store (adapter_store.url) serves index.json", ""});
  }
  if (config.uploads && !config.uploads->endpoint.empty()) add(uploadsTarget(*config.uploads));
  return out;
}

void addConfiguredEndpoints(const SpindleConfig& config, netcheck::NetcheckRequest& request) {
  request.httpTargets = configuredHttpTargets(config);
  request.httpClient =
      net::http::clientOptions(config.https, config.edge.id, std::nullopt, nullptr);
}

}  // namespace spindle::app
