#pragma once
/// A requirements sheet as data: the DNS and NTP servers the edge uses and every domain and
/// static IP it must reach, with the checks each one gets. Two profiles are built in
/// (`commercial` and `govcloud`, from the requirements sheet); others load from YAML files.
///
///   name: test-cloud
///   description: a cloud for tests
///   dns: {servers: [8.8.8.8, 8.8.4.4], lookup: api.example.test}
///   ntp: {servers: [pool.ntp.org], max_offset: 1s}
///   endpoints:
///     - {host: api.example.test, port: 443, checks: [tcp, tls, https], what: API}
///     - {host: 192.0.2.10, port: 7422, checks: [tcp, nats], tls_name: stream.example.test}

#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/units.hpp"
#include "config/diagnostics.hpp"

namespace spindle::netcheck {

/// The checks an endpoint gets, in the order they run on one connection.
enum class Stage { kTcp, kTls, kHttps, kNats };
const char* toString(Stage stage);

struct Endpoint {
  std::string host;  ///< a domain or an IP address
  std::uint16_t port = 443;
  std::vector<Stage> stages;  ///< always starts with kTcp
  std::string what;           ///< the sheet's description ("cloud communication")
  std::string row;            ///< the sheet's row when it differs from host ("*.balena-cloud.com")
  bool required = true;
  std::string tlsName;       ///< name the certificate must carry; default: host when it is a domain
  std::string path = "/";    ///< HTTPS request path
  std::string expectStatus;  ///< HTTPS: "200", "200-499", "401,403"; empty: any status
  std::string expectHeader;  ///< HTTPS: a response header that must be present
  std::vector<std::string> expectIssuer;  ///< TLS: issuers (CN or O substrings) to expect

  bool has(Stage stage) const;
  /// The name TLS verifies: tlsName, else host when host is not an IP literal, else "".
  std::string verifyName() const;
  /// "host:port"
  std::string target() const;
};

struct Profile {
  std::string name;
  std::string description;
  std::string source;                   ///< "built-in" or the file path
  std::vector<std::string> dnsServers;  ///< the preferred DNS servers, IP[:port]
  std::string dnsLookup;                ///< the name each DNS server is asked for
  std::vector<std::string> ntpServers;  ///< host[:port]
  Duration maxClockOffset = std::chrono::seconds(1);
  std::vector<Endpoint> endpoints;
};

struct ProfileLoad {
  std::optional<Profile> profile;  ///< set only when there are no diagnostics
  config::Diagnostics diagnostics;
};

/// Parses profile YAML; `source` names it in messages. Every problem is reported with its line.
ProfileLoad loadProfileText(const std::string& text, const std::string& source);
ProfileLoad loadProfileFile(const std::string& path);

/// "commercial", "govcloud".
std::vector<std::string> builtinProfileNames();
/// The YAML text of a built-in profile, or nullptr.
const std::string* builtinProfileText(const std::string& name);
/// A built-in profile by name, or kNotFound.
Result<Profile> builtinProfile(const std::string& name);

/// Parses "401", "200-499", "200,301-302": true when `status` is listed (empty: any).
bool statusMatches(const std::string& expected, int status);

}  // namespace spindle::netcheck
