#include "web/web_options.hpp"

#include <boost/asio/ip/address.hpp>

#include "web/mtconnect/schema_version.hpp"

namespace spindle::web {

const config::OptionTable<WebOptions>& webOptionTable() {
  static const auto table = [] {
    config::OptionTable<WebOptions> t;
    t.optional("enabled", &WebOptions::enabled, "true",
               "serve the MTConnect agent interface (and later the management pages)");
    t.optional("bind", &WebOptions::bind, "0.0.0.0",
               "address to listen on; 0.0.0.0 = every interface, so MTConnect clients on the "
               "plant network reach it. Give the plant-side address on an edge with a WAN port");
    t.optional("port", &WebOptions::port, "5000",
               "TCP port (5000 is where MTConnect clients look for an agent)");
    t.optional("sender", &WebOptions::sender, "the edge id", "Header sender of every document");
    t.optional("schema_version", &WebOptions::schemaVersion, "2.2",
               "MTConnect version of every document: 1.5, 1.7, 2.0 or 2.2 (what a version "
               "does not define is adapted or left out, so documents stay valid)");
    t.optional("max_connections", &WebOptions::maxConnections, "64",
               "connections open at once; when full, a new client evicts the connection that "
               "has waited longest for a request, or is refused when all are working",
               {"1", "100000"});
    t.optional("max_connections_per_client", &WebOptions::maxConnectionsPerClient, "16",
               "connections one remote address may hold open", {"1", "100000"});
    t.optional("max_count", &WebOptions::maxCount, "10000",
               "largest 'count' a /sample request may ask for", {"1", "1000000"});
    t.optional("min_interval", &WebOptions::minInterval, "10ms",
               "fastest streaming 'interval' granted (smaller requests get this)", {"1ms", ""});
    t.optional("heartbeat", &WebOptions::defaultHeartbeat, "10s",
               "streaming heartbeat when a client gives none", {"1ms", ""});
    t.optional("buffer_memory", &WebOptions::bufferMemory, "2MiB",
               "memory for the MTConnect buffer of recent observations that /sample reads; the "
               "oldest go first. Packed, about 13 bytes per observation: 2MiB hold about "
               "160,000 observations (the reference agent's default buffer holds 131,072), "
               "half an hour of the three-machine demo",
               {"1MiB", "16GiB"});
    t.optional("filter_duplicates", &WebOptions::filterDuplicates, "true",
               "leave out of the buffer a sample, event or condition that repeats its item's "
               "latest value (as MTConnect agents do): /sample shows changes only, and the "
               "buffer holds more history");
    t.optional("asset_buffer_size", &WebOptions::assetBufferSize, "1024",
               "assets kept for /assets (oldest dropped first)", {"1", "1000000"});
    t.optional("idle_timeout", &WebOptions::idleTimeout, "60s",
               "close a keep-alive connection idle this long", {"1s", ""});
    t.optional("header_timeout", &WebOptions::headerTimeout, "10s",
               "a request's head must arrive within this time (from the connection's start, or "
               "from the first byte of a later request): slow clients are closed",
               {"1ms", ""});
    return t;
  }();
  return table;
}

bool checkBind(const std::string& bind, const YAML::Node& block, config::Diagnostics& diags) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(bind, ec);
  if (!ec) return true;
  diags.add(block["bind"], "bind must be an IP address, not '" + bind + "'",
            "0.0.0.0 for every interface, or the plant-side address");
  return false;
}

bool validate(const WebOptions& o, const YAML::Node& block, config::Diagnostics& diags) {
  bool good = checkBind(o.bind, block, diags);
  if (!mtconnect::parseSchemaVersion(o.schemaVersion)) {
    diags.add(block["schema_version"],
              "schema_version must be one of " + std::string(mtconnect::servedSchemaVersions()) +
                  ", not '" + o.schemaVersion + "'",
              "2.2 unless a client needs an older version");
    good = false;
  }
  if (o.maxConnections < 1 || o.maxCount < 1 || o.assetBufferSize < 1 ||
      o.maxConnectionsPerClient < 1) {
    diags.add(block,
              "max_connections, max_connections_per_client, max_count and asset_buffer_size "
              "must be at least 1");
    good = false;
  }
  if (o.minInterval.count() <= 0 || o.defaultHeartbeat.count() <= 0 ||
      o.headerTimeout.count() <= 0 || o.idleTimeout.count() <= 0) {
    diags.add(block, "min_interval, heartbeat, header_timeout and idle_timeout must be positive");
    good = false;
  }
  return good;
}

}  // namespace spindle::web
