#include "collectors/opcua/opcua_options.hpp"

#include <filesystem>
#include <fstream>

#include "collectors/connection_options.hpp"
#include "collectors/input_limit_options.hpp"
#include "collectors/opcua/opcua_tags.hpp"
#include "opcua/endpoint_url.hpp"

namespace spindle::collectors::opcua {

namespace {

const std::vector<std::string> kPolicies{"best", "None", "Basic256Sha256", "Aes128_Sha256_RsaOaep",
                                         "Aes256_Sha256_RsaPss"};

/// An alias as path prefixes write it (opcua_tags.hpp).
bool aliasName(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

}  // namespace

const config::OptionTable<OpcuaOptions>& optionTable() {
  static const auto table = [] {
    using O = OpcuaOptions;
    config::OptionTable<O> t;
    t.optional("endpoint", &O::endpoint, "",
               "the server's endpoint URL, e.g. opc.tcp://10.0.0.5:4840 (instead of host, port "
               "and path)");
    addConnectionOptions(t, {.defaultPort = kDefaultPort,
                             .portHelp = "OPC UA port (4840; Fanuc robots 4880, Kepware 49320, "
                                         "Bystronic 56000)",
                             .hostHelp = "address of the OPC UA server, e.g. host: 10.0.0.5",
                             .hostRequired = false,
                             .readTimeoutDefault = "10s"});
    t.optional("path", &O::path, "", "the endpoint URL's path, e.g. /UA/Server");
    t.choice("security_policy", &O::securityPolicy, kPolicies, "best",
             "the endpoint's security policy; best: the most secure the server offers");
    t.choice("security_mode", &O::securityMode, {"none", "sign", "sign_and_encrypt"},
             "sign_and_encrypt", "the endpoint's message security mode (ignored with best)");
    t.optional("user", &O::user, "", "user name of the session; empty: anonymous");
    t.optional("password_file", &O::passwordFile, "",
               "file whose first line is the user's password (never in this file, never "
               "logged)");
    t.optional("pki", &O::pki, "<data_dir>/opcua-pki",
               "certificate folder: own/ (Spindle's certificate), trusted/, issuers/, rejected/");
    t.optional("trust_on_first_use", &O::trustOnFirstUse, "false",
               "trust the server's certificate the first time it is seen (commissioning; "
               "recorded in trusted/trust-on-first-use.log)");
    t.optional("namespaces", &O::namespaces, "{}",
               "aliases of namespace URIs for browse paths, e.g. cnc: http://vendor.com/CNC/");
    t.optional("subscribe", &O::subscribe, "true",
               "collect with a subscription (false: read every node each poll_interval, for "
               "servers whose subscriptions misbehave)");
    t.optional("publishing_interval", &O::publishingInterval, "500ms",
               "how often the server sends what changed", {"10ms", "1h"});
    t.optional("sampling_interval", &O::samplingInterval, "0s",
               "how often the server samples each node; 0s: the publishing interval", {"0s", "1h"});
    t.optional("queue_size", &O::queueSize, "10",
               "changes the server keeps per node between two publishes (each arrives with its "
               "timestamp)",
               {"1", "10000"});
    t.optional("deadband", &O::deadband, "0",
               "numeric nodes: report a change only when it exceeds this (absolute); 0: every "
               "change",
               {"0", ""});
    t.optional("deadband_percent", &O::deadbandPercent, "0",
               "numeric nodes with an EURange: report a change only when it exceeds this "
               "percentage of the range",
               {"0", "100"});
    t.optional("keepalive_count", &O::keepaliveCount, "10",
               "publishing intervals without a change before the server sends a keep-alive",
               {"1", "1000"});
    t.optional("publish_requests", &O::publishRequests, "3",
               "Publish requests kept waiting at the server", {"1", "20"});
    t.optional("poll_interval", &O::pollInterval, "1s", "subscribe: false: how often to read",
               {"10ms", "1h"});
    t.optional("max_nodes_per_request", &O::maxNodesPerRequest, "500",
               "nodes per Read, CreateMonitoredItems or TranslateBrowsePaths request",
               {"1", "10000"});
    t.optional("session_timeout", &O::sessionTimeout, "60s",
               "how long the server keeps the session when the connection is lost (it may "
               "revise it)",
               {"1s", "1h"});
    t.choice("timestamps", &O::timestamps, {"source", "server", "arrival"}, "source",
             "the time an observation carries: the value's source timestamp (else the "
             "server's), the server's, or its arrival at the edge");
    addInputLimitOptions(t);
    return t;
  }();
  return table;
}

bool validate(OpcuaOptions& o, const YAML::Node& block, config::Diagnostics& diags) {
  bool good = true;
  if (!o.endpoint.empty()) {
    if (block["host"] || block["port"] || block["path"]) {
      diags.add(block["endpoint"], "endpoint and host/port/path both given", "keep one");
      good = false;
    }
    auto url = spindle::opcua::parseEndpointUrl(o.endpoint);
    if (!url) {
      diags.add(block["endpoint"], url.error().message(), "e.g. opc.tcp://10.0.0.5:4840");
      good = false;
    } else {
      o.host = url->host;
      o.port.value = url->port;
      o.path = url->path;
    }
  } else if (o.host.empty()) {
    diags.add(block, "the server is not named", "give endpoint: opc.tcp://host:4840 or host");
    good = false;
  }
  if (!o.path.empty() && o.path[0] != '/') o.path = "/" + o.path;
  if (o.securityPolicy == "None" && o.securityMode != "none" && block["security_mode"]) {
    diags.add(block["security_mode"], "security_policy None has no " + o.securityMode,
              "security_mode: none");
    good = false;
  }
  if (o.securityPolicy != "None" && o.securityPolicy != "best" && o.securityMode == "none") {
    diags.add(block["security_mode"], "security_mode none needs security_policy None",
              "security_mode: sign or sign_and_encrypt");
    good = false;
  }
  if (!o.user.empty() && o.passwordFile.empty()) {
    diags.add(block["user"], "user '" + o.user + "' needs password_file",
              "a file whose first line is the password");
    good = false;
  }
  if (o.user.empty() && !o.passwordFile.empty()) {
    diags.add(block["password_file"], "password_file without user", "add user: <name>");
    good = false;
  }
  for (const auto& [alias, uri] : o.namespaces) {
    if (!aliasName(alias) || uri.empty()) {
      diags.add(block["namespaces"], "namespace alias '" + alias + "' is not valid",
                "a name ([A-Za-z_][A-Za-z0-9_-]*) and its URI, e.g. cnc: http://vendor.com/CNC/");
      good = false;
    }
  }
  if (o.deadband > 0 && o.deadbandPercent > 0) {
    diags.add(block["deadband_percent"], "deadband and deadband_percent both given", "keep one");
    good = false;
  }
  if (!validateInputLimits(o, block, diags)) good = false;
  if (!validateConnection(o, block, diags, "the server's address, e.g. 10.0.0.5")) good = false;
  return good;
}

std::string endpointUrl(const OpcuaOptions& o) {
  const bool v6 = o.host.find(':') != std::string::npos;
  return "opc.tcp://" + (v6 ? "[" + o.host + "]" : o.host) + ":" + std::to_string(o.port.value) +
         o.path;
}

spindle::opcua::SecurityMode securityModeOf(const OpcuaOptions& o) {
  using spindle::opcua::SecurityMode;
  if (o.securityPolicy == "None" || o.securityMode == "none") return SecurityMode::kNone;
  return o.securityMode == "sign" ? SecurityMode::kSign : SecurityMode::kSignAndEncrypt;
}

TimestampSource timestampSourceOf(const OpcuaOptions& o) {
  if (o.timestamps == "server") return TimestampSource::kServer;
  if (o.timestamps == "arrival") return TimestampSource::kArrival;
  return TimestampSource::kSource;
}

std::string pkiDirectory(const OpcuaOptions& o, const std::string& dataDir) {
  if (o.pki.empty()) return (std::filesystem::path(dataDir) / "opcua-pki").string();
  const std::filesystem::path p(o.pki);
  return p.is_absolute() ? p.string() : (std::filesystem::path(dataDir) / p).string();
}

Result<std::string> readPasswordFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error(ErrorCode::kNotFound, "cannot read the password file '" + path + "'");
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) {
    return Error(ErrorCode::kInvalidArgument, "the password file '" + path + "' is empty");
  }
  return line;
}

}  // namespace spindle::collectors::opcua
