#include "collectors/mtconnect_agent/mtconnect_agent_options.hpp"

#include <charconv>

#include "base/base64.hpp"
#include "collectors/connection_options.hpp"
#include "collectors/input_limit_options.hpp"

namespace spindle::collectors::mtconnect_agent {
namespace {

std::string percentDecode(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    unsigned value = 0;
    if (in[i] == '%' && i + 2 < in.size() &&
        std::from_chars(in.data() + i + 1, in.data() + i + 3, value, 16).ptr == in.data() + i + 3) {
      out += static_cast<char>(value);
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

}  // namespace

const config::OptionTable<MtconnectAgentOptions>& optionTable() {
  static const auto table = [] {
    using O = MtconnectAgentOptions;
    config::OptionTable<O> t;
    t.optional("url", &O::url, "",
               "the agent's address as a URL, e.g. url: http://192.168.1.30:5000 (or a path "
               "prefix: http://agent.plant.local/mtconnect); instead of host and port");
    addConnectionOptions(
        t, {.defaultPort = kDefaultPort,
            .portHelp = "the agent's HTTP port",
            .hostHelp = "the agent's address, e.g. host: 192.168.1.30",
            .hostRequired = false,
            .portDefaultText = std::to_string(kDefaultPort) + " (" + std::to_string(kHaasNgcPort) +
                               " with vendor: haas_ngc)"});
    t.choice("vendor", &O::vendor, {"generic", "haas_ngc"}, "generic",
             "haas_ngc: the agent built into Haas NGC controls (port 8082 unless port is given)");
    t.optional("device", &O::device, "the agent's only device",
               "the device to read, by name or uuid; required when the agent serves several");
    t.choice("format", &O::format, {"xml", "json"}, "xml",
             "document format to ask for; json needs an agent offering JSON version 2");
    t.choice("mode", &O::mode, {"stream", "poll"}, "stream",
             "stream: one long /sample request (interval, heartbeat); poll: /sample?from=&count= "
             "every poll_interval. An agent that does not stream is polled automatically");
    t.choice("key", &O::key, {"id", "name"}, "id",
             "item key: the data item's id, or its name (the id when it has no name)");
    t.optional("interval", &O::interval, "100ms",
               "streaming: the agent sends at most one document per interval", {"0s", ""});
    t.optional("heartbeat", &O::heartbeat, "10s",
               "streaming: the agent sends an empty document after this long without data; "
               "silence of 2 x heartbeat + 5s drops the connection",
               {"1ms", ""});
    t.optional("count", &O::count, "1000", "most observations per document (1-1000000)",
               {"1", "1000000"});
    t.optional("poll_interval", &O::pollInterval, "1s",
               "poll mode: time between requests when caught up", {"1ms", ""});
    t.optional("request_timeout", &O::requestTimeout, "10s",
               "give up a probe, current or polled sample after this long", {"10ms", ""});
    t.optional("ignore_timestamps", &O::ignoreTimestamps, "false",
               "stamp observations with the arrival time instead of the agent's time");
    t.optional("max_document", &O::maxDocument, "16MiB", "largest accepted response document",
               {"4KiB", "4GiB"});
    addInputLimitOptions(t);
    return t;
  }();
  return table;
}

Result<ParsedUrl> parseUrl(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind("https://", 0) == 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "https is not supported by the mtconnect_agent collector; agents serve http");
  }
  if (url.rfind(kScheme, 0) != 0) {
    return Error(ErrorCode::kInvalidArgument, "url must start with http://");
  }
  std::string_view rest = std::string_view(url).substr(kScheme.size());
  ParsedUrl out;
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    out.userinfo = percentDecode(authority.substr(0, at));
    authority = authority.substr(at + 1);
  }
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    out.basePath = std::string(path);
  }
  const auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    const std::string_view p = authority.substr(colon + 1);
    unsigned port = 0;
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
    if (ec != std::errc() || ptr != p.data() + p.size() || port == 0 || port > 65535) {
      return Error(ErrorCode::kInvalidArgument, "bad port '" + std::string(p) + "' in url");
    }
    out.port = static_cast<std::uint16_t>(port);
    out.hasPort = true;
    authority = authority.substr(0, colon);
  }
  if (authority.size() >= 2 && authority.front() == '[' && authority.back() == ']')
    authority = authority.substr(1, authority.size() - 2);
  if (authority.empty()) return Error(ErrorCode::kInvalidArgument, "url has no host");
  out.host = std::string(authority);
  return out;
}

bool validate(MtconnectAgentOptions& o, const YAML::Node& block, config::Diagnostics& diags) {
  bool good = true;
  const bool portGiven = static_cast<bool>(block["port"]);
  if (!o.url.empty() && !o.host.empty()) {
    diags.add(block["url"], "give either url or host, not both");
    good = false;
  } else if (!o.url.empty()) {
    auto parsed = parseUrl(o.url);
    if (!parsed) {
      diags.add(block["url"], parsed.error().message(), "e.g. url: http://192.168.1.30:5000");
      good = false;
    } else {
      if (portGiven) {
        diags.add(block["port"], "port is part of url; remove one of them");
        good = false;
      }
      o.host = parsed->host;
      o.basePath = parsed->basePath;
      o.userinfo = parsed->userinfo;
      o.port.value =
          parsed->hasPort ? parsed->port : (o.vendor == "haas_ngc" ? kHaasNgcPort : kDefaultPort);
    }
  } else if (o.host.empty()) {
    diags.add(block, "the mtconnect_agent collector needs url or host",
              "e.g. url: http://192.168.1.30:5000 (Haas NGC: vendor: haas_ngc, port 8082)");
    good = false;
  } else if (!portGiven && o.vendor == "haas_ngc") {
    o.port.value = kHaasNgcPort;
  }
  if (o.count < 1 || o.count > 1'000'000) {
    diags.add(block["count"], "count must be between 1 and 1000000");
    good = false;
  }
  if (o.heartbeat.count() <= 0 || o.interval.count() < 0) {
    diags.add(block["heartbeat"] ? block["heartbeat"] : block["interval"],
              "heartbeat must be positive and interval not negative");
    good = false;
  }
  if (!validateConnection(o, block, diags, "")) good = false;  // an empty host: see above
  if (o.maxDocument.bytes < 4096) {
    diags.add(block["max_document"], "max_document must be at least 4KiB");
    good = false;
  }
  if (!validateInputLimits(o, block, diags)) good = false;
  return good;
}

SessionOptions sessionOptions(const MtconnectAgentOptions& o, ResolveFn resolve) {
  SessionOptions s;
  s.resolve = std::move(resolve);
  s.host = o.host;
  s.port = o.port.value;
  s.connectTimeout = o.connectTimeout;
  s.maxDocument = o.maxDocument.bytes;
  s.accept = o.format == "json" ? "application/json" : "application/xml, text/xml";
  if (!o.userinfo.empty()) s.authorization = "Basic " + base64Encode(o.userinfo);
  return s;
}

DecoderOptions decoderOptions(const MtconnectAgentOptions& o) {
  DecoderOptions d;
  d.device = o.device;
  d.keyByName = o.key == "name";
  d.ignoreTimestamps = o.ignoreTimestamps;
  d.maxItems = o.maxItems;
  return d;
}

}  // namespace spindle::collectors::mtconnect_agent
