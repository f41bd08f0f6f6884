// The netcheck driver: lays out one row per check, runs the DNS probes first (so the chain
// knows which server works before anything else resolves), then every other check with
// bounded parallelism, then reads the groups (DNS chain, NTP and clock, DPI) as a whole.
#include "netcheck/netcheck.hpp"

#include <algorithm>
#include <fstream>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>

#include "net/clock_monitor.hpp"
#include "net/http/http_url.hpp"
#include "net/resolv_conf.hpp"
#include "netcheck/async_support.hpp"
#include "netcheck/probes.hpp"

namespace spindle::netcheck {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using detail::RunContext;

using Job = std::function<awaitable<void>()>;
constexpr std::size_t kNone = static_cast<std::size_t>(-1);

struct Run {
  NetcheckRequest request;
  NetcheckReport report;
  RunContext ctx;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::vector<Job> dnsJobs;
  std::vector<Job> jobs;
  std::vector<std::size_t> dnsRows;  ///< one per chain server, in chain order
  std::size_t dnsChainRow = 0;
  std::vector<std::size_t> ntpRows;
  std::size_t clockRow = 0;
  std::vector<std::string> bypass;
  std::chrono::steady_clock::time_point start;
  std::function<void(Result<NetcheckReport>)> done;
  /// The edge's HTTP client for the `api` rows, and the options it was made with.
  net::http::HttpClientOptions httpOptions;
  std::unique_ptr<net::http::HttpClient> http;
  std::vector<std::size_t> apiRows;
};

std::vector<net::ServerAddress> parseServers(const std::vector<std::string>& texts,
                                             std::uint16_t port, bool ipOnly) {
  std::vector<net::ServerAddress> out;
  for (const auto& t : texts) {
    auto parsed = ipOnly ? net::parseIpServerAddress(t, port) : net::parseServerAddress(t, port);
    if (parsed) out.push_back(*parsed);
  }
  return out;
}

std::size_t addRow(Run& run, CheckKind kind, std::string target, std::string what, bool required) {
  CheckResult row;
  row.kind = kind;
  row.target = std::move(target);
  row.what = std::move(what);
  row.required = required;
  run.report.checks.push_back(std::move(row));
  return run.report.checks.size() - 1;
}

/// Wraps a check so that an exception (a bug, or memory exhaustion) fails its row instead of
/// the whole run.
Job guarded(Run& run, std::size_t row, Job job) {
  return [&run, row, job = std::move(job)]() -> awaitable<void> {
    std::string failure;
    try {
      co_await job();
    } catch (const std::exception& e) {
      failure = e.what();
    }
    if (!failure.empty()) {
      auto& r = run.report.checks[row];
      r.status = CheckStatus::kFail;
      r.detail = "internal error: " + failure;
    }
  };
}

/// The DNS chain from the request: preferred (the profile's or the request's), configured,
/// then system servers; mapped servers keep their sheet name as the label.
Result<std::shared_ptr<net::ResolverChain>> makeChain(Run& run) {
  const auto& rq = run.request;
  std::vector<net::ServerAddress> system;
  if (!rq.resolvConf.empty()) {
    if (auto read = net::readResolvConf(rq.resolvConf)) system = *read;
  }
  auto servers = net::buildDnsChain(
      parseServers(rq.dnsPreferred.empty() ? rq.profile.dnsServers : rq.dnsPreferred, 53, true),
      parseServers(rq.dnsServers, 53, true), system);
  net::ResolverOptions options;
  options.timeout = std::min(rq.dnsTimeout, rq.timeout);
  options.hostsFile = true;
  for (auto& server : servers) {
    const std::string sheetName = server.address.toString();
    const std::string what =
        std::string("DNS (UDP 53), ") + net::toString(server.source) + " server";
    if (auto mapped = rq.map.find(server.address.host, server.address.port)) {
      server.address = *mapped;
    }
    const std::size_t row = addRow(run, CheckKind::kDns, sheetName, what, false);
    server.label = sheetName;
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(server.address.host, ec);
    if (rq.loopbackOnly && (ec || !net::isLoopback(address))) {
      auto& r = run.report.checks[row];
      r.status = CheckStatus::kSkip;
      r.detail = "not checked: " + server.address.toString() +
                 " is outside 127.0.0.0/8 and --loopback-only is set";
      continue;
    }
    options.servers.push_back(server);
    run.dnsRows.push_back(row);
  }
  run.dnsChainRow = addRow(run, CheckKind::kDns, "chain", "DNS resolution (UDP 53)", true);
  return net::ResolverChain::create(run.ctx.executor, options);
}

/// The proxy's own row, required when some endpoint goes through it, and the note that NATS
/// does not.
void layOutProxy(Run& run) {
  if (run.ctx.proxy == nullptr) return;
  const auto& endpoints = run.request.profile.endpoints;
  const auto& targets = run.request.httpTargets;
  const bool used =
      std::any_of(endpoints.begin(), endpoints.end(),
                  [&run](const Endpoint& ep) { return detail::usesProxy(run.ctx, ep); }) ||
      std::any_of(targets.begin(), targets.end(), [&run](const HttpTarget& t) {
        return detail::httpTargetUsesProxy(run.httpOptions, t);
      });
  const std::size_t row =
      addRow(run, CheckKind::kProxy, run.ctx.proxy->address(),
             "HTTP proxy for the HTTPS traffic (" + run.ctx.proxy->source + ")", used);
  run.jobs.push_back(guarded(run, row, [&run, row]() -> awaitable<void> {
    co_await detail::checkProxy(run.ctx, run.report.checks[row]);
  }));
  const std::string note = detail::natsDirectNote(*run.ctx.proxy, run.request.profile);
  if (!note.empty()) run.report.notes.push_back(note);
}

/// One `api` row per configured endpoint, through the edge's HTTP client.
void layOutHttpTargets(Run& run) {
  for (const auto& target : run.request.httpTargets) {
    const std::string name =
        target.url.empty() ? target.setting : net::http::redactUrlForMessage(target.url);
    const bool proxied = detail::httpTargetUsesProxy(run.httpOptions, target);
    const std::size_t row = addRow(
        run, CheckKind::kApi, name,
        target.what + (proxied ? ", through the HTTP proxy" : "") + " (the edge's HTTP client)",
        true);
    run.apiRows.push_back(row);
    const HttpTarget* t = &target;
    run.jobs.push_back(guarded(run, row, [&run, t, row]() -> awaitable<void> {
      co_await detail::checkHttpTarget(run.ctx, *t, run.report.checks[row]);
    }));
  }
}

void layOut(Run& run) {
  const auto& rq = run.request;
  for (std::size_t i = 0; i < run.dnsRows.size(); ++i) {
    const std::size_t row = run.dnsRows[i];
    const std::string lookup = rq.dnsLookup.empty() ? rq.profile.dnsLookup : rq.dnsLookup;
    run.dnsJobs.push_back(guarded(run, row, [&run, i, row, lookup]() -> awaitable<void> {
      co_await detail::checkDnsServer(run.ctx, i, lookup, run.report.checks[row]);
    }));
  }
  for (const auto& server :
       parseServers(rq.ntpServers.empty() ? rq.profile.ntpServers : rq.ntpServers, 123, false)) {
    const std::size_t row =
        addRow(run, CheckKind::kNtp, server.toString(), "Network Time Protocol (UDP 123)", false);
    run.ntpRows.push_back(row);
    run.jobs.push_back(guarded(run, row, [&run, server, row]() -> awaitable<void> {
      co_await detail::checkNtpServer(run.ctx, server, run.report.checks[row]);
    }));
  }
  run.clockRow =
      addRow(run, CheckKind::kClock, "clock",
             "clock within " + formatDuration(rq.profile.maxClockOffset) + " of NTP", true);
  std::set<std::string> bypass;
  for (const auto& ep : rq.profile.endpoints) {
    if (!ep.has(Stage::kTls) && !ep.has(Stage::kNats)) continue;
    const std::string name = ep.row.empty() ? ep.host : ep.row;
    if (bypass.insert(name).second) run.bypass.push_back(name);
  }
  std::string list;
  for (const auto& b : run.bypass) list += (list.empty() ? "" : ", ") + b;
  run.ctx.bypass = "this edge's traffic to " + list;
  layOutProxy(run);
  for (const auto& ep : rq.profile.endpoints) {
    const std::string what =
        (detail::usesProxy(run.ctx, ep) ? "CONNECT tunnel through the HTTP proxy to TCP "
                                        : "TCP ") +
        std::to_string(ep.port) + ": " + ep.what;
    const std::size_t tcp = addRow(run, CheckKind::kTcp, ep.target(), what, ep.required);
    std::size_t tls = kNone, https = kNone, nats = kNone;
    if (ep.has(Stage::kTls)) {
      tls = addRow(run, CheckKind::kTls, ep.target(), "TLS without inspection: " + ep.what,
                   ep.required);
    }
    if (ep.has(Stage::kHttps)) {
      https = addRow(run, CheckKind::kHttps, ep.target(), "the service answers: " + ep.what,
                     ep.required);
    }
    if (ep.has(Stage::kNats)) {
      nats = addRow(run, CheckKind::kNats, ep.target(), "NATS: " + ep.what, ep.required);
    }
    const Endpoint* endpoint = &ep;
    run.jobs.push_back(
        guarded(run, tcp, [&run, endpoint, tcp, tls, https, nats]() -> awaitable<void> {
          auto& c = run.report.checks;
          detail::EndpointRows r;
          r.tcp = &c[tcp];
          r.tls = tls == kNone ? nullptr : &c[tls];
          r.https = https == kNone ? nullptr : &c[https];
          r.nats = nats == kNone ? nullptr : &c[nats];
          co_await detail::checkEndpoint(run.ctx, *endpoint, r);
        }));
  }
  layOutHttpTargets(run);
  for (const auto& m : rq.machines) {
    const std::size_t row = addRow(
        run, CheckKind::kMachine, m.id + " (" + net::ServerAddress{m.host, m.port}.toString() + ")",
        "machine network: " + m.type + " on TCP " + std::to_string(m.port), true);
    const MachineTarget* machine = &m;
    run.jobs.push_back(guarded(run, row, [&run, machine, row]() -> awaitable<void> {
      co_await detail::checkMachine(run.ctx, *machine, run.report.checks[row]);
    }));
  }
}

/// Runs `jobs` with at most `parallel` in flight; returns when all are done.
awaitable<void> runJobs(std::vector<Job>& jobs, std::size_t parallel) {
  auto executor = co_await asio::this_coro::executor;
  const std::size_t workers = std::max<std::size_t>(1, std::min(parallel, jobs.size()));
  if (jobs.empty()) co_return;
  std::size_t next = 0;
  std::size_t running = workers;
  asio::steady_timer allDone(executor, asio::steady_timer::time_point::max());
  for (std::size_t w = 0; w < workers; ++w) {
    asio::co_spawn(
        executor,
        [&jobs, &next]() -> awaitable<void> {
          while (next < jobs.size()) co_await jobs[next++]();
        },
        [&running, &allDone](std::exception_ptr) {
          if (--running == 0) allDone.cancel();
        });
  }
  boost::system::error_code ec;
  while (running > 0) co_await allDone.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

std::string names(const std::vector<std::string>& list) {
  std::string out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    out += (i == 0 ? "" : (i + 1 == list.size() ? " and " : ", ")) + list[i];
  }
  return out;
}

/// DNS: a failing server is a warning when a later one answers; the chain row says which
/// server the edge uses.
void judgeDns(Run& run) {
  auto& checks = run.report.checks;
  const auto& servers = run.ctx.resolver->servers();
  std::optional<std::size_t> used;
  for (std::size_t i = 0; i < run.dnsRows.size(); ++i) {
    if (checks[run.dnsRows[i]].status == CheckStatus::kPass) {
      used = i;
      break;
    }
  }
  auto& chain = checks[run.dnsChainRow];
  if (run.dnsRows.empty()) {
    chain.status = CheckStatus::kSkip;
    chain.detail = run.request.loopbackOnly ? "not checked: no DNS server within --loopback-only"
                                            : "no DNS server to check";
    return;
  }
  if (!used) {
    chain.status = CheckStatus::kFail;
    if (run.ctx.noNetwork) {
      chain.detail = "no network: no route to any DNS server";
      chain.cause = "this edge cannot reach any network beyond itself, so it cannot resolve names";
      chain.remedy =
          "connect the edge to the network: check the link, its IP address and its default "
          "gateway (DHCP or static); then run netcheck again.";
      return;
    }
    const bool allRefuse = std::all_of(
        run.dnsRows.begin(), run.dnsRows.end(),
        [&checks](std::size_t r) { return checks[r].facts.value("outcome", "") == "refused"; });
    if (allRefuse) {
      chain.detail = "every DNS server refuses this edge's queries (REFUSED)";
      chain.cause = "the DNS servers are reachable but none resolves names for this edge";
      chain.remedy =
          "let one of them serve this edge's address, or configure a DNS server that does "
          "(statically, or by DHCP).";
      return;
    }
    chain.detail = "no DNS server answered";
    chain.cause =
        "this edge cannot resolve names: every DNS server of the chain failed (see above)";
    chain.remedy =
        "allow outbound UDP 53 to 8.8.8.8 and 8.8.4.4 (Google DNS), or configure a "
        "DNS server that answers (statically, or by DHCP).";
    return;
  }
  const net::DnsServer& server = servers[*used];
  const std::string usedName = server.name() + " (" + net::toString(server.source) + ")";
  chain.status = CheckStatus::kPass;
  chain.address = server.address.toString();
  chain.detail = "names resolve through " + usedName;
  chain.facts["server"] = server.name();
  chain.facts["source"] = net::toString(server.source);
  std::vector<std::string> skipped;
  for (std::size_t i = 0; i < run.dnsRows.size(); ++i) {
    auto& row = checks[run.dnsRows[i]];
    if (row.status != CheckStatus::kFail) continue;
    row.status = CheckStatus::kWarn;
    if (i < *used) {
      skipped.push_back(servers[i].name());
      row.cause += "; falling back to " + server.name() + ", which answers";
      row.remedy = "nothing is required: the edge uses " + server.name() +
                   ". To use this server as intended, " + row.remedy;
    }
  }
  if (!skipped.empty()) {
    chain.detail += " after " + names(skipped) + " failed";
  }
}

/// NTP and the clock: one answering server is enough; the clock row judges the offset.
void judgeClock(Run& run) {
  auto& checks = run.report.checks;
  auto& clock = checks[run.clockRow];
  const CheckResult* answered = nullptr;
  for (const std::size_t r : run.ntpRows) {
    if (checks[r].status == CheckStatus::kPass) {
      answered = &checks[r];
      break;
    }
  }
  for (const std::size_t r : run.ntpRows) {
    if (answered != nullptr && checks[r].status == CheckStatus::kFail) {
      checks[r].status = CheckStatus::kWarn;
    }
  }
  const Duration limit = run.request.profile.maxClockOffset;
  if (run.ntpRows.empty()) {
    clock.status = CheckStatus::kSkip;
    clock.detail = "no NTP server to check";
    return;
  }
  if (answered == nullptr) {
    const bool skippedAll = std::all_of(run.ntpRows.begin(), run.ntpRows.end(), [&](auto r) {
      return checks[r].status == CheckStatus::kSkip;
    });
    if (skippedAll) {
      clock.status = CheckStatus::kSkip;
      clock.detail = "not checked: no NTP server within --loopback-only";
      return;
    }
    clock.status = CheckStatus::kFail;
    const auto unsynchronised = std::find_if(run.ntpRows.begin(), run.ntpRows.end(), [&](auto r) {
      return checks[r].facts.value("answered", false);
    });
    if (unsynchronised != run.ntpRows.end()) {
      clock.detail = "NTP answered, but unsynchronised (" + checks[*unsynchronised].target + ")";
      clock.cause =
          "no NTP server has synchronised time to give, so the clock cannot be checked: "
          "observations will be flagged as taken with an untrusted clock";
      clock.remedy =
          "fix the NTP server's own time source, or use an NTP server that is synchronised "
          "(net.ntp_servers, or by DHCP).";
      return;
    }
    clock.detail = "no NTP server answered";
    clock.cause =
        "the clock cannot be checked: observations will be flagged as taken with an "
        "untrusted clock";
    if (run.ctx.noNetwork) {
      clock.remedy = "connect the edge to the network first (link, IP address, default gateway).";
      return;
    }
    clock.remedy =
        "allow outbound UDP 123 (NTP), or hand out an internal NTP server by DHCP "
        "(or set net.ntp_servers).";
    return;
  }
  const double offsetMs = answered->facts.value("offset_ms", 0.0);
  const double delayMs = answered->facts.value("delay_ms", 0.0);
  const auto offset =
      std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::milli>(offsetMs));
  clock.address = answered->address;
  clock.facts["offset_ms"] = offsetMs;
  clock.facts["server"] = answered->target;
  clock.facts["max_offset_ms"] = std::chrono::duration<double, std::milli>(limit).count();
  const std::string text = "offset " + net::formatOffset(offset) + " against " + answered->target;
  // The true offset lies within offset +- delay/2: fail only a clock surely beyond the limit.
  const auto slack =
      std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::milli>(delayMs / 2));
  if (std::chrono::abs(offset) > limit + slack) {
    clock.status = CheckStatus::kFail;
    clock.detail = text + ", more than " + formatDuration(limit);
    clock.cause = "this edge's clock is off by " + net::formatOffset(offset) +
                  ": observations are flagged as taken with an untrusted clock, and TLS "
                  "certificates may look expired";
    clock.remedy =
        "let the edge synchronise (NTP must be reachable, see above); if the clock "
        "drifts again after power loss, check the real-time clock battery.";
    return;
  }
  clock.status = CheckStatus::kPass;
  clock.detail = text;
}

void judgeDpi(Run& run) {
  auto& dpi = run.report.dpi;
  std::set<std::string> issuers;
  for (const auto& row : run.report.checks) {
    if (!row.facts.value("dpi", false)) continue;
    dpi.detected = true;
    dpi.endpoints.push_back(row.target);
    const std::string issuer = row.facts.value("dpi_issuer", "");
    if (!issuer.empty() && issuers.insert(issuer).second) dpi.issuers.push_back(issuer);
  }
  if (dpi.detected) dpi.bypass = run.bypass;
}

/// An `api` row whose certificate was not trusted, on a network where inspection was seen:
/// the inspection is the likelier cause.
void judgeApiRows(Run& run) {
  if (!run.report.dpi.detected) return;
  for (const std::size_t r : run.apiRows) {
    auto& row = run.report.checks[r];
    const std::string failure = row.facts.value("failure", "");
    if (failure != "tls_untrusted" && failure != "tls_pin") continue;
    row.cause +=
        "; deep packet inspection was detected on this network (see the end of the "
        "report), so a firewall re-signing this traffic is the likely cause";
  }
}

awaitable<void> runAll(Run& run) {
  co_await runJobs(run.dnsJobs, run.dnsJobs.size());
  run.ctx.dnsDead = !run.dnsRows.empty() &&
                    std::none_of(run.dnsRows.begin(), run.dnsRows.end(), [&run](std::size_t r) {
                      return run.report.checks[r].status == CheckStatus::kPass;
                    });
  run.ctx.noNetwork =
      run.ctx.dnsDead && std::all_of(run.dnsRows.begin(), run.dnsRows.end(), [&run](std::size_t r) {
        return run.report.checks[r].facts.value("outcome", "") == "no_route";
      });
  co_await runJobs(run.jobs, run.request.parallel);
  judgeDns(run);
  judgeClock(run);
  judgeDpi(run);
  judgeApiRows(run);
  // The client first: a request of its own may still be resolving through the chain.
  if (run.http) run.http->stop();
  run.report.elapsed = std::chrono::steady_clock::now() - run.start;
  run.ctx.resolver->stop();
  run.done(std::move(run.report));
}

/// The edge's client as the request describes it, bounded for netcheck: this run's proxy and
/// DNS chain, no retries, each request and connection within the run's timeout.
Status makeHttpClient(Run& run) {
  auto& o = run.httpOptions;
  o = run.request.httpClient.value_or(net::http::HttpClientOptions{});
  o.proxy = run.request.proxy;
  o.resolver = run.ctx.resolver;
  o.retries = 0;
  o.timeout = run.request.timeout;
  o.connectTimeout = std::min(o.connectTimeout, run.request.timeout);
  auto client = net::http::HttpClient::create(o);
  if (!client) return std::move(client).error().with("making netcheck's HTTP client");
  run.http = std::move(client).value();
  run.ctx.http = run.http.get();
  run.ctx.httpOptions = &run.httpOptions;
  return okStatus();
}

}  // namespace

Status validateRequest(const NetcheckRequest& rq) {
  const auto bad = [](const std::string& m) { return Error(ErrorCode::kInvalidArgument, m); };
  if (rq.timeout <= Duration{0}) return bad("the timeout must be more than 0");
  if (rq.dnsTimeout <= Duration{0}) return bad("the DNS timeout must be more than 0");
  if (rq.parallel == 0) return bad("parallelism must be at least 1");
  if (!rq.caFile.empty() && !std::ifstream(rq.caFile)) {
    return bad("cannot read the CA file " + rq.caFile);
  }
  for (const auto* list : {&rq.dnsPreferred, &rq.dnsServers}) {
    for (const auto& s : *list) {
      if (auto r = net::parseIpServerAddress(s, 53); !r) return r.error();
    }
  }
  for (const auto& s : rq.ntpServers) {
    if (auto r = net::parseServerAddress(s, 123); !r) return r.error();
  }
  if (rq.proxy && (rq.proxy->host.empty() || rq.proxy->port == 0)) {
    return bad("the proxy needs a host and a port");
  }
  return okStatus();
}

void runNetcheckAsync(asio::any_io_executor executor, NetcheckRequest request,
                      std::function<void(Result<NetcheckReport>)> done) {
  auto strand = asio::make_strand(executor);
  if (auto valid = validateRequest(request); !valid) {
    asio::post(strand, [done, error = valid.error()] { done(error); });
    return;
  }
  auto run = std::make_shared<Run>();
  run->request = std::move(request);
  run->start = std::chrono::steady_clock::now();
  run->report.started = wallClockNs();
  run->report.profile = run->request.profile.name;
  run->report.description = run->request.profile.description;
  run->ctx.executor = strand;
  run->ctx.tls = &run->tls;
  run->ctx.map = &run->request.map;
  run->ctx.loopbackOnly = run->request.loopbackOnly;
  run->ctx.timeout = run->request.timeout;
  run->ctx.dnsTimeout = std::min(run->request.dnsTimeout, run->request.timeout);
  run->ctx.proxy = run->request.proxy ? &*run->request.proxy : nullptr;
  boost::system::error_code ec;
  run->tls.set_default_verify_paths(ec);
  if (!run->request.caFile.empty()) {
    run->tls.load_verify_file(run->request.caFile, ec);
    if (ec) {
      asio::post(strand, [done, file = run->request.caFile, message = ec.message()] {
        done(Error(ErrorCode::kInvalidArgument, "cannot load CA file " + file + ": " + message));
      });
      return;
    }
  }
  run->tls.set_verify_mode(asio::ssl::verify_none);  // judged after the handshake
  auto chain = makeChain(*run);
  if (!chain) {
    asio::post(strand, [done, error = chain.error()] { done(error); });
    return;
  }
  run->ctx.resolver = chain.value();
  if (!run->request.httpTargets.empty()) {
    if (auto made = makeHttpClient(*run); !made) {
      run->ctx.resolver->stop();
      asio::post(strand, [done, error = made.error()] { done(error); });
      return;
    }
  }
  layOut(*run);
  run->done = done;
  // The completion handler owns the run until every check has finished.
  asio::co_spawn(strand, runAll(*run), [done, run](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      done(Error(ErrorCode::kInternal, std::string("netcheck failed: ") + ex.what()));
    }
  });
}

Result<NetcheckReport> runNetcheck(NetcheckRequest request) {
  asio::io_context io;
  std::optional<Result<NetcheckReport>> out;
  runNetcheckAsync(io.get_executor(), std::move(request),
                   [&out](Result<NetcheckReport> r) { out.emplace(std::move(r)); });
  io.run();
  if (!out) return Error(ErrorCode::kInternal, "netcheck ended without a report");
  return std::move(*out);
}

}  // namespace spindle::netcheck
