#pragma once
/// Options of the opcua collector (the machine block in spindle.yaml). What to read comes from
/// the machine's script (`tags`: node ids or browse paths, opcua_tags.hpp); this block says
/// where the server is, how to secure and authenticate the session, and how to collect
/// (subscription or polling). docs/collectors/opcua.md.

#include <cstdint>
#include <map>
#include <string>

#include "base/units.hpp"
#include "collectors/input_guard.hpp"
#include "collectors/opcua/opcua_codec.hpp"
#include "config/option_table.hpp"
#include "opcua/security_policy.hpp"

namespace spindle::collectors::opcua {

/// The OPC UA port (requirement sheet: Siemens 4840; Fanuc robots 4880, Kepware 49320,
/// Bystronic 56000 are set with `port` or `endpoint`).
constexpr std::uint16_t kDefaultPort = 4840;

struct OpcuaOptions {
  std::string endpoint;  ///< "opc.tcp://host[:port][/path]"; alternative to host/port/path
  std::string host;
  config::Port port{kDefaultPort};
  std::string path;  ///< the endpoint's path, e.g. "/UA/Server"; derived from endpoint
  Duration connectTimeout = std::chrono::seconds(5);
  Duration readTimeout = std::chrono::seconds(10);  ///< per service request
  Duration reconnectMin = std::chrono::milliseconds(500);
  Duration reconnectMax = std::chrono::seconds(30);
  std::string securityPolicy = "best";  ///< best | None | Basic256Sha256 | Aes128_... | Aes256_...
  std::string securityMode = "sign_and_encrypt";  ///< none | sign | sign_and_encrypt
  std::string user;                               ///< empty: anonymous
  std::string passwordFile;                       ///< first line is the password
  std::string pki;  ///< "" = <data_dir>/opcua-pki; relative = under data_dir
  bool trustOnFirstUse = false;
  std::map<std::string, std::string> namespaces;  ///< alias -> namespace URI, for browse paths
  bool subscribe = true;                          ///< false: poll with Read
  Duration publishingInterval = std::chrono::milliseconds(500);
  Duration samplingInterval = Duration::zero();  ///< 0: the publishing interval
  std::int64_t queueSize = 10;
  double deadband = 0;         ///< absolute, numeric nodes; 0: every change
  double deadbandPercent = 0;  ///< of the node's EURange; 0: none
  std::int64_t keepaliveCount = 10;
  std::int64_t publishRequests = 3;
  Duration pollInterval = std::chrono::seconds(1);
  std::int64_t maxNodesPerRequest = 500;
  Duration sessionTimeout = std::chrono::seconds(60);
  std::string timestamps = "source";  ///< source | server | arrival
  std::uint64_t maxItems = InputLimits{}.maxItems;
  std::uint64_t maxKeys = InputLimits{}.maxKeys;
  std::uint64_t maxConditions = InputLimits{}.maxConditions;
  std::uint64_t maxAssets = InputLimits{}.maxAssets;
  ByteSize maxAssetSize = InputLimits{}.maxAssetSize;
  ByteSize maxValueSize = InputLimits{}.maxValueSize;
};

const config::OptionTable<OpcuaOptions>& optionTable();

/// Checks values beyond their types, and splits `endpoint` into host, port and path (or
/// checks host). Adds diagnostics at `block`; false on a problem.
bool validate(OpcuaOptions& options, const YAML::Node& block, config::Diagnostics& diags);

/// "opc.tcp://host:port/path" of the options (the URL sent in Hello and CreateSession).
std::string endpointUrl(const OpcuaOptions& options);
spindle::opcua::SecurityMode securityModeOf(const OpcuaOptions& options);
TimestampSource timestampSourceOf(const OpcuaOptions& options);
/// The PKI folder: `pki` resolved against the data directory.
std::string pkiDirectory(const OpcuaOptions& options, const std::string& dataDir);
/// The password: the first line of `password_file` (a trailing \r dropped). The error names
/// the file, never its content.
Result<std::string> readPasswordFile(const std::string& path);

}  // namespace spindle::collectors::opcua
