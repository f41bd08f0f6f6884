#include "app/netcheck_targets.hpp"

#include <algorithm>
#include <any>
#include <optional>

#include "transform/store/store_options.hpp"
#ifdef SPINDLE_UPLINK_HTTPS_BUILT
#include "uplinks/https/https_options.hpp"
#endif

namespace spindle::app {
namespace {

using netcheck::HttpTarget;
using netcheck::HttpTargetRole;

std::string withoutTrailingSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

/// The HTTPS uplink's row when `uplinks: https:` runs: its data URL as the uplink computes it.
/// Without that uplink in the build (SPINDLE_UPLINK_HTTPS off) no configuration can run it.
std::optional<HttpTarget> uplinkTarget([[maybe_unused]] const SpindleConfig& config) {
#ifdef SPINDLE_UPLINK_HTTPS_BUILT
  namespace up = uplinks::https;
  for (const auto& entry : config.uplinks) {
    if (entry.name != "https") continue;
    const auto* options = std::any_cast<up::HttpsUplinkOptions>(&entry.options);
    if (options == nullptr) continue;
    HttpTarget t{HttpTargetRole::kUplink, options->url.empty() ? "https.api" : "uplinks.https.url",
                 "", "the HTTPS uplink's data URL (uplinks.https) is reachable", ""};
    auto url = up::dataUrl(*options, config.https.api, config.edge.id);
    if (url) {
      t.url = std::move(*url);
    } else {
      t.setting = "uplinks.https.url";
      t.problem = url.error().describe();
    }
    return t;
  }
#endif
  return std::nullopt;
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
  if (auto uplink = uplinkTarget(config)) add(std::move(*uplink));
  if (!config.crashReports.apiKeyFile.empty()) {
    add({HttpTargetRole::kCrashReports, "crash_reports.endpoint", config.crashReports.endpoint,
         "crash reports (crash_reports.endpoint) can be sent", ""});
  }
  if (config.adapterStore) {
    add({HttpTargetRole::kAdapterStore, "adapter_store.url",
         transform::store::baseUrl(*config.adapterStore) + "index.json",
         "the adapter store (adapter_store.url) serves index.json", ""});
  }
  return out;
}

void addConfiguredEndpoints(const SpindleConfig& config, netcheck::NetcheckRequest& request) {
  request.httpTargets = configuredHttpTargets(config);
  request.httpClient =
      net::http::clientOptions(config.https, config.edge.id, std::nullopt, nullptr);
}

}  // namespace spindle::app
