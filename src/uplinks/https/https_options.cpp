#include "uplinks/https/https_options.hpp"

#include "base/redact.hpp"
#include "net/http/http_url.hpp"

namespace spindle::uplinks::https {

const config::OptionTable<HttpsUplinkOptions>& optionTable() {
  static const auto table = [] {
    config::OptionTable<HttpsUplinkOptions> t;
    t.optional("url", &HttpsUplinkOptions::url, "<https.api>/v1/edges/{edge}/data",
               "where batches are POSTed, https:// only; {edge} is replaced by the edge id");
    t.optional("key_file", &HttpsUplinkOptions::keyFile, kDefaultKeyFile,
               "the edge's Ed25519 key (PEM, written by spindle provision) that signs each "
               "request; relative to the data directory");
    t.optional("max_in_flight", &HttpsUplinkOptions::maxInFlight, "8",
               "requests sent and not yet answered, at most", {"1", "256"});
    t.optional("max_in_flight_bytes", &HttpsUplinkOptions::maxInFlightBytes, "64MiB",
               "body bytes sent and not yet answered, at most", {"64KiB", ""});
    t.optional("max_batch", &HttpsUplinkOptions::maxBatch, "5000",
               "observations per request at most; larger journal records are split",
               {"1", "100000"});
    t.optional("compress_above", &HttpsUplinkOptions::compressAbove, "4KiB",
               "bodies larger than this are zstd-compressed; 0 never compresses", {"0B", ""});
    t.optional("compression_level", &HttpsUplinkOptions::compressionLevel, "1", "zstd level, 1-19",
               {"1", "19"});
    t.optional("timeout", &HttpsUplinkOptions::timeout, "30s",
               "limit for one attempt of one request, connection to last byte", {"1s", "1h"});
    t.optional("backlog_rate", &HttpsUplinkOptions::backlogRate, "50000",
               "observations per second sent from the backlog (data older than live_window) "
               "beside live data; 0 sends the backlog as fast as the window allows",
               {"0", ""});
    t.optional("live_window", &HttpsUplinkOptions::liveWindow, "20000",
               "observations behind the newest that still count as live", {"0", ""});
    return t;
  }();
  return table;
}

bool validate(const HttpsUplinkOptions& o, const YAML::Node& block, config::Diagnostics& diags) {
  if (o.url.empty()) return true;
  auto url = net::http::parseUrl(o.url);
  if (!url) {
    diags.add(block["url"], "uplinks.https.url: " + url.error().message(),
              "e.g. https://api.example.com/v1/edges/{edge}/data");
    return false;
  }
  if (url->scheme != "https") {
    diags.add(block["url"], "uplinks.https.url must be an https:// URL, not " + url->scheme + "://",
              "the edge sends data only over TLS");
    return false;
  }
  if (hasUrlCredentials(o.url)) {
    diags.add(block["url"], "uplinks.https.url must not carry credentials",
              "requests are signed with the edge's key (key_file)");
    return false;
  }
  return true;
}

Result<std::string> dataUrl(const HttpsUplinkOptions& options, const std::string& api,
                            const std::string& edgeId) {
  std::string url = options.url;
  if (url.empty()) {
    if (api.empty()) {
      return Error(ErrorCode::kInvalidArgument, "the HTTPS uplink has no destination")
          .with("set uplinks.https.url, or https.api (spindle provision writes it)");
    }
    url = api;
    while (!url.empty() && url.back() == '/') url.pop_back();
    url += "/v1/edges/{edge}/data";
  }
  for (auto at = url.find("{edge}"); at != std::string::npos; at = url.find("{edge}", at)) {
    url.replace(at, 6, edgeId);
    at += edgeId.size();
  }
  return url;
}

}  // namespace spindle::uplinks::https
