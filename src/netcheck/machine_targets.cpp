#include "netcheck/machine_targets.hpp"

#include <map>

#include "net/server_address.hpp"

namespace spindle::netcheck {
namespace {

/// "http://10.0.0.5:5000/mill" -> host 10.0.0.5, port 5000.
bool splitUrl(const std::string& url, std::string& host, std::uint16_t& port) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  const auto end = url.find('/', start);
  const std::string authority =
      url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  auto parsed = net::parseServerAddress(authority, 0xffff);
  if (!parsed) return false;
  host = parsed->host;
  if (parsed->port != 0xffff) port = parsed->port;
  return true;
}

}  // namespace

std::uint16_t sheetPort(const std::string& type) {
  // The requirements sheet's "Edge-to-Machine Protocol Ports" table, by collector type, for
  // the protocols that are not collectors yet. A collector declares its port in its
  // registration (CollectorInfo::defaultPort: shdr 7878, mtconnect_agent 5000, modbus_tcp 502,
  // haas 4001): once one lands, its row leaves this table.
  static const std::map<std::string, std::uint16_t> ports{
      {"focas", 8193},          {"mitsubishi", 683},   {"citizen", 683},      {"haas_serial", 4001},
      {"haas_mtconnect", 8082}, {"heidenhain", 19000}, {"lsv2", 19000},       {"opcua", 4840},
      {"bystronic", 56000},     {"kepware", 49320},    {"fanuc_robot", 4880}, {"sealevel", 502}};
  auto it = ports.find(type);
  return it == ports.end() ? 0 : it->second;
}

Result<std::vector<MachineTarget>> machineTargets(const YAML::Node& root,
                                                  const ResolvedPort& resolvedPort) {
  std::vector<MachineTarget> out;
  const YAML::Node machines = root["machines"];
  if (!machines) return out;
  if (!machines.IsSequence()) {
    return Error(ErrorCode::kInvalidArgument, "'machines' must be a list");
  }
  for (const auto& block : machines) {
    if (!block.IsMap()) continue;
    if (block["enabled"] && block["enabled"].IsScalar() && block["enabled"].Scalar() == "false") {
      continue;
    }
    MachineTarget t;
    t.id = block["id"] && block["id"].IsScalar() ? block["id"].Scalar() : "";
    t.type = block["type"] && block["type"].IsScalar() ? block["type"].Scalar() : "";
    if (block["host"] && block["host"].IsScalar()) {
      t.host = block["host"].Scalar();
    } else if (block["url"] && block["url"].IsScalar()) {
      if (!splitUrl(block["url"].Scalar(), t.host, t.port)) continue;
    }
    if (t.host.empty()) continue;
    // A collector knows its port best (vendor defaults, url): the one `spindle run` uses.
    if (const std::uint16_t resolved = resolvedPort ? resolvedPort(t.type, block) : 0) {
      t.port = resolved;
    } else if (block["port"] && block["port"].IsScalar()) {
      try {
        const int port = block["port"].as<int>();
        if (port > 0 && port <= 65535) t.port = static_cast<std::uint16_t>(port);
      } catch (const YAML::Exception&) {
      }
    }
    if (t.port == 0) t.port = sheetPort(t.type);
    if (t.port == 0) continue;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace spindle::netcheck
