// DNS server and NTP server checks. The driver (netcheck.cpp) later compares the rows of a
// group: a blocked preferred DNS server with a working fallback is a warning, not a failure.
#include <cstdio>

#include <boost/asio/ip/udp.hpp>

#include "net/clock_monitor.hpp"
#include "net/sntp_client.hpp"
#include "netcheck/async_support.hpp"
#include "netcheck/probes.hpp"

namespace spindle::netcheck::detail {
namespace {

namespace asio = boost::asio;
using asio::awaitable;

std::string millis(Duration d) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f ms",
                std::chrono::duration<double, std::milli>(d).count());
  return buffer;
}

std::string addressList(const std::vector<asio::ip::address>& addresses) {
  std::string out;
  for (std::size_t i = 0; i < addresses.size() && i < 3; ++i) {
    out += (i ? ", " : "") + addresses[i].to_string();
  }
  if (addresses.size() > 3) out += ", ...";
  return out;
}

std::string sourceWords(net::DnsSource source) {
  switch (source) {
    case net::DnsSource::kPreferred:
      return "preferred DNS server";
    case net::DnsSource::kConfigured:
      return "configured DNS server";
    case net::DnsSource::kSystem:
      return "DHCP/system DNS server";
  }
  return "DNS server";
}

}  // namespace

awaitable<void> checkDnsServer(RunContext& ctx, std::size_t index, const std::string& lookup,
                               CheckResult& row) {
  const net::DnsServer server = ctx.resolver->servers()[index];
  row.address = server.address.toString();
  row.facts["source"] = net::toString(server.source);
  row.facts["lookup"] = lookup;
  const auto resolver = ctx.resolver;
  const auto start = [&resolver, index, &lookup](auto callback) {
    resolver->probe(index, lookup, callback);
  };
  const net::DnsAttempt a = co_await awaitCallback<net::DnsAttempt>(start);
  row.elapsed = a.elapsed;
  row.facts["outcome"] = net::toString(a.outcome);
  std::vector<std::string> addresses;
  for (const auto& address : a.addresses) addresses.push_back(address.to_string());
  row.facts["addresses"] = addresses;
  // Name the server as the sheet does (8.8.8.8), not by a --map stand-in's address.
  const auto named = net::parseServerAddress(server.name(), 53);
  const std::string host = named ? named->host : server.address.host;
  switch (a.outcome) {
    case net::DnsOutcome::kAnswered:
      row.status = CheckStatus::kPass;
      row.detail =
          "answered in " + millis(a.elapsed) + ": " + lookup + " = " + addressList(a.addresses);
      co_return;
    case net::DnsOutcome::kNoSuchName:
      row.status = CheckStatus::kPass;
      row.detail = "answered in " + millis(a.elapsed) + ": " + lookup + " has no address";
      co_return;
    case net::DnsOutcome::kTimeout:
      row.detail = "timed out after " + formatDuration(ctx.dnsTimeout);
      row.cause = "UDP 53 to " + host + " timed out: " +
                  (server.source == net::DnsSource::kPreferred
                       ? std::string(host == "8.8.8.8" || host == "8.8.4.4"
                                         ? "Google DNS is blocked"
                                         : "the preferred DNS server is blocked")
                       : "the " + sourceWords(server.source) + " does not answer");
      row.remedy = "allow outbound UDP 53 from this edge to " + host + ".";
      break;
    case net::DnsOutcome::kRefused:
      row.detail = "answered in " + millis(a.elapsed) + " but refused the query (REFUSED)";
      row.cause = "the " + sourceWords(server.source) + " " + host +
                  " is reachable and refuses to resolve names for this edge (DNS answer "
                  "REFUSED): it serves only other clients, or does not recurse";
      row.remedy = "let " + host +
                   " resolve names for this edge's address (its access list), or configure "
                   "another server.";
      break;
    case net::DnsOutcome::kUnreachable:
      row.detail = "unreachable: " + a.message;
      row.cause = "nothing answers DNS at " + host +
                  " (ICMP unreachable): the server is down, or a firewall rejects UDP 53";
      row.remedy = "allow outbound UDP 53 to " + host + ", or configure another server.";
      break;
    case net::DnsOutcome::kNoRoute:
      row.detail = "no route: " + a.message;
      row.cause = "this edge has no route to " + host +
                  ": it has no network connection, or no default gateway";
      row.remedy =
          "connect the edge to the network: check the link, its IP address and its default "
          "gateway (DHCP or static).";
      break;
    default:
      row.detail = std::string(net::toString(a.outcome)) + ": " + a.message;
      row.cause = "the " + sourceWords(server.source) + " " + host + " failed: " + a.message;
      row.remedy = "check the DNS server " + host + ", or configure another one.";
      break;
  }
  row.status = CheckStatus::kFail;
}

awaitable<void> checkNtpServer(RunContext& ctx, const net::ServerAddress& server,
                               CheckResult& row) {
  const auto start = std::chrono::steady_clock::now();
  asio::ip::udp::endpoint to;
  boost::system::error_code ec;
  if (auto mapped = ctx.map->find(server.host, server.port)) {
    to = {asio::ip::make_address(mapped->host), mapped->port};
  } else if (const auto literal = asio::ip::make_address(server.host, ec); !ec) {
    to = {literal, server.port};
  } else if (ctx.noNetwork) {
    row.status = CheckStatus::kFail;
    row.detail = "cannot resolve " + server.host;
    row.cause = "this edge has no network (no route to any DNS server, see the dns rows)";
    row.remedy = "connect the edge to the network first (link, IP address, default gateway).";
    co_return;
  } else if (ctx.dnsDead) {
    row.status = CheckStatus::kFail;
    row.detail = "cannot resolve " + server.host;
    row.cause = "no DNS server answered (see the dns rows), so " + server.host + " has no address";
    row.remedy =
        "fix DNS first, or hand out an internal NTP server by IP address (DHCP or "
        "net.ntp_servers).";
    co_return;
  } else if (ctx.loopbackOnly && ctx.resolver->servers().empty()) {
    row.status = CheckStatus::kSkip;
    row.detail = "not checked: " + server.host +
                 " is not mapped and no DNS server is within --loopback-only";
    co_return;
  } else {
    const auto resolver = ctx.resolver;
    const auto lookup = [&resolver, &server](auto callback) {
      resolver->resolve(server.host, server.port, callback);
    };
    auto found = co_await awaitCallback<Result<net::ResolverChain::Endpoints>>(lookup);
    if (!found) {
      row.status = CheckStatus::kFail;
      row.detail = "cannot resolve " + server.host;
      row.cause = found.error().describe();
      row.remedy =
          "fix DNS first (see the dns rows), or hand out an internal NTP server by "
          "DHCP (or set net.ntp_servers).";
      row.elapsed = std::chrono::steady_clock::now() - start;
      co_return;
    }
    to = {found->front().address(), found->front().port()};
  }
  row.address = net::ServerAddress{to.address().to_string(), to.port()}.toString();
  if (ctx.loopbackOnly && !net::isLoopback(to.address())) {
    row.status = CheckStatus::kSkip;
    row.detail =
        "not checked: " + row.address + " is outside 127.0.0.0/8 and --loopback-only is set";
    co_return;
  }
  const auto executor = ctx.executor;
  const Duration timeout = ctx.timeout;
  const auto query = [&executor, &to, timeout](auto callback) {
    net::querySntp(executor, to, timeout, callback);
  };
  auto result = co_await awaitCallback<Result<net::SntpSample>>(query);
  row.elapsed = std::chrono::steady_clock::now() - start;
  if (result) {
    row.status = CheckStatus::kPass;
    row.detail = "offset " + net::formatOffset(result->offset) + ", delay " +
                 millis(result->delay) + ", stratum " + std::to_string(result->stratum);
    row.facts["offset_ms"] = std::chrono::duration<double, std::milli>(result->offset).count();
    row.facts["delay_ms"] = std::chrono::duration<double, std::milli>(result->delay).count();
    row.facts["stratum"] = result->stratum;
    row.facts["refid"] = result->refid;
    co_return;
  }
  row.status = CheckStatus::kFail;
  row.facts["error"] = result.error().message();
  if (net::isUnsynchronised(result.error())) {
    row.facts["answered"] = true;
    row.facts["synchronised"] = false;
    row.detail = "answered unsynchronised: " + result.error().message();
    row.cause = "the NTP server at " + row.address +
                " answers (UDP 123 works) but has no time to give: its own clock is not "
                "synchronised";
    row.remedy =
        "fix that server's time source (its upstream NTP servers or reference clock), or use "
        "another NTP server.";
    co_return;
  }
  if (ctx.noNetwork) {
    row.detail = result.error().message();
    row.cause = "this edge has no network (see the dns rows)";
    row.remedy = "connect the edge to the network first (link, IP address, default gateway).";
    co_return;
  }
  switch (result.error().code()) {
    case ErrorCode::kTimeout:
      row.detail = "no answer within " + formatDuration(timeout);
      row.cause = "UDP 123 to " + server.host + " timed out: NTP is blocked, or the server is down";
      row.remedy =
          "allow outbound UDP 123 (NTP) from this edge; public pools such as "
          "*.resinio.pool.ntp.org change addresses, so allow the port, not IPs. Or hand "
          "out an internal NTP server by DHCP (or set net.ntp_servers).";
      break;
    case ErrorCode::kUnavailable:
      row.detail = result.error().message();
      row.cause = result.error().message().find("port unreachable") != std::string::npos
                      ? "nothing answers NTP at " + row.address +
                            " (ICMP port unreachable): the server is down, or a firewall "
                            "rejects UDP 123"
                      : result.error().describe();
      row.remedy =
          "use an NTP server that answers: allow UDP 123 to the pool, or configure an "
          "internal NTP server.";
      break;
    default:
      row.detail = result.error().message();
      row.cause = result.error().describe();
      row.remedy = "use another NTP server.";
      break;
  }
}

}  // namespace spindle::netcheck::detail
