// What the opcua collector asks of its machine's script (its tags), the session settings made
// from the options, and the collector's registration.

#include <set>

#include "collectors/opcua/opcua_collector.hpp"
#include "transform/compiled_script.hpp"

namespace spindle::collectors::opcua {

Result<std::vector<ScriptTag>> scriptTags(const transform::CompiledScript* script,
                                          const std::map<std::string, std::string>& aliases) {
  std::vector<ScriptTag> out;
  if (script == nullptr) {
    return Error(ErrorCode::kInvalidArgument,
                 "an opcua machine reads the nodes its script names in 'tags': give it a script "
                 "(docs/collectors/opcua.md)");
  }
  std::set<std::string> seen;
  for (const auto& input : script->inputs()) {
    if (input.section != transform::InputSection::kTags || !seen.insert(input.key).second) {
      continue;
    }
    auto node = parseTag(input.tag);
    if (!node) return std::move(node).error().with("tag '" + input.identifier + "'");
    if (auto st = checkAliases(*node, aliases); !st) {
      return std::move(st).error().with("tag '" + input.identifier + "'");
    }
    out.push_back({input.key, std::move(*node)});
  }
  if (out.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "the script names no OPC UA nodes: list them under 'tags' (name: node id or "
                 "browse path; spindle opcua browse shows them)");
  }
  return out;
}

Result<SessionSettings> sessionSettings(const OpcuaOptions& o, const std::string& machine,
                                        const std::string& dataDir, ResolveFn resolve) {
  SessionSettings s;
  auto& c = s.client;
  c.endpointUrl = endpointUrl(o);
  c.securityPolicy = o.securityPolicy;
  c.securityMode = securityModeOf(o);
  c.pkiDir = pkiDirectory(o, dataDir);
  c.sessionName = "spindle " + machine;
  c.trustOnFirstUse = o.trustOnFirstUse;
  c.sessionTimeoutMs = static_cast<double>(
      std::chrono::duration_cast<std::chrono::milliseconds>(o.sessionTimeout).count());
  c.requestTimeout = o.readTimeout;
  if (!o.user.empty()) {
    auto password = readPasswordFile(o.passwordFile);
    if (!password) return std::move(password).error().with("user '" + o.user + "'");
    c.user = ua::UserIdentity{o.user, std::move(*password)};
  }
  s.host = o.host;
  s.port = o.port.value;
  s.connectTimeout = o.connectTimeout;
  s.resolve = std::move(resolve);
  s.requestTimeout = o.readTimeout;
  s.reconnectMin = o.reconnectMin;
  s.reconnectMax = o.reconnectMax;
  s.subscribe = o.subscribe;
  auto ms = [](Duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  s.publishingIntervalMs = ms(o.publishingInterval);
  s.samplingIntervalMs = o.samplingInterval == Duration::zero() ? -1 : ms(o.samplingInterval);
  s.queueSize = static_cast<std::uint32_t>(o.queueSize);
  s.deadbandType = o.deadband > 0 ? 1 : (o.deadbandPercent > 0 ? 2 : 0);
  s.deadbandValue = o.deadband > 0 ? o.deadband : o.deadbandPercent;
  s.keepaliveCount = static_cast<std::uint32_t>(o.keepaliveCount);
  s.publishRequests = static_cast<std::size_t>(o.publishRequests);
  s.pollInterval = o.pollInterval;
  s.maxNodesPerRequest = static_cast<std::size_t>(o.maxNodesPerRequest);
  s.aliases = o.namespaces;
  return s;
}

namespace {

Status checkScript(const std::any& options, const transform::CompiledScript* script) {
  const auto& o = std::any_cast<const OpcuaOptions&>(options);
  if (auto tags = scriptTags(script, o.namespaces); !tags) return std::move(tags).error();
  return okStatus();
}

}  // namespace

void registerCollector(Registry& registry) {
  auto info = makeCollectorInfo<OpcuaCollector>(
      "opcua",
      "OPC UA client (native; None, Basic256Sha256, Aes128/Aes256 policies; users; "
      "certificates and trust list): the script's nodes by id or browse path, by subscription "
      "or polling, recovering sessions and subscriptions",
      kDefaultPort, optionTable(), validate, true);
  info.checkScript = checkScript;
  registry.add(std::move(info));
}

}  // namespace spindle::collectors::opcua
