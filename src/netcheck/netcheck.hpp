#pragma once
/// netcheck: proves, row by row, that the network meets a requirements profile, and says what
/// to fix. The same function serves `spindle netcheck`, the web page and remote diagnostics.
///
///   NetcheckRequest request;
///   request.profile = builtinProfile("commercial").value();
///   auto report = runNetcheck(request);            // blocks; or runNetcheckAsync(...)
///   std::cout << renderTable(report.value());      // or toJson(report.value())

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "base/error.hpp"
#include "base/units.hpp"
#include "net/http/http_client.hpp"
#include "net/proxy.hpp"
#include "netcheck/check_result.hpp"
#include "netcheck/http_target.hpp"
#include "netcheck/machine_targets.hpp"
#include "netcheck/profile.hpp"
#include "netcheck/target_map.hpp"

namespace spindle::netcheck {

struct NetcheckRequest {
  Profile profile;
  TargetMap map;                        ///< --map overrides
  std::vector<MachineTarget> machines;  ///< machine-side ports to check
  /// The preferred DNS servers (IP[:port]); empty: the profile's (Google DNS).
  std::vector<std::string> dnsPreferred;
  std::vector<std::string> dnsServers;          ///< the configured static DNS servers, IP[:port]
  std::string resolvConf = "/etc/resolv.conf";  ///< system servers; "" for none
  std::string dnsLookup;  ///< the name each DNS server is asked; empty: the profile's
  /// NTP servers to check (host[:port]); empty: the profile's.
  std::vector<std::string> ntpServers;
  Duration timeout = std::chrono::seconds(5);     ///< per check (each stage of a connection)
  Duration dnsTimeout = std::chrono::seconds(2);  ///< per DNS server; capped at `timeout`
  std::size_t parallel = 16;                      ///< checks in flight at once
  std::string caFile;  ///< extra trusted CAs (PEM), beside the system trust store
  /// Send nothing outside 127.0.0.0/8 and ::1: other targets are reported as skipped.
  /// For tests and demos.
  bool loopbackOnly = false;
  /// The HTTP proxy (net::proxySettings()); nullopt: everything direct. When set, every
  /// TLS/HTTPS endpoint whose host is not in its no_proxy is reached through a CONNECT tunnel
  /// (its name resolved by the proxy, or its --map address), and a `proxy` row checks the
  /// proxy itself. NATS endpoints stay direct, as the NATS link does; the report says so.
  std::optional<net::ProxySettings> proxy;
  /// The endpoints this edge's configuration names (app/netcheck_targets.hpp): one `api` row
  /// each, required, requested through an HttpClient made from `httpClient`.
  std::vector<HttpTarget> httpTargets;
  /// The edge's client options (net::http::clientOptions: `https:` trust and pins, edge id).
  /// netcheck replaces three things so the rows prove this run's settings and stay bounded:
  /// `proxy` becomes the request's proxy above, `resolver` this run's DNS chain, and there are
  /// no retries, with `timeout` as the limit of each request (and of its connection).
  /// Unset: the client's defaults. `caFile` above does not apply: only the edge's trust does.
  std::optional<net::http::HttpClientOptions> httpClient;
};

/// Checks the request before anything is sent: a readable caFile, parsable server addresses,
/// a positive timeout and parallelism, a proxy with a host and a port. kInvalidArgument naming
/// the problem.
Status validateRequest(const NetcheckRequest& request);

/// Runs every check on `executor` (it makes its own strand; any thread count). Returns at
/// once; `done` runs once with the report, on that strand. Every check has a timeout, so a
/// black-holed network delays the report by a bounded time, never forever. Errors only for
/// an invalid request.
void runNetcheckAsync(boost::asio::any_io_executor executor, NetcheckRequest request,
                      std::function<void(Result<NetcheckReport>)> done);

/// The same, blocking the calling thread (it runs its own io_context).
Result<NetcheckReport> runNetcheck(NetcheckRequest request);

}  // namespace spindle::netcheck
