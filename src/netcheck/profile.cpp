#include "netcheck/profile.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

#include <boost/asio/ip/address.hpp>

#include "config/option_table.hpp"
#include "net/server_address.hpp"

namespace spindle::netcheck {
namespace {

struct EndpointSpec {
  std::string host;
  config::Port port{443};
  std::vector<std::string> checks{"tcp"};
  std::string what;
  std::string row;
  bool required = true;
  std::string tlsName;
  std::string path = "/";
  std::string expectStatus;
  std::string expectHeader;
  std::vector<std::string> expectIssuer;
};

struct DnsSpec {
  std::vector<std::string> servers{"8.8.8.8", "8.8.4.4"};
  std::string lookup;
};

struct NtpSpec {
  std::vector<std::string> servers{"pool.ntp.org"};
  Duration maxOffset = std::chrono::seconds(1);
};

const config::OptionTable<EndpointSpec>& endpointTable() {
  static const auto table = [] {
    config::OptionTable<EndpointSpec> t;
    t.required("host", &EndpointSpec::host, "domain or IP address to reach");
    t.optional("port", &EndpointSpec::port, "443", "TCP port");
    t.optional("checks", &EndpointSpec::checks, "[tcp]",
               "any of tcp, tls, https, nats (tls and https imply tcp; https implies tls)");
    t.optional("what", &EndpointSpec::what, "", "what the edge uses it for");
    t.optional("row", &EndpointSpec::row, "host", "the requirement row it proves");
    t.optional("required", &EndpointSpec::required, "true",
               "a failure makes netcheck fail (exit 1)");
    t.optional("tls_name", &EndpointSpec::tlsName, "host",
               "name the certificate must carry (for endpoints given by IP)");
    t.optional("path", &EndpointSpec::path, "/", "HTTPS request path");
    t.optional("expect_status", &EndpointSpec::expectStatus, "any",
               "HTTP statuses that prove the service: 200, 200-499, 401,403");
    t.optional("expect_header", &EndpointSpec::expectHeader, "",
               "a response header that proves the service (e.g. x-amz-request-id)");
    t.optional("expect_issuer", &EndpointSpec::expectIssuer, "[]",
               "certificate issuers to expect (CN or O substrings); another issuer means "
               "inspection");
    return t;
  }();
  return table;
}

const config::OptionTable<DnsSpec>& dnsTable() {
  static const auto table = [] {
    config::OptionTable<DnsSpec> t;
    t.optional("servers", &DnsSpec::servers, "[8.8.8.8, 8.8.4.4]",
               "the DNS servers the edge asks first, IP[:port]");
    t.optional("lookup", &DnsSpec::lookup, "first endpoint domain",
               "the name each DNS server is asked for");
    return t;
  }();
  return table;
}

const config::OptionTable<NtpSpec>& ntpTable() {
  static const auto table = [] {
    config::OptionTable<NtpSpec> t;
    t.optional("servers", &NtpSpec::servers, "[pool.ntp.org]", "NTP servers, host[:port]");
    t.optional("max_offset", &NtpSpec::maxOffset, "1s",
               "largest clock offset accepted before the clock is untrusted", {"1ms", ""});
    return t;
  }();
  return table;
}

bool isIp(const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

std::optional<Endpoint> makeEndpoint(const EndpointSpec& spec, const YAML::Node& node,
                                     config::Diagnostics& diags) {
  Endpoint e;
  e.host = spec.host;
  e.port = spec.port.value;
  e.what = spec.what;
  e.row = spec.row;
  e.required = spec.required;
  e.tlsName = spec.tlsName;
  e.path = spec.path;
  e.expectStatus = spec.expectStatus;
  e.expectHeader = spec.expectHeader;
  e.expectIssuer = spec.expectIssuer;
  bool good = true;
  if (!net::parseServerAddress(spec.host, 1)) {
    diags.add(node["host"], "'" + spec.host + "' is not a domain or IP address");
    good = false;
  }
  bool tls = false, https = false, nats = false;
  for (const auto& c : spec.checks) {
    if (c == "tcp") continue;
    if (c == "tls")
      tls = true;
    else if (c == "https")
      https = tls = true;
    else if (c == "nats")
      nats = true;
    else {
      diags.add(node["checks"], "unknown check '" + c + "'", "use tcp, tls, https or nats");
      good = false;
    }
  }
  if (nats && tls) {
    diags.add(node["checks"], "nats negotiates TLS itself: list nats without tls or https");
    good = false;
  }
  bool anyStatus = false;
  for (int status = 100; status < 600 && !anyStatus; ++status) {
    anyStatus = statusMatches(spec.expectStatus, status);
  }
  if (!anyStatus) {
    diags.add(node["expect_status"], "expect_status '" + spec.expectStatus + "' matches no status",
              "write 200, 200-499 or 401,403");
    good = false;
  }
  if (!spec.path.empty() && spec.path.front() != '/') {
    diags.add(node["path"], "path must start with '/'");
    good = false;
  }
  e.stages.push_back(Stage::kTcp);
  if (tls) e.stages.push_back(Stage::kTls);
  if (https) e.stages.push_back(Stage::kHttps);
  if (nats) e.stages.push_back(Stage::kNats);
  if (!good) return std::nullopt;
  return e;
}

}  // namespace

const char* toString(Stage stage) {
  switch (stage) {
    case Stage::kTcp:
      return "tcp";
    case Stage::kTls:
      return "tls";
    case Stage::kHttps:
      return "https";
    case Stage::kNats:
      return "nats";
  }
  return "tcp";
}

bool Endpoint::has(Stage stage) const {
  return std::find(stages.begin(), stages.end(), stage) != stages.end();
}

std::string Endpoint::verifyName() const {
  if (!tlsName.empty()) return tlsName;
  return isIp(host) ? "" : host;
}

std::string Endpoint::target() const { return net::ServerAddress{host, port}.toString(); }

bool statusMatches(const std::string& expected, int status) {
  if (expected.empty() || expected == "any") return true;
  std::istringstream parts(expected);
  std::string part;
  while (std::getline(parts, part, ',')) {
    part.erase(0, part.find_first_not_of(' '));
    part.erase(part.find_last_not_of(' ') + 1);
    int low = 0, high = 0;
    const auto dash = part.find('-');
    const std::string a = part.substr(0, dash);
    const std::string b = dash == std::string::npos ? a : part.substr(dash + 1);
    const auto ra = std::from_chars(a.data(), a.data() + a.size(), low);
    const auto rb = std::from_chars(b.data(), b.data() + b.size(), high);
    if (ra.ec != std::errc() || rb.ec != std::errc() || ra.ptr != a.data() + a.size() ||
        rb.ptr != b.data() + b.size()) {
      continue;
    }
    if (status >= low && status <= high) return true;
  }
  return false;
}

ProfileLoad loadProfileText(const std::string& text, const std::string& source) {
  ProfileLoad out{std::nullopt, config::Diagnostics(source)};
  auto& diags = out.diagnostics;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    diags.addAt(e.mark.line + 1, e.mark.column + 1, "YAML syntax error: " + e.msg);
    return out;
  }
  if (!root.IsMap()) {
    diags.addAt(1, 1, "a profile is a map with name, dns, ntp and endpoints");
    return out;
  }
  const std::vector<std::string> known{"name", "description", "dns", "ntp", "endpoints"};
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      const std::string guess = config::closestMatch(key, known);
      diags.add(kv.first, "unknown key '" + key + "' in the profile",
                guess.empty() ? "keys: name, description, dns, ntp, endpoints"
                              : "did you mean '" + guess + "'?");
    }
  }
  Profile p;
  p.source = source;
  if (root["name"]) config::readValue(root["name"], p.name, diags, "'name'");
  if (root["description"]) {
    config::readValue(root["description"], p.description, diags, "'description'");
  }
  if (p.name.empty()) diags.add(root, "missing 'name'", "a short name such as name: my-cloud");
  DnsSpec dns;
  if (root["dns"]) dnsTable().load(root["dns"], dns, diags, "dns");
  for (const auto& s : dns.servers) {
    if (auto r = net::parseIpServerAddress(s, 53); !r)
      diags.add(root["dns"]["servers"], r.error().message());
  }
  NtpSpec ntp;
  if (root["ntp"]) ntpTable().load(root["ntp"], ntp, diags, "ntp");
  for (const auto& s : ntp.servers) {
    if (auto r = net::parseServerAddress(s, 123); !r)
      diags.add(root["ntp"]["servers"], r.error().message());
  }
  p.dnsServers = dns.servers;
  p.ntpServers = ntp.servers;
  p.maxClockOffset = ntp.maxOffset;
  const YAML::Node endpoints = root["endpoints"];
  if (endpoints && !endpoints.IsSequence()) {
    diags.add(endpoints, "'endpoints' must be a list (each item starts with '- host: ...')");
  } else if (endpoints) {
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
      EndpointSpec spec;
      const std::string where = "endpoints[" + std::to_string(i) + "]";
      endpointTable().load(endpoints[i], spec, diags, where);
      if (!endpoints[i].IsMap()) continue;
      if (auto e = makeEndpoint(spec, endpoints[i], diags)) p.endpoints.push_back(std::move(*e));
    }
  }
  p.dnsLookup = dns.lookup;
  if (p.dnsLookup.empty()) {
    for (const auto& e : p.endpoints) {
      if (!isIp(e.host)) {
        p.dnsLookup = e.host;
        break;
      }
    }
  }
  if (diags.empty()) out.profile = std::move(p);
  return out;
}

ProfileLoad loadProfileFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    ProfileLoad out{std::nullopt, config::Diagnostics(path)};
    out.diagnostics.addAt(0, 0, "cannot read the profile",
                          "give commercial, govcloud or the path of a profile file");
    return out;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return loadProfileText(buffer.str(), path);
}

Result<Profile> builtinProfile(const std::string& name) {
  const std::string* text = builtinProfileText(name);
  if (text == nullptr) {
    return Error(ErrorCode::kNotFound, "no built-in profile '" + name + "'");
  }
  auto loaded = loadProfileText(*text, "built-in " + name);
  if (!loaded.profile) {
    return Error(ErrorCode::kInternal, loaded.diagnostics.describe());
  }
  loaded.profile->source = "built-in";
  return std::move(*loaded.profile);
}

}  // namespace spindle::netcheck
