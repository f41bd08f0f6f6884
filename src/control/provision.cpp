#include "control/provision.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include "base/atomic_file.hpp"
#include "base/base64.hpp"
#include "net/http/http_client.hpp"
#include "update/signing.hpp"

namespace spindle::control {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool validEdgeId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Error invalid(const std::string& what) {
  return Error(ErrorCode::kInvalidArgument, "the API's answer " + what);
}

/// Run as root on a packaged edge (sudo spindle provision), files would be root's and the
/// service (user spindle) could not read them: they take the owner of what they belong to.
void giveTo(const std::string& path, const struct stat& owner) {
  if (::geteuid() != 0) return;
  if (::chown(path.c_str(), owner.st_uid, owner.st_gid) != 0) {
    // Best effort: the files stay readable by root; the error is not worth failing the claim.
  }
}

Result<std::string> readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, "cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Why a claim was not accepted, in words that say what to do.
Error refusal(const net::http::HttpResponse& r, const std::string& url) {
  std::string said;
  const auto body = json::parse(r.body, nullptr, false);
  if (body.is_object() && body.contains("message") && body["message"].is_string()) {
    said = ": " + body["message"].get<std::string>().substr(0, 300);
  }
  const std::string status = "HTTP " + std::to_string(r.status) + said;
  switch (r.status) {
    case 401:
    case 403:
      return Error(ErrorCode::kInvalidArgument,
                   "the API refused the token (" + status +
                       "): it is wrong or expired; ask the fleet for a new one-time token");
    case 409:
      return Error(ErrorCode::kInvalidArgument,
                   "the token was already used (" + status +
                       "): a token claims one edge once; ask the fleet for a new one");
    default:
      return Error(ErrorCode::kUnavailable, "the API at " + url + " answered " + status);
  }
}

}  // namespace

std::string claimBody(std::string_view token, std::string_view publicKey, std::string_view hostname,
                      std::string_view version) {
  return json{{"schema", kClaimSchema},  {"token", token},       {"key_type", "ed25519"},
              {"public_key", publicKey}, {"hostname", hostname}, {"version", version}}
      .dump();
}

Result<ClaimAnswer> parseClaimAnswer(std::string_view body) {
  const auto j = json::parse(body, nullptr, false);
  if (!j.is_object()) return invalid("is not a JSON object");
  if (j.value("schema", "") != kClaimSchema) {
    return invalid("names schema '" + j.value("schema", std::string("?")) + "', not " +
                   std::string(kClaimSchema));
  }
  ClaimAnswer a;
  a.edgeId = j.value("edge_id", "");
  if (!validEdgeId(a.edgeId)) {
    // The id names NATS subjects (spindle.<edge id>.health): no dots, no wildcards.
    return invalid("has no usable edge_id (1-64 letters, digits, '-' or '_')");
  }
  const auto nats = j.find("nats");
  if (nats == j.end() || !nats->is_object()) return invalid("has no nats object");
  const auto servers = nats->find("servers");
  if (servers == nats->end() || !servers->is_array() || servers->empty() || servers->size() > 16) {
    return invalid("has no nats.servers (1 to 16)");
  }
  for (const auto& s : *servers) {
    const std::string url = s.is_string() ? s.get<std::string>() : "";
    if (url.rfind("nats://", 0) != 0 && url.rfind("tls://", 0) != 0) {
      return invalid("names a NATS server that is not nats:// or tls://");
    }
    a.natsServers.push_back(url);
  }
  a.natsCredentials = nats->value("credentials", "");
  // A .creds file holds the user's JWT and its NKey seed, each between marker lines.
  if (a.natsCredentials.find("BEGIN NATS USER JWT") == std::string::npos ||
      a.natsCredentials.find("BEGIN USER NKEY SEED") == std::string::npos ||
      a.natsCredentials.size() > 64 * 1024) {
    return invalid("has no NATS credentials (a .creds text with a JWT and a seed)");
  }
  a.configBucket = j.value("config_bucket", "");
  a.api = j.value("api", "");
  if (!a.api.empty() && a.api.rfind("https://", 0) != 0) {
    return invalid("names an API that is not https://");
  }
  return a;
}

Result<std::string> provisionedConfig(const std::string& yaml, const ClaimAnswer& answer,
                                      const std::string& credentialsFile, const std::string& api) {
  YAML::Node root;
  try {
    root = yaml.empty() ? YAML::Node(YAML::NodeType::Map) : YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kInvalidArgument,
                 std::string("the configuration file does not parse: ") + e.what());
  }
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) {
    return Error(ErrorCode::kInvalidArgument, "the configuration file is not a YAML map");
  }
  root["edge"]["id"] = answer.edgeId;
  YAML::Node servers(YAML::NodeType::Sequence);
  for (const auto& s : answer.natsServers) servers.push_back(s);
  root["uplinks"]["nats"]["servers"] = servers;
  root["uplinks"]["nats"]["credentials"] = credentialsFile;
  if (!answer.configBucket.empty()) root["control"]["config_bucket"] = answer.configBucket;
  root["https"]["api"] = answer.api.empty() ? api : answer.api;
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

Result<std::string> provision(const ProvisionRequest& rq, net::http::HttpClient& client) {
  if (rq.api.rfind("https://", 0) != 0) {
    return Error(ErrorCode::kInvalidArgument, "--api must be an https:// URL");
  }
  if (rq.token.empty()) return Error(ErrorCode::kInvalidArgument, "--token is empty");
  const fs::path dir(rq.dataDir);
  const std::string marker = (dir / "provisioning.json").string();
  if (fs::exists(marker) && !rq.force) {
    return Error(ErrorCode::kInvalidArgument, "this edge is already provisioned (" + marker +
                                                  "); --force claims it again with a new token");
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error(ErrorCode::kIo, "cannot create " + dir.string() + ": " + ec.message());

  // The key pair: made once, kept across claims (the fleet may know it already).
  struct stat dirOwner {};
  ::stat(dir.c_str(), &dirOwner);
  const std::string keyPath = (dir / "edge-key.pem").string();
  if (!fs::exists(keyPath)) {
    const auto pair = update::generateKeyPair();
    if (auto kept = writeFileAtomically(keyPath, pair.privatePem, 0600); !kept) {
      return std::move(kept).error().with("keeping the edge's key");
    }
    giveTo(keyPath, dirOwner);
  }
  auto key = update::PrivateKey::load(keyPath);
  if (!key) return std::move(key).error().with("reading the edge's key " + keyPath);

  std::string url = rq.api;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += kClaimPath;
  net::http::HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  request.body =
      claimBody(rq.token, base64Encode(key->publicKey().raw), rq.hostname, SPINDLE_VERSION);
  // A claim is repeatable: the same token and key claim the same edge, so a lost answer may
  // be asked for again.
  request.idempotent = true;
  request.maxResponse = 256 * 1024;
  const auto response = client.perform(std::move(request));
  if (response.error) {
    return Error(response.error->code(), "no answer from the API: " + response.error->describe());
  }
  if (!response.ok()) return refusal(response, url);
  auto answer = parseClaimAnswer(response.body);
  if (!answer) return std::move(answer).error();

  const std::string credentials = (dir / "nats.creds").string();
  if (auto written = writeFileAtomically(credentials, answer->natsCredentials, 0600); !written) {
    return std::move(written).error().with("writing the NATS credentials");
  }
  giveTo(credentials, dirOwner);
  std::string previous;
  if (fs::exists(rq.configFile)) {
    auto read = readText(rq.configFile);
    if (!read) return std::move(read).error();
    previous = std::move(*read);
  }
  auto next = provisionedConfig(previous, *answer, credentials, rq.api);
  if (!next) return std::move(next).error().with(rq.configFile);
  struct stat st {};
  const bool existed = ::stat(rq.configFile.c_str(), &st) == 0;
  const int mode = existed ? static_cast<int>(st.st_mode & 0777) : 0640;
  if (!previous.empty()) {
    if (auto kept = writeFileAtomically(rq.configFile + ".bak", previous, mode); !kept) {
      return std::move(kept).error();
    }
  }
  if (auto written = writeFileAtomically(rq.configFile, *next, mode); !written) {
    return std::move(written).error();
  }
  if (existed) giveTo(rq.configFile, st);  // root:spindle 0640 stays root:spindle
  const json record = {{"schema", kClaimSchema},
                       {"edge_id", answer->edgeId},
                       {"api", answer->api.empty() ? rq.api : answer->api},
                       {"nats_servers", answer->natsServers},
                       {"config_bucket", answer->configBucket},
                       {"public_key", base64Encode(key->publicKey().raw)},
                       {"config_file", rq.configFile}};
  if (auto written = writeFileAtomically(marker, record.dump(2) + "\n", 0644); !written) {
    return std::move(written).error();
  }
  giveTo(marker, dirOwner);
  return answer->edgeId;
}

}  // namespace spindle::control
