#pragma once
/// Options of the management page (`web.management:` in spindle.yaml): its own listener beside
/// the MTConnect interface, TLS, the first admin password and the session timeouts.

#include <string>

#include "base/units.hpp"
#include "config/option_table.hpp"

namespace spindle::web::management {

struct ManagementOptions {
  bool enabled = true;
  /// All interfaces: plant staff reach the page from the plant network.
  std::string bind = "0.0.0.0";
  config::Port port{8080};
  /// Serve HTTPS: with `certificate` and `key`, or else a self-signed certificate made on the
  /// first start in the data directory.
  bool tls = false;
  std::string certificate;  ///< PEM chain file; "" with tls: self-signed
  std::string key;          ///< PEM private key file
  /// A file holding the first admin password (read at start while no account exists); "":
  /// the page asks for it, with the setup code the edge writes to its data directory.
  std::string adminPasswordFile;
  Duration sessionIdle = std::chrono::minutes(30);
  Duration sessionMax = std::chrono::hours(12);
  /// /metrics asks for a session or Basic credentials (else it is open, as exporters are).
  bool metricsAuth = false;
  std::uint64_t maxConnections = 64;
  /// Live-update streams open at once; more are refused (503) until one ends.
  std::uint64_t maxEventClients = 32;
  /// What one live-update stream may have waiting to be sent; a browser that falls further
  /// behind is dropped (it reconnects by itself).
  ByteSize eventQueue{256 * 1024};
};

const config::OptionTable<ManagementOptions>& optionTable();

/// Checks values beyond their types; adds diagnostics at `block` (the `management:` map).
bool validate(const ManagementOptions& options, const YAML::Node& block,
              config::Diagnostics& diags);

}  // namespace spindle::web::management
