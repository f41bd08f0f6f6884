#include "app/remote_config.hpp"

#include <filesystem>

#include "config/yaml_checks.hpp"
#include "config/yaml_nesting.hpp"
#include "control/config_text.hpp"
#include "net/proxy.hpp"
#include "net/server_address.hpp"

namespace spindle::app {
namespace {

struct LocalOnly {
  const char* section;
  const char* key;  ///< nullptr: the whole section
  const char* reason;
};

constexpr LocalOnly kLocalOnly[] = {
    {"edge", "data_dir", "local-only: a path on the edge"},
    {"journal", "dir", "local-only: a path on the edge"},
    {"output", "path", "local-only: a path on the edge"},
    {"net", "resolv_conf", "local-only: a path on the edge"},
    {"net", "proxy_credentials", "local-only: a path on the edge"},
    {"uplinks", nullptr, "local-only: the cloud link is set in the edge's own file"},
    {"control", nullptr, "local-only: what the cloud may change is set in the edge's own file"},
    {"simulator", nullptr, "local-only: the demo simulator listens on the edge"},
    {"update", nullptr,
     "local-only: the keys updates are signed with are set in the edge's own file"},
    {"adapter_store", nullptr,
     "local-only: the adapter store and the keys its scripts are checked with are set in the "
     "edge's own file"},
};

YAML::Node child(const YAML::Node& root, const LocalOnly& rule) {
  if (!root.IsMap() || !root[rule.section]) return YAML::Node(YAML::NodeType::Undefined);
  const YAML::Node section = root[rule.section];
  if (rule.key == nullptr) return section;
  if (!section.IsMap() || !section[rule.key]) return YAML::Node(YAML::NodeType::Undefined);
  return section[rule.key];
}

// Puts the local value of every local-only key into `remote` (removing what the local file
// leaves out); a desired value that differs is a refusal.
std::vector<Refusal> layOver(YAML::Node& remote, const YAML::Node& local) {
  std::vector<Refusal> refused;
  for (const auto& rule : kLocalOnly) {
    const YAML::Node mine = child(local, rule);
    const YAML::Node theirs = child(remote, rule);
    const std::string key =
        rule.key == nullptr ? rule.section : std::string(rule.section) + "." + rule.key;
    if (theirs.IsDefined() && !(mine.IsDefined() && control::sameYaml(mine, theirs))) {
      refused.push_back({key, rule.reason});
    }
    if (rule.key == nullptr) {
      if (mine.IsDefined()) {
        remote[rule.section] = mine;
      } else if (theirs.IsDefined()) {
        remote.remove(rule.section);
      }
      continue;
    }
    const bool sectionGiven = remote[rule.section].IsDefined() && !remote[rule.section].IsNull();
    if (sectionGiven && !remote[rule.section].IsMap()) continue;  // validation says what is wrong
    if (mine.IsDefined()) {
      if (!sectionGiven) remote[rule.section] = YAML::Node(YAML::NodeType::Map);
      remote[rule.section][rule.key] = mine;
    } else if (theirs.IsDefined()) {
      remote[rule.section].remove(rule.key);
    }
  }
  return refused;
}

std::string urlHost(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  std::string authority = url.substr(start, url.find_first_of("/?#", start) - start);
  if (const auto at = authority.rfind('@'); at != std::string::npos) {
    authority = authority.substr(at + 1);
  }
  auto parsed = net::parseServerAddress(authority, 1);
  return parsed ? parsed->host : authority;
}

void checkHost(const YAML::Node& node, const std::string& host, const std::string& what,
               const net::HostRules& hosts, config::Diagnostics& diags) {
  if (hosts.allows(host)) return;
  std::string allowed;
  for (const auto& e : hosts.entries()) allowed += (allowed.empty() ? "" : ", ") + e;
  diags.add(node, what + " names host '" + host + "', which control.allowed_hosts does not allow",
            "allowed: " + allowed + " (set in the edge's own configuration file)");
}

}  // namespace

Result<RemoteRules> remoteRules(const control::ControlOptions& control,
                                const std::string& configDir) {
  auto hosts = net::HostRules::parse(control.allowedHosts);
  if (!hosts) return std::move(hosts).error().with("control.allowed_hosts");
  std::filesystem::path dir(control.scriptDir);
  if (dir.is_relative() && !configDir.empty()) dir = std::filesystem::path(configDir) / dir;
  return RemoteRules{dir.string(), std::move(*hosts)};
}

RemoteLoad loadRemoteConfig(const std::string& localYaml, const std::string& remoteYaml,
                            const std::string& name, const collectors::Registry& registry,
                            const RemoteRules& rules, const std::string& configDir) {
  RemoteLoad out{LoadResult{std::nullopt, config::Diagnostics(name)}, {}};
  if (const auto deep = config::findDeepNesting(remoteYaml)) {
    out.loaded.diagnostics.addAt(
        deep->line, deep->column,
        "the configuration nests deeper than " + std::to_string(config::kMaxYamlDepth) + " levels");
    return out;
  }
  YAML::Node remote, local;
  try {
    remote = YAML::Load(remoteYaml);
  } catch (const YAML::ParserException& e) {
    out.loaded.diagnostics.addAt(e.mark.line + 1, e.mark.column + 1, "YAML syntax error: " + e.msg);
    return out;
  }
  try {
    local = YAML::Load(localYaml);
  } catch (const YAML::Exception&) {
    // The local text loaded when the edge started; without it nothing is local-only.
  }
  if (remote.IsMap()) {
    // Duplicates are judged on the desired text as written, before anything is laid over it.
    config::Diagnostics dups(name);
    config::checkDuplicateKeys(remote, dups, remoteYaml.size() * 16 + 1024);
    if (!dups.empty()) {
      out.loaded.diagnostics = std::move(dups);
      return out;
    }
    out.refused = layOver(remote, local);
  }
  std::string effective;
  try {
    effective = YAML::Dump(remote) + "\n";
  } catch (const YAML::Exception&) {
    effective = remoteYaml;
  }
  out.loaded = loadConfigRoot(remote, effective, name, registry, LoadOptions{configDir, &rules});
  return out;
}

bool appliesLive(const std::string& section) { return section == "machines"; }

void checkRemoteHosts(const YAML::Node& root, const net::HostRules& hosts,
                      config::Diagnostics& diags) {
  if (hosts.empty() || !root.IsMap()) return;
  const YAML::Node machines = root["machines"];
  if (machines && machines.IsSequence()) {
    for (const auto& block : machines) {
      if (!block.IsMap()) continue;
      const std::string id =
          block["id"] && block["id"].IsScalar() ? block["id"].Scalar() : std::string("?");
      if (block["host"] && block["host"].IsScalar()) {
        checkHost(block["host"], block["host"].Scalar(), "machine '" + id + "'", hosts, diags);
      }
      if (block["url"] && block["url"].IsScalar()) {
        checkHost(block["url"], urlHost(block["url"].Scalar()), "machine '" + id + "'", hosts,
                  diags);
      }
    }
  }
  const YAML::Node net = root["net"];
  if (!net || !net.IsMap()) return;
  for (const char* key : {"dns_preferred", "dns_servers", "ntp_servers"}) {
    const YAML::Node list = net[key];
    if (!list || !list.IsSequence()) continue;
    for (const auto& item : list) {
      if (!item.IsScalar()) continue;
      auto parsed = net::parseServerAddress(item.Scalar(), 1);
      checkHost(item, parsed ? parsed->host : item.Scalar(), std::string("net.") + key, hosts,
                diags);
    }
  }
  // The proxy sees where every HTTPS connection goes: the cloud may only name an allowed one.
  if (const YAML::Node proxy = net["proxy"];
      proxy && proxy.IsScalar() && !proxy.Scalar().empty() && proxy.Scalar() != "env") {
    auto parsed = net::parseProxyUrl(proxy.Scalar());
    checkHost(proxy, parsed ? parsed->host : proxy.Scalar(), "net.proxy", hosts, diags);
  }
}

}  // namespace spindle::app
