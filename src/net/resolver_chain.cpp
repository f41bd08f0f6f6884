#include "net/resolver_chain.hpp"

#include <cerrno>
#include <system_error>
#include <tuple>

#include <ares.h>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.hpp"
#include "net/ares_channel.hpp"

namespace spindle::net {
namespace {

namespace asio = boost::asio;

DnsOutcome classify(int status) {
  switch (status) {
    case ARES_SUCCESS:
      return DnsOutcome::kAnswered;
    case ARES_ENOTFOUND:
    case ARES_ENODATA:
      return DnsOutcome::kNoSuchName;
    case ARES_ETIMEOUT:
      return DnsOutcome::kTimeout;
    case ARES_ECONNREFUSED:  // c-ares's word for a failed send: see unreachable()
      return DnsOutcome::kUnreachable;
    case ARES_EREFUSED:
      return DnsOutcome::kRefused;
    case ARES_ESERVFAIL:
      return DnsOutcome::kServerFailure;
    case ARES_ECANCELLED:
    case ARES_EDESTRUCTION:
      return DnsOutcome::kCancelled;
    default:
      return DnsOutcome::kError;
  }
}

bool responsive(DnsOutcome outcome) {
  return outcome == DnsOutcome::kAnswered || outcome == DnsOutcome::kNoSuchName;
}

/// A server to move away from: its last attempt failed, and not by an answer (a REFUSED answer
/// comes from a live server that refuses this one query, so it is no reason to demote it).
bool failing(const DnsServerHealth& health) {
  return health.last && !responsive(*health.last) && *health.last != DnsOutcome::kRefused;
}

/// c-ares reports a send that failed, and an ICMP unreachable, both as ECONNREFUSED: a UDP
/// connect (a route lookup, nothing is sent) tells "no route from here" apart. Returns the
/// outcome and the words for it.
std::pair<DnsOutcome, std::string> unreachable(const ServerAddress& server) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(server.host, ec);
  if (!ec) {
    const asio::ip::udp::endpoint to(address, server.port);
    const int fd = ::socket(to.protocol().family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
      const int rc = ::connect(fd, to.data(), static_cast<socklen_t>(to.size()));
      const int error = rc == 0 ? 0 : errno;
      ::close(fd);
      if (error == ENETUNREACH || error == EHOSTUNREACH) {
        return {DnsOutcome::kNoRoute, "no route to " + server.host + " (" +
                                          std::system_category().message(error) +
                                          "): this host has no network path there"};
      }
    }
  }
  return {DnsOutcome::kUnreachable, "nothing answers DNS there (ICMP unreachable)"};
}

std::string describeAttempt(const DnsServer& server, const DnsAttempt& attempt, Duration timeout) {
  std::string out = server.name() + " ";
  switch (attempt.outcome) {
    case DnsOutcome::kTimeout:
      return out + "timed out after " + formatDuration(timeout);
    case DnsOutcome::kRefused:
      return out + "refused the query (REFUSED)";
    case DnsOutcome::kUnreachable:
    case DnsOutcome::kNoRoute:
      return out + "unreachable (" + attempt.message + ")";
    case DnsOutcome::kNoSuchName:
      return out + "has no address for it";
    case DnsOutcome::kServerFailure:
      return out + "failed (SERVFAIL)";
    default:
      return out + attempt.message;
  }
}

}  // namespace

const char* toString(DnsSource source) {
  switch (source) {
    case DnsSource::kPreferred:
      return "preferred";
    case DnsSource::kConfigured:
      return "configured";
    case DnsSource::kSystem:
      return "system";
  }
  return "configured";
}

const char* toString(DnsOutcome outcome) {
  switch (outcome) {
    case DnsOutcome::kAnswered:
      return "answered";
    case DnsOutcome::kNoSuchName:
      return "no_such_name";
    case DnsOutcome::kTimeout:
      return "timeout";
    case DnsOutcome::kRefused:
      return "refused";
    case DnsOutcome::kUnreachable:
      return "unreachable";
    case DnsOutcome::kNoRoute:
      return "no_route";
    case DnsOutcome::kServerFailure:
      return "server_failure";
    case DnsOutcome::kError:
      return "error";
    case DnsOutcome::kCancelled:
      return "cancelled";
  }
  return "error";
}

std::vector<DnsServer> buildDnsChain(const std::vector<ServerAddress>& preferred,
                                     const std::vector<ServerAddress>& configured,
                                     const std::vector<ServerAddress>& system) {
  std::vector<DnsServer> out;
  auto add = [&out](const std::vector<ServerAddress>& list, DnsSource source) {
    for (const auto& address : list) {
      const bool seen = std::any_of(out.begin(), out.end(),
                                    [&](const DnsServer& s) { return s.address == address; });
      if (!seen) out.push_back(DnsServer{address, source, ""});
    }
  };
  add(preferred, DnsSource::kPreferred);
  add(configured, DnsSource::kConfigured);
  add(system, DnsSource::kSystem);
  return out;
}

struct ResolverChain::Job {
  std::string host;
  std::uint16_t port = 0;
  asio::any_io_executor where;
  Callback callback;
  std::vector<std::size_t> order;  ///< servers to ask, in turn
  std::size_t next = 0;
  bool sawNoSuchName = false;
  std::string failures;
  std::uint64_t generation = 0;  ///< of the servers `order` indexes
};

ResolverChain::ResolverChain(Strand strand, ResolverOptions options)
    : m_strand(std::move(strand)), m_options(std::move(options)) {
  for (const auto& server : m_options.servers) m_health.push_back(DnsServerHealth{server});
}

ResolverChain::~ResolverChain() = default;

Result<std::shared_ptr<ResolverChain>> ResolverChain::create(asio::any_io_executor executor,
                                                             ResolverOptions options) {
  Strand strand = asio::make_strand(executor);
  std::shared_ptr<ResolverChain> chain(new ResolverChain(strand, std::move(options)));
  auto channels = chain->makeChannels(chain->m_options);
  if (!channels) return std::move(channels).error();
  chain->m_channels = std::move(channels).value();
  chain->m_probeChannels.resize(chain->m_channels.size());
  return chain;
}

Result<std::vector<std::shared_ptr<AresChannel>>> ResolverChain::makeChannels(
    const ResolverOptions& options) const {
  std::vector<std::shared_ptr<AresChannel>> out;
  for (const auto& server : options.servers) {
    if (!server.address.isIpLiteral()) {
      return Error(ErrorCode::kInvalidArgument,
                   "DNS server '" + server.address.host + "' must be an IP address");
    }
    auto channel =
        AresChannel::create(m_strand, server.address, options.timeout, options.hostsFile);
    if (!channel) return std::move(channel).error();
    out.push_back(std::move(channel).value());
  }
  return out;
}

Status ResolverChain::reconfigure(ResolverOptions options) {
  for (const auto& server : options.servers) {
    if (!server.address.isIpLiteral()) {
      return Error(ErrorCode::kInvalidArgument,
                   "DNS server '" + server.address.host + "' must be an IP address");
    }
  }
  asio::post(m_strand, [self = shared_from_this(), options = std::move(options)]() mutable {
    if (self->m_stopped) return;
    auto log = makeLogger("net.dns");
    auto channels = self->makeChannels(options);
    if (!channels) {
      log->error("DNS servers not changed: {}", channels.error().describe());
      return;
    }
    auto old = std::move(self->m_channels);
    auto oldProbes = std::move(self->m_probeChannels);
    self->m_channels = std::move(channels).value();
    self->m_probeChannels.assign(self->m_channels.size(), nullptr);
    {
      std::lock_guard lock(self->m_mutex);
      self->m_options = std::move(options);
      self->m_health.clear();
      for (const auto& server : self->m_options.servers) {
        self->m_health.push_back(DnsServerHealth{server});
      }
      self->m_current = 0;
      ++self->m_generation;
    }
    self->m_nextReprobe = {};
    // Lookups on the old channels end as cancelled; onAttempt sees the older generation and
    // starts them again on the new servers.
    for (auto& channel : old) channel->cancel();
    for (auto& channel : oldProbes) {
      if (channel) channel->cancel();
    }
    std::string names;
    for (const auto& server : self->m_options.servers) {
      names += (names.empty() ? "" : ", ") + server.name() + " (" + toString(server.source) + ")";
    }
    log->info("DNS servers now {}", names.empty() ? "none" : names);
  });
  return okStatus();
}

std::vector<DnsServer> ResolverChain::servers() const {
  std::lock_guard lock(m_mutex);
  return m_options.servers;
}

void ResolverChain::resolve(std::string host, std::uint16_t port, Callback callback) {
  resolve(std::move(host), port, m_strand, std::move(callback));
}

void ResolverChain::resolve(std::string host, std::uint16_t port, asio::any_io_executor where,
                            Callback callback) {
  auto job = std::make_shared<Job>();
  job->host = std::move(host);
  job->port = port;
  job->where = std::move(where);
  job->callback = std::move(callback);
  asio::post(m_strand, [self = shared_from_this(), job] { self->start(job); });
}

void ResolverChain::start(const std::shared_ptr<Job>& job) {
  if (m_stopped) {
    finish(job, Error(ErrorCode::kUnavailable, "resolver stopped"));
    return;
  }
  boost::system::error_code ec;
  const auto literal = asio::ip::make_address(job->host, ec);
  if (!ec) {
    finish(job, Endpoints{asio::ip::tcp::endpoint(literal, job->port)});
    return;
  }
  if (job->host.empty()) {
    finish(job, Error(ErrorCode::kInvalidArgument, "empty host name"));
    return;
  }
  if (m_channels.empty()) {
    finish(job, Error(ErrorCode::kUnavailable,
                      "cannot resolve '" + job->host + "': no DNS servers configured"));
    return;
  }
  std::size_t current = 0;
  {
    std::lock_guard lock(m_mutex);
    current = m_current;
  }
  job->generation = m_generation;
  job->order.clear();
  job->next = 0;
  job->sawNoSuchName = false;
  job->failures.clear();
  job->order.push_back(current);
  for (std::size_t i = 0; i < m_channels.size(); ++i) {
    if (i != current) job->order.push_back(i);
  }
  maybeReprobe(job->host);
  attempt(job);
}

void ResolverChain::attempt(const std::shared_ptr<Job>& job) {
  if (job->next == job->order.size()) {
    if (job->sawNoSuchName) {
      finish(job, Error(ErrorCode::kNotFound,
                        "'" + job->host + "' has no address in DNS (" + job->failures + ")"));
    } else {
      finish(job, Error(ErrorCode::kUnavailable,
                        "no DNS server answered for '" + job->host + "': " + job->failures));
    }
    return;
  }
  const std::size_t index = job->order[job->next++];
  ask(index, job->host, m_options.hostsFile,
      [self = shared_from_this(), job](DnsAttempt a) { self->onAttempt(job, a); });
}

void ResolverChain::onAttempt(const std::shared_ptr<Job>& job, const DnsAttempt& a) {
  if (job->generation != m_generation && !m_stopped) {
    start(job);  // the servers changed while it waited: ask the new ones
    return;
  }
  learn(a);
  if (m_stopped || a.outcome == DnsOutcome::kCancelled) {
    finish(job, Error(ErrorCode::kUnavailable, "resolver stopped"));
    return;
  }
  if (a.outcome == DnsOutcome::kAnswered) {
    Endpoints endpoints;
    for (const auto& address : a.addresses) endpoints.emplace_back(address, job->port);
    finish(job, std::move(endpoints));
    return;
  }
  if (a.outcome == DnsOutcome::kNoSuchName) job->sawNoSuchName = true;
  if (!job->failures.empty()) job->failures += "; ";
  job->failures += describeAttempt(m_options.servers[a.server], a, m_options.timeout);
  attempt(job);
}

void ResolverChain::finish(const std::shared_ptr<Job>& job, Result<Endpoints> result) {
  asio::post(job->where, [callback = std::move(job->callback), result = std::move(result)] {
    callback(result);
  });
}

void ResolverChain::probe(std::size_t index, std::string host,
                          std::function<void(DnsAttempt)> callback) {
  asio::post(m_strand, [self = shared_from_this(), index, host = std::move(host),
                        callback = std::move(callback)]() mutable {
    if (index >= self->m_channels.size() || self->m_stopped) {
      DnsAttempt a;
      a.server = index;
      a.outcome = self->m_stopped ? DnsOutcome::kCancelled : DnsOutcome::kError;
      a.message = self->m_stopped ? "resolver stopped" : "no such server";
      callback(a);
      return;
    }
    const std::uint64_t generation = self->m_generation;
    self->ask(index, host, false, [self, generation, callback = std::move(callback)](DnsAttempt a) {
      if (generation == self->m_generation) self->learn(a);
      callback(a);
    });
  });
}

void ResolverChain::ask(std::size_t index, const std::string& host, bool hostsFile,
                        std::function<void(DnsAttempt)> done) {
  std::shared_ptr<AresChannel>* channel = &m_channels[index];
  if (!hostsFile && m_options.hostsFile) {
    channel = &m_probeChannels[index];
    if (!*channel) {
      auto made =
          AresChannel::create(m_strand, m_options.servers[index].address, m_options.timeout, false);
      if (!made) {
        DnsAttempt a;
        a.server = index;
        a.message = made.error().describe();
        asio::post(m_strand, [done = std::move(done), a] { done(a); });
        return;
      }
      *channel = std::move(made).value();
    }
  }
  // c-ares may call back from inside lookup() or from its processing: continue on a fresh
  // turn of the strand so the chain never re-enters c-ares from a c-ares callback.
  (*channel)->lookup(host, m_options.ipv6,
                     [self = shared_from_this(), index, address = m_options.servers[index].address,
                      done = std::move(done)](AresAnswer ans) {
                       DnsAttempt a;
                       a.server = index;
                       a.outcome = classify(ans.status);
                       a.addresses = std::move(ans.addresses);
                       a.elapsed = ans.elapsed;
                       a.message = aresStatusText(ans.status);
                       if (ans.status == ARES_EREFUSED) {
                         a.message = "the server answered REFUSED";
                       } else if (ans.status == ARES_ECONNREFUSED) {
                         std::tie(a.outcome, a.message) = unreachable(address);
                       }
                       asio::post(self->m_strand, [done, a = std::move(a)] { done(a); });
                     });
}

void ResolverChain::learn(const DnsAttempt& a) {
  if (a.outcome == DnsOutcome::kCancelled || a.server >= m_health.size()) return;
  std::lock_guard lock(m_mutex);
  DnsServerHealth& health = m_health[a.server];
  health.last = a.outcome;
  health.lastMessage = a.message;
  health.lastAt = wallClockNs();
  const bool works = responsive(a.outcome);
  ++(works ? health.responses : health.failures);
  if (works) {
    if (a.server != m_current && (a.server < m_current || failing(m_health[m_current]))) {
      moveTo(a.server);
    }
    return;
  }
  // The server asked first failed: later lookups go first to the best server known to answer
  // (a probe may have found it before this failure came in), not through this timeout again.
  if (a.server != m_current || !failing(health)) return;
  for (std::size_t i = 0; i < m_health.size(); ++i) {
    if (i != m_current && m_health[i].last && responsive(*m_health[i].last)) {
      moveTo(i);
      return;
    }
  }
}

void ResolverChain::moveTo(std::size_t index) {
  const auto& was = m_health[m_current];
  const auto& next = m_health[index];
  makeLogger("net.dns")->info(
      "DNS now asks {} ({}) first{}", next.server.name(), toString(next.server.source),
      failing(was) ? "; " + was.server.name() + " " + toString(*was.last) : "");
  m_current = index;
  m_nextReprobe = std::chrono::steady_clock::now() + m_options.reprobeInterval;
}

void ResolverChain::maybeReprobe(const std::string& host) {
  std::size_t current = 0;
  {
    std::lock_guard lock(m_mutex);
    current = m_current;
  }
  const auto now = std::chrono::steady_clock::now();
  if (current == 0 || now < m_nextReprobe) return;
  m_nextReprobe = now + m_options.reprobeInterval;
  for (std::size_t i = 0; i < current; ++i) {
    ask(i, host, m_options.hostsFile,
        [self = shared_from_this(), generation = m_generation](DnsAttempt a) {
          if (generation == self->m_generation) self->learn(a);
        });
  }
}

void ResolverChain::stop() {
  asio::post(m_strand, [self = shared_from_this()] {
    self->m_stopped = true;
    for (auto& channel : self->m_channels) channel->cancel();
    for (auto& channel : self->m_probeChannels) {
      if (channel) channel->cancel();
    }
  });
}

ResolverStatus ResolverChain::status() const {
  std::lock_guard lock(m_mutex);
  return ResolverStatus{m_current, m_health};
}

}  // namespace spindle::net
