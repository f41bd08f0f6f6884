// TCP, TLS, HTTPS, NATS and machine-port checks: one connection per endpoint, stage by stage.
#include <cstdio>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>

#include "netcheck/async_support.hpp"
#include "netcheck/http_answer.hpp"
#include "netcheck/nats_info.hpp"
#include "netcheck/probes.hpp"
#include "netcheck/tls_inspect.hpp"

namespace spindle::netcheck::detail {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::redirect_error;
using asio::use_awaitable;
using asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;
using TlsStream = asio::ssl::stream<tcp::socket>;

/// Where traffic for host:port goes: a --map rule, the IP itself, or the DNS chain's answer.
awaitable<Result<std::vector<tcp::endpoint>>> destinations(RunContext& ctx, const std::string& host,
                                                           std::uint16_t port) {
  if (auto mapped = ctx.map->find(host, port)) {
    co_return std::vector<tcp::endpoint>{
        tcp::endpoint(asio::ip::make_address(mapped->host), mapped->port)};
  }
  error_code ec;
  const auto literal = asio::ip::make_address(host, ec);
  if (!ec) co_return std::vector<tcp::endpoint>{tcp::endpoint(literal, port)};
  const auto resolver = ctx.resolver;
  const auto start = [&resolver, &host, port](auto callback) {
    resolver->resolve(host, port, callback);
  };
  auto resolved = co_await awaitCallback<Result<std::vector<tcp::endpoint>>>(start);
  co_return resolved;
}

std::string portText(std::uint16_t port) { return "TCP " + std::to_string(port); }

void skip(CheckResult* row, const std::string& why) {
  if (row == nullptr) return;
  row->status = CheckStatus::kSkip;
  row->detail = "not run: " + why;
}

/// A handshake that did not finish: a stall or a reset right after ClientHello is how
/// inspecting firewalls block what they will not let through.
void judgeHandshakeFailure(const error_code& ec, bool timedOut, Duration timeout,
                           const std::string& target, const std::string& bypass, CheckResult& row) {
  row.status = CheckStatus::kFail;
  const std::string message = ec.message();
  const bool closed = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
                      message.find("unexpected eof") != std::string::npos;
  std::string how;
  if (timedOut) {
    how = "no answer to the TLS ClientHello within " + formatDuration(timeout);
  } else if (ec == asio::error::connection_reset) {
    how = "the connection was reset right after the TLS ClientHello";
  } else if (closed) {
    how = "the connection was closed right after the TLS ClientHello";
  }
  if (!how.empty()) {
    row.detail = how;
    row.cause = how + " (which names " + target +
                "): a firewall inspecting TLS (deep packet inspection or SNI filtering) is "
                "blocking this traffic";
    row.remedy = "create a bypass rule for this traffic on the firewall: exempt " + bypass +
                 " from inspection and filtering.";
    row.facts["dpi"] = true;
    row.facts["dpi_method"] = timedOut ? "stalled" : (closed ? "closed" : "reset");
    return;
  }
  row.detail = "TLS handshake failed: " + message;
  row.facts["error"] = message;
  if (message.find("wrong version number") != std::string::npos ||
      message.find("packet length too long") != std::string::npos) {
    row.cause =
        "the answer on this port was not TLS: a proxy, a captive portal or another "
        "service answers instead of " +
        target;
  } else {
    row.cause = "the server that answered for " + target + " did not complete a TLS handshake (" +
                message + ")";
  }
  row.remedy =
      "make sure this traffic reaches the cloud unchanged: no proxy or block page "
      "between this edge and " +
      target + "; exempt " + bypass + " from TLS inspection.";
}

/// The TLS handshake on a connected socket; fills `row` and returns whether it passed.
awaitable<bool> handshake(RunContext& ctx, TlsStream& tls, const Endpoint& ep, CheckResult& row) {
  const std::string name = ep.verifyName();
  if (!name.empty()) SSL_set_tlsext_host_name(tls.native_handle(), name.c_str());
  error_code ec;
  bool timedOut = false;
  const auto start = Clock::now();
  {
    Deadline deadline(ctx.executor, ctx.timeout, [&tls] {
      error_code ignored;
      tls.next_layer().close(ignored);
    });
    co_await tls.async_handshake(asio::ssl::stream_base::client, redirect_error(use_awaitable, ec));
    timedOut = deadline.expired();
  }
  row.elapsed = Clock::now() - start;
  if (ec || timedOut) {
    judgeHandshakeFailure(ec, timedOut, ctx.timeout, name.empty() ? ep.target() : name, ctx.bypass,
                          row);
    co_return false;
  }
  judgeTls(inspectTls(tls.native_handle(), name, ep.expectIssuer), ep.target(), ctx.bypass, row);
  co_return row.status == CheckStatus::kPass;
}

awaitable<void> checkHttps(RunContext& ctx, TlsStream& tls, const Endpoint& ep, CheckResult& row) {
  const std::string name = ep.verifyName().empty() ? ep.host : ep.verifyName();
  const std::string host = ep.port == 443 ? name : name + ":" + std::to_string(ep.port);
  const std::string request = "GET " + ep.path + " HTTP/1.1\r\nHost: " + host +
                              "\r\nUser-Agent: spindle-netcheck/" SPINDLE_VERSION
                              "\r\nAccept: */*\r\nConnection: close\r\n\r\n";
  std::string head;
  error_code ec;
  bool timedOut = false;
  const auto start = Clock::now();
  {
    Deadline deadline(ctx.executor, ctx.timeout, [&tls] {
      error_code ignored;
      tls.next_layer().close(ignored);
    });
    co_await asio::async_write(tls, asio::buffer(request), redirect_error(use_awaitable, ec));
    if (!ec) {
      co_await asio::async_read_until(tls, asio::dynamic_buffer(head, 64 * 1024), "\r\n\r\n",
                                      redirect_error(use_awaitable, ec));
    }
    timedOut = deadline.expired();
  }
  row.elapsed = Clock::now() - start;
  row.facts["path"] = ep.path;
  if (head.empty()) {
    row.status = CheckStatus::kFail;
    row.detail = timedOut ? "no HTTP answer within " + formatDuration(ctx.timeout)
                          : "no HTTP answer: " + ec.message();
    row.cause = "TLS works, but nothing answered GET " + ep.path + " on " + ep.target();
    row.remedy = "make sure no proxy or firewall holds HTTPS requests to " + ep.target() + ".";
    co_return;
  }
  auto answer = parseHttpHead(head);
  if (!answer) {
    row.status = CheckStatus::kFail;
    row.detail = answer.error().message();
    row.cause = "something other than the expected service answers on " + ep.target();
    row.remedy = "remove the proxy or block page between this edge and " + ep.target() + ".";
    co_return;
  }
  row.facts["status"] = answer->status;
  const auto server = answer->header("server");
  if (server) row.facts["server"] = *server;
  row.detail = "HTTP " + std::to_string(answer->status) + " " + answer->reason +
               (server ? " from " + *server : "");
  const bool statusOk = statusMatches(ep.expectStatus, answer->status);
  const bool headerOk = ep.expectHeader.empty() || answer->header(ep.expectHeader).has_value();
  if (!ep.expectHeader.empty()) {
    row.facts["expected_header"] = ep.expectHeader;
    row.facts["header_present"] = headerOk;
    row.detail += headerOk ? ", " + ep.expectHeader + " present" : ", no " + ep.expectHeader;
  }
  if (statusOk && headerOk) {
    row.status = CheckStatus::kPass;
    co_return;
  }
  row.status = CheckStatus::kFail;
  row.cause = "the answer does not look like " + (ep.what.empty() ? ep.host : ep.what) +
              " (expected " +
              (statusOk ? "a " + ep.expectHeader + " header" : "status " + ep.expectStatus) +
              "): something between this edge and the cloud answers instead (a proxy, a "
              "captive portal or a block page)";
  row.remedy = "let this edge reach " + ep.target() +
               " directly: no block page or web filter for this domain.";
}

awaitable<void> checkNats(RunContext& ctx, tcp::socket& socket, const Endpoint& ep,
                          CheckResult& row) {
  std::string line;
  error_code ec;
  bool timedOut = false;
  const auto start = Clock::now();
  std::size_t n = 0;
  {
    Deadline deadline(ctx.executor, ctx.timeout, [&socket] {
      error_code ignored;
      socket.close(ignored);
    });
    n = co_await asio::async_read_until(socket, asio::dynamic_buffer(line, 64 * 1024), "\r\n",
                                        redirect_error(use_awaitable, ec));
    timedOut = deadline.expired();
  }
  row.elapsed = Clock::now() - start;
  if (ec || timedOut) {
    row.status = CheckStatus::kFail;
    if (timedOut) {
      row.detail = "connected, but no NATS INFO within " + formatDuration(ctx.timeout);
      row.cause = "the server did not greet as NATS does: something else listens on " +
                  ep.target() + ", or a firewall holds the traffic";
    } else {
      row.detail = "connection ended before NATS INFO: " + ec.message();
      row.cause = ec == asio::error::connection_reset
                      ? "the connection was reset before the NATS greeting: a firewall "
                        "rejects NATS traffic on port " +
                            std::to_string(ep.port)
                      : "the server closed the connection without the NATS greeting";
    }
    row.remedy = "allow outbound TCP " + std::to_string(ep.port) + " to " + ep.host +
                 " without inspection (NATS, tool monitoring and edge health).";
    co_return;
  }
  auto info = parseNatsInfo(std::string_view(line).substr(0, n));
  if (!info) {
    row.status = CheckStatus::kFail;
    row.detail = info.error().message();
    row.cause = "something other than NATS answers on " + ep.target();
    row.remedy = "make sure port " + std::to_string(ep.port) +
                 " reaches the NATS service "
                 "unchanged (no proxy on this port).";
    co_return;
  }
  row.facts["server_name"] = info->serverName;
  row.facts["version"] = info->version;
  row.facts["tls_required"] = info->tlsRequired;
  row.facts["auth_required"] = info->authRequired;
  row.facts["leafnode"] = info->leafnode;
  const std::string greeting =
      "INFO from nats-server " + info->version + (info->leafnode ? " (leafnode port)" : "");
  if (!info->tlsRequired) {
    row.status = CheckStatus::kPass;
    row.detail = greeting + "; the server does not ask for TLS";
    co_return;
  }
  TlsStream tls(std::move(socket), *ctx.tls);
  const bool ok = co_await handshake(ctx, tls, ep, row);
  row.elapsed = Clock::now() - start;
  if (ok) row.detail = greeting + "; TLS as asked: " + row.detail;
  error_code ignored;
  tls.next_layer().close(ignored);
}

}  // namespace

std::string endpointText(const tcp::endpoint& ep) {
  return net::ServerAddress{ep.address().to_string(), ep.port()}.toString();
}

std::string millisText(Clock::duration d) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f ms",
                std::chrono::duration<double, std::milli>(d).count());
  return buffer;
}

awaitable<bool> prepare(RunContext& ctx, const std::string& host, std::uint16_t port,
                        std::vector<tcp::endpoint>& out, CheckResult& row) {
  if (ctx.loopbackOnly && ctx.resolver->servers().empty() && !ctx.map->find(host, port)) {
    error_code ec;
    asio::ip::make_address(host, ec);
    if (ec) {
      row.status = CheckStatus::kSkip;
      row.detail =
          "not checked: " + host + " is not mapped and no DNS server is within --loopback-only";
      co_return false;
    }
  }
  error_code literalError;
  asio::ip::make_address(host, literalError);
  if (ctx.dnsDead && literalError && !ctx.map->find(host, port)) {
    row.status = CheckStatus::kFail;
    row.detail = "cannot resolve " + host;
    if (ctx.noNetwork) {
      row.cause = "this edge has no network (no route to any DNS server, see the dns rows)";
      row.remedy = "connect the edge to the network first (link, IP address, default gateway).";
      co_return false;
    }
    row.cause = "no DNS server answered (see the dns rows), so " + host + " has no address";
    row.remedy =
        "fix DNS first: allow outbound UDP 53 to the DNS servers, or configure a DNS "
        "server that answers.";
    co_return false;
  }
  auto found = co_await destinations(ctx, host, port);
  if (!found) {
    row.status = CheckStatus::kFail;
    row.detail = "cannot resolve " + host;
    row.cause = found.error().describe();
    row.remedy = found.error().code() == ErrorCode::kNotFound
                     ? "check the name; if a DNS filter blocks it, allow " + host + " there."
                     : "fix DNS first (see the dns rows): allow UDP 53 to the DNS servers, or "
                       "configure a DNS server that answers.";
    co_return false;
  }
  for (const auto& ep : *found) {
    if (!ctx.loopbackOnly || net::isLoopback(ep.address())) out.push_back(ep);
  }
  if (out.empty()) {
    row.status = CheckStatus::kSkip;
    row.detail = "not checked: " + endpointText(found->front()) +
                 " is outside 127.0.0.0/8 and --loopback-only is set";
    co_return false;
  }
  co_return true;
}

awaitable<Connected> connectTcp(RunContext& ctx, tcp::socket& socket,
                                const std::vector<tcp::endpoint>& to) {
  Connected c;
  const auto start = Clock::now();
  Deadline deadline(ctx.executor, ctx.timeout, [&socket] {
    error_code ignored;
    socket.close(ignored);
  });
  c.endpoint = co_await asio::async_connect(socket, to, redirect_error(use_awaitable, c.ec));
  c.timedOut = deadline.expired();
  c.took = Clock::now() - start;
  if (c.ec && !c.timedOut) c.endpoint = to.back();
  co_return c;
}

void judgeTcp(const Connected& c, const std::vector<tcp::endpoint>& to, const std::string& allow,
              Duration timeout, CheckResult& row) {
  row.address = endpointText(c.ec ? to.front() : c.endpoint);
  if (!c.ec) {
    row.status = CheckStatus::kPass;
    row.detail = "connected to " + endpointText(c.endpoint) + " in " + millisText(c.took);
    row.facts["connect_ms"] = std::chrono::duration<double, std::milli>(c.took).count();
    return;
  }
  row.status = CheckStatus::kFail;
  if (c.timedOut) {
    row.detail = "no answer within " + formatDuration(timeout);
    row.cause = "the connection attempt to " + row.address +
                " got no answer: a firewall silently drops " + allow;
    row.facts["error"] = "timeout";
  } else if (c.ec == asio::error::connection_refused) {
    row.detail = "connection refused by " + row.address;
    row.cause = "the connection was refused (TCP reset): a firewall rejects " + allow +
                ", or nothing listens at " + row.address;
    row.facts["error"] = "refused";
  } else if (c.ec == asio::error::host_unreachable || c.ec == asio::error::network_unreachable) {
    row.detail = "no route to " + row.address;
    row.cause = "the network is unreachable from this edge (" + c.ec.message() +
                "): no gateway, or a firewall answers 'unreachable' for " + allow;
    row.facts["error"] = "unreachable";
  } else {
    row.detail = "cannot connect: " + c.ec.message();
    row.cause = "connecting to " + row.address + " failed: " + c.ec.message();
    row.facts["error"] = c.ec.message();
  }
  row.remedy = "allow outbound " + allow + " from this edge.";
}

namespace {

/// Resolves and connects straight to the endpoint. "" when connected, else why the next
/// stages do not run.
awaitable<std::string> connectDirect(RunContext& ctx, const Endpoint& ep, tcp::socket& socket,
                                     CheckResult& tcpRow) {
  std::vector<tcp::endpoint> to;
  const auto start = Clock::now();
  if (!co_await prepare(ctx, ep.host, ep.port, to, tcpRow)) {
    tcpRow.elapsed = Clock::now() - start;
    co_return tcpRow.status == CheckStatus::kSkip ? "outside --loopback-only"
                                                  : "no address for " + ep.host;
  }
  const Connected c = co_await connectTcp(ctx, socket, to);
  const std::string allow =
      portText(ep.port) + " to " + ep.host +
      (ep.host == endpointText(to.front()) ? "" : " (" + endpointText(to.front()) + ")");
  judgeTcp(c, to, allow, ctx.timeout, tcpRow);
  tcpRow.elapsed = Clock::now() - start;
  if (c.ec || c.timedOut) co_return "TCP failed";
  co_return "";
}

/// With a proxy set, says on the row why this endpoint goes direct.
void noteDirect(const RunContext& ctx, const Endpoint& ep, CheckResult& tcpRow) {
  if (ctx.proxy == nullptr) return;
  if (ep.has(Stage::kNats)) {
    tcpRow.facts["proxy"] = "not used: the NATS link connects direct";
  } else if (ep.has(Stage::kTls)) {
    tcpRow.facts["proxy"] = "not used: no_proxy";
    if (tcpRow.status == CheckStatus::kPass) tcpRow.detail += " (direct: no_proxy)";
  } else {
    tcpRow.facts["proxy"] = "not used: a plain TCP check";
  }
}

}  // namespace

awaitable<void> checkEndpoint(RunContext& ctx, const Endpoint& ep, EndpointRows rows) {
  CheckResult& tcpRow = *rows.tcp;
  tcp::socket socket(ctx.executor);
  const bool viaProxy = usesProxy(ctx, ep);
  std::string failed;
  if (viaProxy) {
    failed = co_await openTunnel(ctx, ep, socket, tcpRow);
  } else {
    failed = co_await connectDirect(ctx, ep, socket, tcpRow);
    noteDirect(ctx, ep, tcpRow);
  }
  if (!failed.empty()) {
    skip(rows.tls, failed);
    skip(rows.https, failed);
    skip(rows.nats, failed);
    co_return;
  }
  for (CheckResult* r : {rows.tls, rows.https, rows.nats}) {
    if (r != nullptr) r->address = tcpRow.address;
  }
  if (rows.nats != nullptr) {
    co_await checkNats(ctx, socket, ep, *rows.nats);
    co_return;
  }
  if (rows.tls == nullptr) {
    error_code ignored;
    socket.close(ignored);
    co_return;
  }
  TlsStream tls(std::move(socket), *ctx.tls);
  const bool tlsOk = co_await handshake(ctx, tls, ep, *rows.tls);
  if (rows.https != nullptr) {
    if (tlsOk) {
      co_await checkHttps(ctx, tls, ep, *rows.https);
    } else {
      skip(rows.https, "TLS failed");
    }
  }
  if (viaProxy) {
    // Every stage went through the tunnel: say so where people read the result.
    for (CheckResult* r : {rows.tls, rows.https}) {
      if (r == nullptr || r->status == CheckStatus::kSkip) continue;
      r->detail += " (via proxy " + tcpRow.address + ")";
      r->facts["via_proxy"] = tcpRow.address;
    }
  }
  error_code ignored;
  tls.next_layer().close(ignored);
}

awaitable<void> checkMachine(RunContext& ctx, const MachineTarget& m, CheckResult& row) {
  std::vector<tcp::endpoint> to;
  const auto start = Clock::now();
  row.facts["machine"] = m.id;
  row.facts["type"] = m.type;
  row.facts["host"] = m.host;
  row.facts["port"] = m.port;
  if (!co_await prepare(ctx, m.host, m.port, to, row)) {
    row.elapsed = Clock::now() - start;
    co_return;
  }
  tcp::socket socket(ctx.executor);
  const Connected c = co_await connectTcp(ctx, socket, to);
  judgeTcp(c, to, portText(m.port) + " to machine " + m.id + " (" + m.host + ")", ctx.timeout, row);
  if (c.ec && !c.timedOut && c.ec == asio::error::connection_refused) {
    row.cause = "the connection to " + row.address + " was refused: the machine's " + m.type +
                " service is off or on another port, or a firewall rejects it";
    row.remedy = "check that the controller's " + m.type + " option is on and listens on port " +
                 std::to_string(m.port) + "; allow outbound " + portText(m.port) +
                 " from this edge to " + m.host + ".";
  }
  row.elapsed = Clock::now() - start;
  error_code ignored;
  socket.close(ignored);
}

}  // namespace spindle::netcheck::detail
