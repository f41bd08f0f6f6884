#pragma once
/// What netcheck found: one result per check, each with a cause and a remedy a plant IT person
/// can act on, and the report that gathers them (rendered as a table or as JSON).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/time.hpp"
#include "base/units.hpp"

namespace spindle::netcheck {

enum class CheckKind {
  kDns,      ///< one DNS server of the chain, or the chain as a whole
  kNtp,      ///< one NTP server
  kClock,    ///< the edge's clock against NTP
  kTcp,      ///< a TCP connection to a domain or static IP
  kTls,      ///< the TLS handshake, chain and hostname on 443
  kHttps,    ///< the service behind an HTTPS endpoint answers as expected
  kNats,     ///< NATS INFO read, TLS negotiated as the server asks
  kMachine,  ///< a configured machine's protocol port
  kProxy,    ///< the HTTP proxy the HTTPS checks go through (TCP to it)
  /// An endpoint this edge's configuration names (the cloud API, the HTTPS uplink, crash
  /// reports, the adapter store), requested through the edge's own HTTP client.
  kApi,
};
const char* toString(CheckKind kind);

enum class CheckStatus {
  kPass,
  kWarn,  ///< works, but not as the requirements sheet intends (e.g. a DNS fallback in use)
  kFail,
  kSkip,  ///< not run: an earlier stage failed, or the target is outside --loopback-only
};
const char* toString(CheckStatus status);

struct CheckResult {
  CheckKind kind = CheckKind::kTcp;
  CheckStatus status = CheckStatus::kSkip;
  bool required = true;  ///< a failed required check makes the run fail (exit 1)
  std::string target;    ///< what the sheet names: "api.machinemetrics.com:443", "8.8.8.8:53"
  std::string address;   ///< where traffic went: "52.1.2.3:443"; empty when nothing was sent
  std::string what;      ///< the requirement, from the sheet
  std::string detail;    ///< what was seen, one line
  std::string cause;     ///< why it failed or warns (empty on pass)
  std::string remedy;    ///< what to change (empty on pass)
  Duration elapsed{0};
  nlohmann::json facts = nlohmann::json::object();  ///< typed details per kind (docs/network.md)

  /// "tls:api.machinemetrics.com:443": unique within a report.
  std::string id() const { return std::string(toString(kind)) + ":" + target; }
};

/// Deep packet inspection seen on TLS connections: who re-signed the traffic, and where.
struct DpiFinding {
  bool detected = false;
  std::vector<std::string> issuers;    ///< the inspecting CAs, as "CN (O)"
  std::vector<std::string> endpoints;  ///< targets where it was seen
  std::vector<std::string> bypass;     ///< every domain and IP to exempt from inspection
};

struct NetcheckReport {
  std::string profile;      ///< profile name
  std::string description;  ///< profile description
  TimestampNs started = 0;
  Duration elapsed{0};
  std::vector<CheckResult> checks;
  DpiFinding dpi;
  /// Sentences about the run as a whole ("the NATS rows were checked direct, ...").
  std::vector<std::string> notes;

  std::size_t count(CheckStatus status) const;
  /// Required checks that failed.
  std::size_t requiredFailures() const;
  /// True when every required check passed (warnings allowed).
  bool ok() const { return requiredFailures() == 0; }
};

/// The report as JSON (schema "spindle.netcheck/1", documented in docs/network.md).
nlohmann::json toJson(const NetcheckReport& report);

/// The report as a table for people: one line per check, cause and remedy under each
/// failure or warning, the DPI finding and a one-line verdict at the end.
std::string renderTable(const NetcheckReport& report);

}  // namespace spindle::netcheck
