#include "netcheck/nats_info.hpp"

#include <nlohmann/json.hpp>

namespace spindle::netcheck {
namespace {

std::string printable(std::string_view s) {
  std::string out(s.substr(0, 40));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  }
  return out;
}

}  // namespace

Result<NatsInfo> parseNatsInfo(std::string_view line) {
  if (line.size() >= 2 && static_cast<unsigned char>(line[0]) == 0x16 &&
      static_cast<unsigned char>(line[1]) == 0x03) {
    return Error(ErrorCode::kProtocol, "the server spoke TLS first instead of sending INFO");
  }
  if (line.substr(0, 5) != "INFO " && line.substr(0, 5) != "INFO\t") {
    return Error(ErrorCode::kProtocol,
                 "not a NATS server: it sent '" + printable(line) + "' instead of INFO");
  }
  const auto json = nlohmann::json::parse(line.substr(5), nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return Error(ErrorCode::kProtocol, "NATS INFO is not a JSON object");
  }
  NatsInfo info;
  try {
    info.serverId = json.value("server_id", "");
    info.serverName = json.value("server_name", "");
    info.version = json.value("version", "");
    info.proto = json.value("proto", 0);
    info.tlsRequired = json.value("tls_required", false);
    info.tlsAvailable = json.value("tls_available", false);
    info.authRequired = json.value("auth_required", false);
    info.leafnode = json.contains("leafnode_urls");
    info.maxPayload = json.value("max_payload", std::uint64_t{0});
  } catch (const nlohmann::json::exception& e) {
    return Error(ErrorCode::kProtocol,
                 std::string("NATS INFO has a field of the wrong type: ") + e.what());
  }
  return info;
}

}  // namespace spindle::netcheck
