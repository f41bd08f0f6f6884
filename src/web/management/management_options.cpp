#include "web/management/management_options.hpp"

#include "web/web_options.hpp"

namespace spindle::web::management {

const config::OptionTable<ManagementOptions>& optionTable() {
  static const auto table = [] {
    config::OptionTable<ManagementOptions> t;
    t.optional("enabled", &ManagementOptions::enabled, "true", "serve the management page");
    t.optional("bind", &ManagementOptions::bind, "0.0.0.0",
               "address to listen on; 0.0.0.0 = every interface. Give the plant-side address "
               "on an edge with a WAN port");
    t.optional("port", &ManagementOptions::port, "8080", "TCP port of the management page");
    t.optional("tls", &ManagementOptions::tls, "false",
               "serve HTTPS: with certificate and key, or a self-signed certificate made on the "
               "first start in the data directory (its fingerprint is logged)");
    t.optional("certificate", &ManagementOptions::certificate, "none",
               "PEM certificate chain for HTTPS (with key)");
    t.optional("key", &ManagementOptions::key, "none", "PEM private key of the certificate");
    t.optional("admin_password_file", &ManagementOptions::adminPasswordFile, "none",
               "file holding the first admin password, read at start while no account exists; "
               "without it the page asks, with the setup code in "
               "<data_dir>/management-setup-code");
    t.optional("session_idle", &ManagementOptions::sessionIdle, "30m",
               "a login unused this long ends", {"1m", "7d"});
    t.optional("session_max", &ManagementOptions::sessionMax, "12h",
               "a login ends this long after it began, however busy", {"5m", "30d"});
    t.optional("metrics_auth", &ManagementOptions::metricsAuth, "false",
               "/metrics takes a login or HTTP Basic credentials of an account");
    t.optional("max_connections", &ManagementOptions::maxConnections, "64",
               "connections open at once", {"4", "10000"});
    t.optional("max_event_clients", &ManagementOptions::maxEventClients, "32",
               "live-update streams open at once (each browser tab holds one)", {"1", "10000"});
    t.optional("event_queue", &ManagementOptions::eventQueue, "256KiB",
               "what one live-update stream may have waiting; a browser further behind is "
               "dropped and reconnects",
               {"16KiB", "64MiB"});
    return t;
  }();
  return table;
}

bool validate(const ManagementOptions& o, const YAML::Node& block, config::Diagnostics& diags) {
  bool good = checkBind(o.bind, block, diags);
  if (o.certificate.empty() != o.key.empty()) {
    diags.add(block, "certificate and key go together: give both, or neither",
              "neither, with tls: true, makes a self-signed certificate");
    good = false;
  }
  if (!o.certificate.empty() && !o.tls) {
    diags.add(block["certificate"], "certificate is set but tls is false",
              "set tls: true to serve HTTPS with it");
    good = false;
  }
  if (o.sessionIdle > o.sessionMax) {
    diags.add(block["session_idle"], "session_idle is longer than session_max");
    good = false;
  }
  return good;
}

}  // namespace spindle::web::management
