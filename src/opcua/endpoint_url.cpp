#include "opcua/endpoint_url.hpp"

#include <charconv>

namespace spindle::opcua {

Result<EndpointUrl> parseEndpointUrl(std::string_view url) {
  constexpr std::string_view kScheme = "opc.tcp://";
  auto bad = [&](const std::string& why) {
    return Error(ErrorCode::kInvalidArgument,
                 "endpoint '" + std::string(url) + "': " + why + " (e.g. opc.tcp://10.0.0.5:4840)");
  };
  if (url.substr(0, kScheme.size()) != kScheme) return bad("must start with opc.tcp://");
  std::string_view rest = url.substr(kScheme.size());
  EndpointUrl out;
  const auto slash = rest.find('/');
  if (slash != std::string_view::npos) {
    out.path = std::string(rest.substr(slash));
    rest = rest.substr(0, slash);
  }
  std::string_view port;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return bad("an IPv6 address needs its closing ']'");
    out.host = std::string(rest.substr(1, close - 1));
    rest = rest.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return bad("unexpected text after ']'");
    if (!rest.empty()) port = rest.substr(1);
  } else {
    const auto colon = rest.rfind(':');
    if (colon != std::string_view::npos && rest.find(':') != colon)
      return bad("an IPv6 address must be in brackets");
    out.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  if (out.host.empty()) return bad("no host");
  if (!port.empty() || (slash == std::string_view::npos && url.back() == ':')) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      return bad("the port must be a number from 1 to 65535");
    out.port = static_cast<std::uint16_t>(value);
  }
  return out;
}

}  // namespace spindle::opcua
