#pragma once
/// Options of the HTTPS uplink (the `uplinks: https:` section of spindle.yaml): where batches
/// are POSTed, how each request is signed, and how data is batched, encoded and paced. TLS,
/// proxy, DNS, timeouts of connections and retries are the edge's HTTP client's (`https:`).

#include <string>

#include "base/time.hpp"
#include "base/units.hpp"
#include "config/option_table.hpp"

namespace spindle::uplinks::https {

struct HttpsUplinkOptions {
  /// Where batches are POSTed; "" = `<https.api>/v1/edges/<edge id>/data`. `{edge}` in it is
  /// replaced by the edge id.
  std::string url;
  /// The edge's Ed25519 key (from `spindle provision`) that signs each request; relative to
  /// the data directory. The default's absence sends requests unsigned (with a warning).
  std::string keyFile = "edge-key.pem";
  int maxInFlight = 8;                          ///< requests sent and not answered, at most
  ByteSize maxInFlightBytes{64ULL << 20};       ///< body bytes sent and not answered, at most
  int maxBatch = 5000;                          ///< observations per request at most
  ByteSize compressAbove{4096};                 ///< zstd-compress larger bodies; 0 never
  int compressionLevel = 1;                     ///< zstd level 1-19
  Duration timeout = std::chrono::seconds(30);  ///< one attempt of one request
  double backlogRate = 50000;                   ///< backlog observations/s at most; 0 = no cap
  std::uint64_t liveWindow = 20000;  ///< observations behind the head still treated as live
};

inline constexpr const char* kDefaultKeyFile = "edge-key.pem";

const config::OptionTable<HttpsUplinkOptions>& optionTable();

/// Checks beyond types: `url` is https:// without credentials. Diagnostics at `block`.
bool validate(const HttpsUplinkOptions& options, const YAML::Node& block,
              config::Diagnostics& diags);

/// The URL requests go to: `url` with {edge} replaced, or the API's data path. An error when
/// neither `url` nor `https.api` is set.
Result<std::string> dataUrl(const HttpsUplinkOptions& options, const std::string& api,
                            const std::string& edgeId);

}  // namespace spindle::uplinks::https
