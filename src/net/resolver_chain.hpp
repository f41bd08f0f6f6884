#pragma once
/// The DNS chain every outbound connection of Spindle resolves through: the preferred servers
/// (Google DNS 8.8.8.8 and 8.8.4.4 by default), then the configured static servers, then the
/// system's (DHCP) servers from /etc/resolv.conf. Each server gets its own timeout; the chain
/// remembers which server works, asks it first, and now and then re-probes the preferred
/// ones so it moves back when they answer again. A server that answers REFUSED or "no such
/// name" is up: the lookup goes on to the next server, but it is not demoted.
///
/// Usage from Asio code:
///   auto chain = ResolverChain::create(ioc.get_executor(), options).value();
///   chain->resolve("api.example.com", 443, myStrand,
///                  [](Result<ResolverChain::Endpoints> r) { /* runs on myStrand */ });

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include "base/error.hpp"
#include "base/time.hpp"
#include "base/units.hpp"
#include "net/server_address.hpp"

namespace spindle::net {

class AresChannel;

/// Where a server in the chain comes from.
enum class DnsSource {
  kPreferred,   ///< the servers asked first (Google DNS unless configured otherwise)
  kConfigured,  ///< static servers from the configuration (the management page)
  kSystem,      ///< from /etc/resolv.conf, i.e. DHCP or the OS
};
const char* toString(DnsSource source);

struct DnsServer {
  ServerAddress address;  ///< where queries go
  DnsSource source = DnsSource::kConfigured;
  std::string label;  ///< how to name it to people; empty: address.toString()

  std::string name() const { return label.empty() ? address.toString() : label; }
};

/// preferred + configured + system, in that order; a server listed twice keeps its first place.
std::vector<DnsServer> buildDnsChain(const std::vector<ServerAddress>& preferred,
                                     const std::vector<ServerAddress>& configured,
                                     const std::vector<ServerAddress>& system);

struct ResolverOptions {
  std::vector<DnsServer> servers;              ///< in order of preference; see buildDnsChain
  Duration timeout = std::chrono::seconds(2);  ///< per server and query
  Duration reprobeInterval = std::chrono::minutes(5);  ///< how often to retry better servers
  bool hostsFile = true;  ///< answer names in /etc/hosts from there first
  bool ipv6 = false;      ///< also ask for AAAA records
};

enum class DnsOutcome {
  kAnswered,       ///< addresses came back
  kNoSuchName,     ///< the server answered that the name has no address (it works)
  kTimeout,        ///< no answer within the timeout: blocked or down
  kRefused,        ///< the server answered REFUSED: it is up but will not resolve this query
  kUnreachable,    ///< ICMP unreachable: nothing answers DNS at that address
  kNoRoute,        ///< this host has no route to the server (no network, no gateway)
  kServerFailure,  ///< SERVFAIL: the server could not resolve it upstream
  kError,          ///< anything else (malformed answer, local error)
  kCancelled,      ///< stop() was called
};
const char* toString(DnsOutcome outcome);

/// One query to one server.
struct DnsAttempt {
  std::size_t server = 0;  ///< index into servers()
  DnsOutcome outcome = DnsOutcome::kError;
  std::vector<boost::asio::ip::address> addresses;
  Duration elapsed{0};
  std::string message;  ///< c-ares's words for the outcome
};

struct DnsServerHealth {
  DnsServer server;
  std::optional<DnsOutcome> last;  ///< nullopt: never asked
  std::string lastMessage;
  TimestampNs lastAt = 0;
  std::uint64_t responses = 0;  ///< answers and no-such-name replies
  std::uint64_t failures = 0;   ///< timeouts, refusals, server failures, errors
};

struct ResolverStatus {
  std::size_t current = 0;  ///< index of the server asked first now
  std::vector<DnsServerHealth> servers;
};

class ResolverChain : public std::enable_shared_from_this<ResolverChain> {
 public:
  using Endpoints = std::vector<boost::asio::ip::tcp::endpoint>;
  using Callback = std::function<void(Result<Endpoints>)>;

  /// Creates the chain on `executor` (it makes its own strand). Fails when c-ares rejects a
  /// server. An empty server list is allowed: names then fail with kUnavailable (IP literals
  /// and /etc/hosts still work).
  static Result<std::shared_ptr<ResolverChain>> create(boost::asio::any_io_executor executor,
                                                       ResolverOptions options);
  ~ResolverChain();
  ResolverChain(const ResolverChain&) = delete;
  ResolverChain& operator=(const ResolverChain&) = delete;

  /// Resolves `host` (a name or an IP literal) to endpoints on `port`. Thread-safe; returns at
  /// once. `callback` runs exactly once, on `where` (default: the chain's strand), never
  /// inline. Errors: kNotFound when every server that answered said the name does not exist;
  /// kUnavailable when no server answered (the message names each server and what happened).
  void resolve(std::string host, std::uint16_t port, Callback callback);
  void resolve(std::string host, std::uint16_t port, boost::asio::any_io_executor where,
               Callback callback);

  /// Asks exactly server `index` for `host`, ignoring the hosts file; feeds what it learns to
  /// the chain (a preferred server that answers becomes current again). For diagnostics.
  /// `callback` runs on the chain's strand.
  void probe(std::size_t index, std::string host, std::function<void(DnsAttempt)> callback);

  /// Cancels pending lookups (their callbacks get kUnavailable "resolver stopped"); later
  /// calls fail at once. Idempotent, thread-safe.
  void stop();

  /// Replaces the servers and timeouts (a changed `net:` section, e.g. from the management
  /// page). Lookups in flight start again on the new list, so none waits on a server that is
  /// no longer configured; health and the server asked first start afresh. Thread-safe; the
  /// change lands on the chain's strand soon after. kInvalidArgument (nothing changed) when a
  /// server is not an IP address.
  Status reconfigure(ResolverOptions options);

  /// A snapshot for health pages. Thread-safe.
  ResolverStatus status() const;
  /// The servers in order, a copy (reconfigure() may replace them). Thread-safe.
  std::vector<DnsServer> servers() const;

 private:
  struct Job;
  using Strand = boost::asio::strand<boost::asio::any_io_executor>;

  ResolverChain(Strand strand, ResolverOptions options);
  void start(const std::shared_ptr<Job>& job);
  void attempt(const std::shared_ptr<Job>& job);
  void onAttempt(const std::shared_ptr<Job>& job, const DnsAttempt& attempt);
  void finish(const std::shared_ptr<Job>& job, Result<Endpoints> result);
  void ask(std::size_t index, const std::string& host, bool hostsFile,
           std::function<void(DnsAttempt)> done);
  void learn(const DnsAttempt& attempt);
  void moveTo(std::size_t index);  ///< with m_mutex held
  void maybeReprobe(const std::string& host);
  /// The channels for `options.servers` (one per server), or the first error.
  Result<std::vector<std::shared_ptr<AresChannel>>> makeChannels(
      const ResolverOptions& options) const;

  Strand m_strand;
  /// Written only on the strand, and then with m_mutex held: the strand reads it freely,
  /// other threads under m_mutex (servers()).
  ResolverOptions m_options;
  /// Bumped by each reconfigure: an answer from an older generation's channel is not learned
  /// from, and its lookup starts again on the current servers.
  std::uint64_t m_generation = 0;
  std::vector<std::shared_ptr<AresChannel>> m_channels;       ///< hosts file first
  std::vector<std::shared_ptr<AresChannel>> m_probeChannels;  ///< DNS only
  bool m_stopped = false;
  std::chrono::steady_clock::time_point m_nextReprobe{};
  mutable std::mutex m_mutex;  ///< guards m_current and m_health for status()
  std::size_t m_current = 0;
  std::vector<DnsServerHealth> m_health;
};

}  // namespace spindle::net
