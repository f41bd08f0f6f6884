// The management API's configuration changes: a machine added, replaced or removed, the DNS and
// NTP servers changed. Each is checked as `spindle validate` checks a file, written atomically
// over the configuration file (the previous one kept as <file>.bak) and applied.

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include "base/atomic_file.hpp"
#include "web/management/management_server.hpp"

namespace spindle::web::management {

namespace {

/// The configuration as the file holds it (its comments and the keys only it has), or the
/// running text for an edge that runs without a file (the built-in demo).
std::string baseText(app::EdgeApi& api) {
  const auto file = api.configFile();
  if (file.empty()) return api.configText();
  std::ifstream in(file, std::ios::binary);
  if (!in) return api.configText();
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A JSON scalar or list as YAML.
YAML::Node toYaml(const nlohmann::json& value) {
  if (value.is_array()) {
    YAML::Node list(YAML::NodeType::Sequence);
    for (const auto& v : value) list.push_back(toYaml(v));
    return list;
  }
  if (value.is_object()) {
    YAML::Node map(YAML::NodeType::Map);
    for (const auto& [k, v] : value.items()) map[k] = toYaml(v);
    return map;
  }
  if (value.is_string()) return YAML::Node(value.get<std::string>());
  if (value.is_boolean()) return YAML::Node(value.get<bool>());
  if (value.is_number_integer()) return YAML::Node(value.get<std::int64_t>());
  if (value.is_number()) return YAML::Node(value.get<double>());
  return YAML::Node();
}

std::optional<std::vector<std::string>> stringList(const nlohmann::json& value) {
  if (!value.is_array() || value.size() > 16) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& v : value) {
    if (!v.is_string() || v.get_ref<const std::string&>().empty()) return std::nullopt;
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

void ManagementServer::changeMachine(const Call& call) {
  const auto& m = call.request.method;
  const auto& p = call.parts;
  auto& out = *call.out;
  const bool add = m == "POST" && p.size() == 1;
  const bool replace = m == "PUT" && p.size() == 2;
  const bool remove = m == "DELETE" && p.size() == 2;
  if (!add && !replace && !remove) {
    out.send(apiError(404, "not_found", "no endpoint " + m + " " + call.request.path));
    return;
  }
  YAML::Node root;
  try {
    root = YAML::Load(baseText(m_api));
  } catch (const YAML::Exception& e) {
    out.send(apiError(409, "conflict",
                      std::string("the configuration file does not parse: ") + e.what()));
    return;
  }
  if (!root.IsMap()) root = YAML::Node(YAML::NodeType::Map);
  YAML::Node machines = root["machines"];
  if (!machines || !machines.IsSequence()) machines = YAML::Node(YAML::NodeType::Sequence);
  const std::string id = add ? call.body.value("id", std::string()) : p[1];
  std::optional<std::size_t> at;
  for (std::size_t i = 0; i < machines.size(); ++i) {
    if (machines[i].IsMap() && machines[i]["id"] && machines[i]["id"].Scalar() == id) at = i;
  }
  if (id.empty()) {
    out.send(apiError(400, "bad_request", "a machine needs an id"));
    return;
  }
  if (add && at) {
    out.send(apiError(409, "conflict", "machine '" + id + "' exists: edit it instead"));
    return;
  }
  if ((replace || remove) && !at) {
    out.send(apiError(404, "not_found", "no machine '" + id + "'"));
    return;
  }
  YAML::Node block(YAML::NodeType::Map);
  if (!remove) {
    const auto& b = call.body;
    if (b.contains("id") && b["id"] != id) {
      out.send(apiError(400, "bad_request", "a machine's id cannot change: add a new machine"));
      return;
    }
    block["id"] = id;
    block["type"] = b.value("type", std::string());
    if (b.contains("enabled") && b["enabled"].is_boolean() && !b["enabled"].get<bool>()) {
      block["enabled"] = false;
    }
    for (const char* key : {"host", "port", "script"}) {
      if (b.contains(key) && !b[key].is_null() && b[key] != "") block[key] = toYaml(b[key]);
    }
    if (b.contains("options") && b["options"].is_object()) {
      for (const auto& [k, v] : b["options"].items()) {
        if (k != "id" && k != "type") block[k] = toYaml(v);
      }
    }
  }
  // Replaced in place, so the machines keep their order; added at the end.
  YAML::Node next(YAML::NodeType::Sequence);
  for (std::size_t i = 0; i < machines.size(); ++i) {
    if (at && i == *at) {
      if (!remove) next.push_back(block);
    } else {
      next.push_back(machines[i]);
    }
  }
  if (add) next.push_back(block);
  root["machines"] = next;
  YAML::Emitter emitter;
  emitter << root;
  saveConfig(call, std::string(emitter.c_str()) + "\n");
}

void ManagementServer::changeNetwork(const Call& call) {
  YAML::Node root;
  try {
    root = YAML::Load(baseText(m_api));
  } catch (const YAML::Exception& e) {
    call.out->send(apiError(409, "conflict",
                            std::string("the configuration file does not parse: ") + e.what()));
    return;
  }
  if (!root.IsMap()) root = YAML::Node(YAML::NodeType::Map);
  const auto& b = call.body;
  auto set = [&](const char* section, const char* field, const char* key) -> bool {
    if (!b.contains(section) || !b[section].contains(field)) return true;
    auto list = stringList(b[section][field]);
    if (!list) return false;
    YAML::Node node(YAML::NodeType::Sequence);
    for (const auto& v : *list) node.push_back(v);
    root["net"][key] = node;
    return true;
  };
  if (!set("dns", "preferred", "dns_preferred") || !set("dns", "servers", "dns_servers") ||
      !set("ntp", "servers", "ntp_servers") || !set("proxy", "no_proxy", "no_proxy")) {
    call.out->send(apiError(400, "bad_request", "server lists are up to 16 non-empty texts"));
    return;
  }
  if (b.contains("proxy")) {
    if (auto problem = changeProxy(b["proxy"], root); !problem.empty()) {
      call.out->send(apiError(400, "bad_request", problem));
      return;
    }
  }
  YAML::Emitter emitter;
  emitter << root;
  saveConfig(call, std::string(emitter.c_str()) + "\n");
}

// The proxy's URL, and its credentials: typed on the page, written to a file of the edge's own
// (0600) that the configuration names, never into the configuration itself nor back to a
// browser. Returns what is wrong with the request, or "".
std::string ManagementServer::changeProxy(const nlohmann::json& proxy, YAML::Node& root) {
  if (!proxy.is_object()) return "proxy must be an object";
  if (proxy.contains("url")) {
    const auto& url = proxy["url"];
    if (!url.is_string() || url.get_ref<const std::string&>().size() > 512) {
      return "proxy.url must be a text of at most 512 characters";
    }
    root["net"]["proxy"] = url.get<std::string>();
  }
  const auto file = (std::filesystem::path(m_identity.dataDir) / "proxy-credentials").string();
  if (proxy.value("clear_credentials", false)) {
    if (root["net"]["proxy_credentials"]) root["net"].remove("proxy_credentials");
    std::error_code ignored;
    std::filesystem::remove(file, ignored);
    return "";
  }
  const auto text = [&](const char* key) -> std::optional<std::string> {
    if (!proxy.contains(key)) return std::string();
    if (!proxy[key].is_string()) return std::nullopt;
    return proxy[key].get<std::string>();
  };
  const auto user = text("user");
  const auto password = text("password");
  if (!user || !password) return "proxy.user and proxy.password must be texts";
  if (user->empty()) {
    if (!password->empty()) return "a proxy password needs its user";
    return "";  // the credentials stay as they are
  }
  const auto bad = [](const std::string& v, bool colon) {
    return v.size() > 1024 ||
           v.find_first_of(colon ? std::string_view(":\r\n\0", 4)
                                 : std::string_view("\r\n\0", 3)) != std::string::npos;
  };
  if (bad(*user, true)) return "the proxy user must not hold ':' or line breaks";
  if (bad(*password, false)) return "the proxy password must not hold line breaks";
  if (auto written = writeFileAtomically(file, *user + ":" + *password + "\n", 0600); !written) {
    return "the proxy credentials could not be written: " + written.error().describe();
  }
  root["net"]["proxy_credentials"] = file;
  return "";
}

void ManagementServer::saveConfig(const Call& call, const std::string& yaml) {
  auto self = shared_from_this();
  auto out = call.out;
  const std::string user = call.session->user;
  const bool queued = m_worker.post([self, out, yaml, user] {
    auto& api = self->m_api;
    const auto problems = api.checkLocalConfig(yaml);
    if (!problems.problems.empty()) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& p : problems.problems) list.push_back({{"message", p}});
      auto r = apiError(422, "invalid", "the change was not saved: " + problems.problems.front());
      auto body = nlohmann::json::parse(r.body);
      body["diagnostics"] = std::move(list);
      out->send(apiJson(422, body));
      return;
    }
    const auto file = api.configFile();
    if (!file.empty()) {
      struct stat st {};
      const int mode = ::stat(file.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : 0600;
      std::ifstream in(file, std::ios::binary);
      std::stringstream previous;
      previous << in.rdbuf();
      if (auto kept = writeFileAtomically(file + ".bak", previous.str(), mode); !kept) {
        out->send(apiError(500, "internal", kept.error().describe()));
        return;
      }
      if (auto written = writeFileAtomically(file, yaml, mode); !written) {
        out->send(apiError(500, "internal", written.error().describe()));
        return;
      }
    }
    auto applied = api.applyLocalConfig(yaml);
    if (!applied) {
      out->send(apiError(409, "conflict", "saved, but not applied: " + applied.error().describe()));
      return;
    }
    self->m_log->info("management page: {} changed the configuration{}", user,
                      file.empty() ? " (not saved: the edge runs without a file)"
                                   : " (" + file + ", the previous one in " + file + ".bak)");
    out->send(apiJson(200, {{"applied", true},
                            {"saved", !file.empty()},
                            {"pending_restart", applied->pendingRestart},
                            {"refused", applied->refused}}));
  });
  if (!queued) call.out->send(apiError(503, "unavailable", "the edge is busy: try again"));
}

}  // namespace spindle::web::management
