#pragma once
/// Options of the mtconnect_agent collector (the machine block in spindle.yaml).

#include <string>

#include "base/units.hpp"
#include "collectors/input_guard.hpp"
#include "collectors/mtconnect_agent/mtconnect_codec.hpp"
#include "collectors/mtconnect_agent/mtconnect_session.hpp"
#include "config/option_table.hpp"

namespace spindle::collectors::mtconnect_agent {

/// The port of the agent built into Haas NGC controls.
constexpr std::uint16_t kHaasNgcPort = 8082;
/// The reference agent's default port (requirement sheet: MTConnect agent 5000).
constexpr std::uint16_t kDefaultPort = 5000;

struct MtconnectAgentOptions {
  std::string url;  ///< "http://[user:password@]host[:port][/prefix]"; alternative to host/port
  std::string host;
  config::Port port{kDefaultPort};
  std::string vendor = "generic";  ///< generic | haas_ngc (port 8082 unless given)
  std::string device;              ///< name or uuid; empty: the agent's only device
  std::string format = "xml";      ///< xml | json (JSON version 2)
  std::string mode = "stream";     ///< stream | poll
  std::string key = "id";          ///< id | name: what becomes the item key
  Duration interval = std::chrono::milliseconds(100);
  Duration heartbeat = std::chrono::seconds(10);
  std::int64_t count = 1000;
  Duration pollInterval = std::chrono::seconds(1);
  Duration connectTimeout = std::chrono::seconds(5);
  Duration requestTimeout = std::chrono::seconds(10);
  Duration reconnectMin = std::chrono::milliseconds(500);
  Duration reconnectMax = std::chrono::seconds(30);
  bool ignoreTimestamps = false;
  ByteSize maxDocument{16 << 20};
  std::uint64_t maxItems = InputLimits{}.maxItems;
  std::uint64_t maxKeys = InputLimits{}.maxKeys;
  std::uint64_t maxConditions = InputLimits{}.maxConditions;
  std::uint64_t maxAssets = InputLimits{}.maxAssets;
  ByteSize maxAssetSize = InputLimits{}.maxAssetSize;
  ByteSize maxValueSize = InputLimits{}.maxValueSize;
  std::string basePath;  ///< derived from url: "" or "/prefix"
  std::string userinfo;  ///< derived from url: "user:password" (HTTP basic auth), or ""
};

const config::OptionTable<MtconnectAgentOptions>& optionTable();

/// Checks values beyond their types, splits `url` into host, port and base path, and applies
/// the vendor's defaults. Adds diagnostics at `block` and returns false on a problem.
bool validate(MtconnectAgentOptions& options, const YAML::Node& block, config::Diagnostics& diags);

/// Splits "http://[user:password@]host[:port][/prefix]". Error for other schemes or a bad
/// port. Messages never quote the credentials.
struct ParsedUrl {
  std::string host;
  std::uint16_t port = kDefaultPort;
  bool hasPort = false;  ///< the url names a port
  std::string basePath;
  std::string userinfo;  ///< "user:password" before '@', percent-decoded; "" when none
};
Result<ParsedUrl> parseUrl(const std::string& url);

SessionOptions sessionOptions(const MtconnectAgentOptions& options,
                              ResolveFn resolve = systemResolve);
DecoderOptions decoderOptions(const MtconnectAgentOptions& options);

}  // namespace spindle::collectors::mtconnect_agent
