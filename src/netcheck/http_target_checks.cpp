// The `api` rows: each endpoint this edge's configuration names, requested through the edge's
// own HTTP client (its thread; the answer comes back to the run's strand).
#include "net/http/http_url.hpp"
#include "netcheck/async_support.hpp"
#include "netcheck/probes.hpp"

namespace spindle::netcheck::detail {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using net::http::HttpResponse;

/// An IP literal, or the DNS chain's answer (the same chain the client resolves through).
awaitable<Result<std::vector<tcp::endpoint>>> resolveName(RunContext& ctx, const std::string& host,
                                                          std::uint16_t port) {
  boost::system::error_code ec;
  const auto literal = asio::ip::make_address(host, ec);
  if (!ec) co_return std::vector<tcp::endpoint>{tcp::endpoint(literal, port)};
  const auto resolver = ctx.resolver;
  const auto start = [&resolver, &host, port](auto callback) {
    resolver->resolve(host, port, callback);
  };
  auto resolved = co_await awaitCallback<Result<std::vector<tcp::endpoint>>>(start);
  co_return resolved;
}

bool allLoopback(const std::vector<tcp::endpoint>& endpoints) {
  for (const auto& e : endpoints) {
    if (!net::isLoopback(e.address())) return false;
  }
  return !endpoints.empty();
}

void skipOutside(CheckResult& row, const std::string& what) {
  row.status = CheckStatus::kSkip;
  row.detail = "not checked: " + what + " is outside 127.0.0.0/8 and --loopback-only is set";
}

/// Resolves where the client connects (`host`, the proxy's or the endpoint's) and applies
/// --loopback-only; with a proxy, the endpoint it tunnels to must be on loopback too. False
/// when the row is filled (fail or skip) and no request is to be made.
awaitable<bool> gate(RunContext& ctx, const std::string& host, std::uint16_t port,
                     const net::http::UrlParts& url, bool proxied, CheckResult& row) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  const bool name = static_cast<bool>(ec);
  if (name && ctx.loopbackOnly && ctx.resolver->servers().empty()) {
    row.status = CheckStatus::kSkip;
    row.detail = "not checked: " + host + " is a name and no DNS server is within --loopback-only";
    co_return false;
  }
  if (name && ctx.dnsDead) {
    row.status = CheckStatus::kFail;
    row.detail = "cannot resolve " + host;
    row.facts["failure"] = "dns_unavailable";
    row.cause = ctx.noNetwork
                    ? "this edge has no network (no route to any DNS server, see the dns rows)"
                    : "no DNS server answered (see the dns rows), so " + host + " has no address";
    row.remedy = ctx.noNetwork
                     ? "connect the edge to the network first (link, IP address, default gateway)."
                     : "fix DNS first: allow outbound UDP 53 to the DNS servers, or configure a "
                       "DNS server that answers.";
    co_return false;
  }
  auto found = co_await resolveName(ctx, host, port);
  if (!found) {
    // The client would meet the same answer: let its request say so, classified.
    co_return true;
  }
  row.address = endpointText(found->front());
  if (ctx.loopbackOnly && !allLoopback(*found)) {
    skipOutside(row, endpointText(found->front()));
    co_return false;
  }
  if (proxied && ctx.loopbackOnly) {
    auto far = co_await resolveName(ctx, url.host, url.port);
    if (!far || !allLoopback(*far)) {
      row.status = CheckStatus::kSkip;
      row.detail = "not checked: the proxy would connect to " + url.host +
                   ", not known to be within 127.0.0.0/8, and --loopback-only is set";
      co_return false;
    }
  }
  co_return true;
}

}  // namespace

bool httpTargetUsesProxy(const net::http::HttpClientOptions& options, const HttpTarget& target) {
  if (!options.proxy) return false;
  auto url = net::http::parseUrl(target.url);
  return url && !net::goesDirect(*options.proxy, url->host);
}

awaitable<void> checkHttpTarget(RunContext& ctx, const HttpTarget& target, CheckResult& row) {
  const auto start = Clock::now();
  row.facts["role"] = toString(target.role);
  row.facts["setting"] = target.setting;
  row.facts["method"] = requestMethod(target.role);
  if (!target.problem.empty()) {
    row.status = CheckStatus::kFail;
    row.detail = "no URL to check";
    row.facts["failure"] = "no_url";
    row.cause = target.problem;
    row.remedy = "set " + target.setting + ", or https.api (spindle provision writes it).";
    co_return;
  }
  auto url = net::http::parseUrl(target.url);
  if (!url) {
    row.status = CheckStatus::kFail;
    row.detail = url.error().message();
    row.facts["failure"] = "invalid_url";
    row.cause = target.setting + " is not a URL the edge can use";
    row.remedy = "correct " + target.setting + ": an https:// URL.";
    co_return;
  }
  const net::http::HttpClientOptions& options = *ctx.httpOptions;
  const bool proxied = httpTargetUsesProxy(options, target);
  const std::string host = proxied ? options.proxy->host : url->host;
  const std::uint16_t port = proxied ? options.proxy->port : url->port;
  if (!co_await gate(ctx, host, port, *url, proxied, row)) {
    row.elapsed = Clock::now() - start;
    co_return;
  }
  net::http::HttpRequest request;
  request.method = requestMethod(target.role);
  request.url = target.url;
  request.timeout = ctx.timeout;
  request.deadline = ctx.timeout;
  request.idempotent = true;
  request.headers = target.headers;
  request.maxResponse = 1u << 20;  // a ping, or an error page
  if (target.role == HttpTargetRole::kAdapterStore) request.maxResponse = options.maxResponse;
  net::http::HttpClient* client = ctx.http;
  const auto send = [client, &request](auto callback) { client->submit(request, callback); };
  const HttpResponse response = co_await awaitCallback<HttpResponse>(send);
  row.elapsed = Clock::now() - start;
  HttpCheckContext context;
  context.proxy = proxied ? &*options.proxy : nullptr;
  context.pinned = !options.pinnedKeys.empty();
  context.caFile = !options.caFile.empty();
  context.timeout = ctx.timeout;
  context.edgeId = options.edgeId;
  judgeHttpTarget(target, response, context, row);
  if (proxied) {
    row.address = options.proxy->address();
  } else if (options.proxy) {
    row.facts["proxy"] = "not used: no_proxy";
    if (row.status == CheckStatus::kPass) row.detail += " (direct: no_proxy)";
  }
}

}  // namespace spindle::netcheck::detail
