#include "netcheck/target_map.hpp"

#include <algorithm>
#include <cctype>

namespace spindle::netcheck {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

/// "host", "host:port", "[v6]", "[v6]:port", "*", "*:port" -> host and optional port.
Result<std::pair<std::string, std::optional<std::uint16_t>>> splitHostPort(std::string_view text) {
  const bool hasPort = text.front() == '[' ? text.find("]:") != std::string_view::npos
                                           : std::count(text.begin(), text.end(), ':') == 1;
  if (!hasPort) {
    const bool bracketed = text.front() == '[' && text.back() == ']';
    std::string host(bracketed ? text.substr(1, text.size() - 2) : text);
    return std::make_pair(lower(host), std::optional<std::uint16_t>{});
  }
  if (text.substr(0, 2) == "*:") {
    auto parsed = net::parseServerAddress("any" + std::string(text.substr(1)), 1);
    if (!parsed) return std::move(parsed).error();
    return std::make_pair(std::string("*"), std::optional<std::uint16_t>{parsed->port});
  }
  auto parsed = net::parseServerAddress(text, 1);
  if (!parsed) return std::move(parsed).error();
  return std::make_pair(lower(parsed->host), std::optional<std::uint16_t>{parsed->port});
}

}  // namespace

Status TargetMap::add(std::string_view spec) {
  const auto bad = [&](const std::string& why) {
    return Error(ErrorCode::kInvalidArgument,
                 "--map '" + std::string(spec) + "': " + why +
                     " (write HOST=ADDR:PORT, e.g. api.example.test=127.0.0.1:8443, "
                     "*:443=127.0.0.1:8443 or 8.8.8.8:53=127.0.0.1:5353)");
  };
  const auto equals = spec.rfind('=');
  if (equals == std::string_view::npos || equals == 0 || equals + 1 == spec.size()) {
    return bad("expected HOST=ADDR:PORT");
  }
  auto from = splitHostPort(spec.substr(0, equals));
  if (!from) return bad(from.error().message());
  auto to = splitHostPort(spec.substr(equals + 1));
  if (!to) return bad(to.error().message());
  if (!net::ServerAddress{to->first, 1}.isIpLiteral()) {
    return bad("'" + to->first + "' is not an IP address");
  }
  if (from->first.empty()) return bad("empty host");
  m_rules.push_back(Rule{from->first, from->second, to->first, to->second});
  return okStatus();
}

std::optional<net::ServerAddress> TargetMap::find(const std::string& host,
                                                  std::uint16_t port) const {
  const std::string name = lower(host);
  const Rule* best = nullptr;
  int bestRank = 0;
  for (const auto& rule : m_rules) {
    const bool hostMatch = rule.host == name;
    const bool anyHost = rule.host == "*";
    if (!hostMatch && !anyHost) continue;
    if (rule.port && *rule.port != port) continue;
    const int rank = (hostMatch ? 2 : 0) + (rule.port ? 1 : 0) + 1;
    if (rank > bestRank) {
      best = &rule;
      bestRank = rank;
    }
  }
  if (best == nullptr) return std::nullopt;
  return net::ServerAddress{best->address, best->toPort.value_or(port)};
}

}  // namespace spindle::netcheck
