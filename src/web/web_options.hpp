#pragma once
/// Options of the web server (the `web:` section of spindle.yaml). The server carries the
/// MTConnect agent interface over every machine; the management pages join it later.

#include <string>

#include "base/units.hpp"
#include "config/option_table.hpp"

namespace spindle::web {

struct WebOptions {
  bool enabled = true;
  /// All interfaces: the MTConnect interface exists for clients on the plant network. Set the
  /// plant-side address on an edge that also has a WAN-side interface.
  std::string bind = "0.0.0.0";
  config::Port port{5000};  ///< the MTConnect agent default port
  std::string sender;       ///< Header sender; empty: the edge id given to Server::start
  /// The MTConnect version of every document (mtconnect/schema_version.hpp lists those served).
  std::string schemaVersion = "2.2";
  std::uint64_t maxConnections = 64;
  std::uint64_t maxCount = 10000;                        ///< largest `count` a client may ask for
  Duration minInterval = std::chrono::milliseconds(10);  ///< fastest streaming interval
  Duration defaultHeartbeat = std::chrono::seconds(10);
  /// Memory for the MTConnect buffer of recent observations (/sample, /current?at=): 2 MiB
  /// hold about 160,000 observations of typical machine data (packed, 13 bytes each, measured
  /// in observation_index_test.cpp), more than the reference agent's default 131,072 and half
  /// an hour of the three-machine demo. The largest fixed part of the edge's memory.
  ByteSize bufferMemory{2ULL << 20};
  /// Leave out of the buffer a value that repeats its item's latest (docs/mtconnect-interface.md).
  bool filterDuplicates = true;
  std::uint64_t assetBufferSize = 1024;               ///< assets kept for /assets
  Duration idleTimeout = std::chrono::seconds(60);    ///< an idle keep-alive connection closes
  Duration headerTimeout = std::chrono::seconds(10);  ///< a request head must arrive in this
  std::uint64_t maxConnectionsPerClient = 16;         ///< open connections per remote address
};

const config::OptionTable<WebOptions>& webOptionTable();

/// Checks that `bind` is an IP address (a listener's address; a diagnostic at block["bind"]).
bool checkBind(const std::string& bind, const YAML::Node& block, config::Diagnostics& diags);

/// Checks values beyond their types; adds diagnostics at `block`.
bool validate(const WebOptions& options, const YAML::Node& block, config::Diagnostics& diags);

}  // namespace spindle::web
