#pragma once
/// The checks themselves, as coroutines on the run's strand. Internal to netcheck: the public
/// entry point is runNetcheck(). Each fills rows the driver prepared (kind, target, what and
/// required are set; the check sets status, address, detail, cause, remedy, facts, elapsed).
/// Arguments are references to what the run owns (see awaitCallback on GCC 12).

#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include "net/resolver_chain.hpp"
#include "net/server_address.hpp"
#include "netcheck/check_result.hpp"
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

/// A TCP connection to a machine's protocol port.
boost::asio::awaitable<void> checkMachine(RunContext& ctx, const MachineTarget& machine,
                                          CheckResult& row);

}  // namespace spindle::netcheck::detail
