#pragma once
/// What netcheck checks of this edge's own configuration beyond the requirements sheet: the
/// HTTPS endpoints the configuration makes the edge reach, through the edge's HTTP client as
/// it is configured. The one place `spindle netcheck --config`, the management page and remote
/// diagnostics take them from, so the three check the same endpoints.

#include <vector>

#include "app/spindle_config.hpp"
#include "net/http/http_client.hpp"
#include "netcheck/http_target.hpp"
#include "netcheck/netcheck.hpp"

namespace spindle::app {

/// The endpoints `config` uses, in this order, each URL once:
/// - `https.api`, when set: GET `<api>/v1/ping` (docs/cloud-protocol.md "Ping");
/// - the HTTPS uplink, when `uplinks: https:` runs: HEAD on its data URL as the uplink makes
///   it (uplinks::https::dataUrl: `uplinks.https.url` with `{edge}` replaced, else
///   `<https.api>/v1/edges/<edge id>/data`; without either, a target whose `problem` says so);
/// - `crash_reports.endpoint`, when `crash_reports.api_key_file` is set: HEAD;
/// - the adapter store, when `adapter_store:` is set: GET `<url>/index.json`.
std::vector<netcheck::HttpTarget> configuredHttpTargets(const SpindleConfig& config);

/// Adds the configuration's endpoints to `request` (configuredHttpTargets) with the client
/// options the edge's client has (`https:` trust, pins and timeouts, the edge id); netcheck
/// sets the proxy (`request.proxy`) and the DNS chain itself.
void addConfiguredEndpoints(const SpindleConfig& config, netcheck::NetcheckRequest& request);

}  // namespace spindle::app
