#pragma once
/// The checks themselves, as coroutines on the run's strand. Internal to netcheck: the public
/// entry point is runNetcheck(). Each fills rows the driver prepared (kind, target, what and
/// required are set; the check sets status, address, detail, cause, remedy, facts, elapsed).
/// Arguments are references to what the run owns (see awaitCallback on GCC 12).

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "net/http/http_client.hpp"
#include "net/proxy.hpp"
#include "net/resolver_chain.hpp"
#include "net/server_address.hpp"
#include "netcheck/check_result.hpp"
#include "netcheck/http_target.hpp"
#include "netcheck/machine_targets.hpp"
#include "netcheck/profile.hpp"
#include "netcheck/target_map.hpp"

namespace spindle::netcheck::detail {

struct RunContext {
  boost::asio::any_io_executor executor;  ///< the run's strand
  std::shared_ptr<net::ResolverChain> resolver;
  boost::asio::ssl::context* tls = nullptr;
  const TargetMap* map = nullptr;
  bool loopbackOnly = false;
  Duration timeout{0};     ///< per check stage
  Duration dnsTimeout{0};  ///< per DNS server
  /// The traffic a DPI bypass rule must cover, for remedies: "the cloud domains: a, b, ...".
  std::string bypass;
  /// Set after the DNS rows when no server answered: names then fail at once instead of
  /// waiting for every server's timeout again.
  bool dnsDead = false;
  /// Set with dnsDead when every DNS server was out of route: the edge has no network at all.
  bool noNetwork = false;
  /// The HTTP proxy for TLS/HTTPS endpoints (those not in its no_proxy); null: all direct.
  const net::ProxySettings* proxy = nullptr;
  /// The edge's HTTP client for the configured endpoints (`api` rows), with the options it was
  /// made with (the proxy above, this run's DNS chain, no retries); null when there are none.
  net::http::HttpClient* http = nullptr;
  const net::http::HttpClientOptions* httpOptions = nullptr;
};

/// Asks DNS server `index` of the chain for `lookup`.
boost::asio::awaitable<void> checkDnsServer(RunContext& ctx, std::size_t index,
                                            const std::string& lookup, CheckResult& row);

/// One SNTP exchange with `server` (mapped, or resolved through the chain).
boost::asio::awaitable<void> checkNtpServer(RunContext& ctx, const net::ServerAddress& server,
                                            CheckResult& row);

/// The rows of one endpoint; null for stages it does not have.
struct EndpointRows {
  CheckResult* tcp = nullptr;
  CheckResult* tls = nullptr;
  CheckResult* https = nullptr;
  CheckResult* nats = nullptr;
};

/// TCP, then TLS and HTTPS, or NATS, on one connection; a failed stage skips the next.
boost::asio::awaitable<void> checkEndpoint(RunContext& ctx, const Endpoint& endpoint,
                                           EndpointRows rows);

/// True when `endpoint`'s traffic goes through ctx.proxy: a TLS (HTTPS) endpoint whose host is
/// not in no_proxy. NATS and plain TCP checks always go direct, as the NATS link does.
bool usesProxy(const RunContext& ctx, const Endpoint& endpoint);

/// Connects to the proxy and opens a CONNECT tunnel to `endpoint` on `socket` (a --map rule
/// names the tunnel's far end; otherwise the proxy resolves the name). Fills `tcpRow` with the
/// tunnel's outcome and its proxy-specific cause and remedy. Returns "" when the tunnel is
/// open, else why the next stages do not run.
boost::asio::awaitable<std::string> openTunnel(RunContext& ctx, const Endpoint& endpoint,
                                               boost::asio::ip::tcp::socket& socket,
                                               CheckResult& tcpRow);

/// The proxy's own row: TCP to it (resolved through the DNS chain).
boost::asio::awaitable<void> checkProxy(RunContext& ctx, CheckResult& row);

/// The report note when a proxy is set and the profile has NATS endpoints: they go direct.
std::string natsDirectNote(const net::ProxySettings& proxy, const Profile& profile);

// Shared by the connection checks (connection_checks.cpp, proxy_checks.cpp).

/// "127.0.0.1:443", "[::1]:443".
std::string endpointText(const boost::asio::ip::tcp::endpoint& endpoint);
/// "1.2 ms".
std::string millisText(std::chrono::steady_clock::duration d);

/// Resolves host:port (a --map rule, an IP literal, or the DNS chain) and applies
/// --loopback-only. False (row filled: fail or skip) when there is nowhere to connect.
boost::asio::awaitable<bool> prepare(RunContext& ctx, const std::string& host, std::uint16_t port,
                                     std::vector<boost::asio::ip::tcp::endpoint>& out,
                                     CheckResult& row);

struct Connected {
  boost::system::error_code ec;
  bool timedOut = false;
  boost::asio::ip::tcp::endpoint endpoint;
  std::chrono::steady_clock::duration took{};
};

/// Connects `socket` to the first of `to` that answers, within ctx.timeout.
boost::asio::awaitable<Connected> connectTcp(RunContext& ctx, boost::asio::ip::tcp::socket& socket,
                                             const std::vector<boost::asio::ip::tcp::endpoint>& to);

/// Fills a TCP (or machine, or proxy) row from a connection attempt. `allow` names the traffic
/// to allow in the remedy.
void judgeTcp(const Connected& c, const std::vector<boost::asio::ip::tcp::endpoint>& to,
              const std::string& allow, Duration timeout, CheckResult& row);

/// True when the client sends `target`'s request through its proxy (the host is not in
/// no_proxy). False without a proxy or for a URL that does not parse.
bool httpTargetUsesProxy(const net::http::HttpClientOptions& options, const HttpTarget& target);

/// One configured endpoint through ctx.http: the name the client connects to (the proxy's,
/// or the endpoint's) resolved through the chain first (--loopback-only applied, and a dead
/// DNS failing at once), then the role's request with ctx.timeout and no retry.
boost::asio::awaitable<void> checkHttpTarget(RunContext& ctx, const HttpTarget& target,
                                             CheckResult& row);

/// A TCP connection to a machine's protocol port.
boost::asio::awaitable<void> checkMachine(RunContext& ctx, const MachineTarget& machine,
                                          CheckResult& row);

}  // namespace spindle::netcheck::detail
