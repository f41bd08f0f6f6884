// Checks through the edge's HTTP proxy: the proxy's own row, and the CONNECT tunnel that TLS
// and HTTPS then run over unchanged. Each way a proxy says no gets its own cause and remedy.
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include "netcheck/async_support.hpp"
#include "netcheck/http_answer.hpp"
#include "netcheck/probes.hpp"

namespace spindle::netcheck::detail {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::redirect_error;
using asio::use_awaitable;
using asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

/// A proxy's answer to CONNECT is a status line and a few headers; more is not a proxy.
constexpr std::size_t kMaxAnswerHead = 8 * 1024;

bool isLoopbackLiteral(const std::string& host) {
  error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  return !ec && net::isLoopback(address);
}

/// Where the proxy is asked to connect: a --map rule (tests, a service moved by the plant),
/// else the sheet's name, which the proxy resolves.
net::ServerAddress tunnelTarget(const RunContext& ctx, const Endpoint& ep) {
  if (auto mapped = ctx.map->find(ep.host, ep.port)) return *mapped;
  return net::ServerAddress{ep.host, ep.port};
}

std::string connectRequest(const net::ProxySettings& proxy, const std::string& target) {
  std::string request = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target +
                        "\r\nUser-Agent: spindle-netcheck/" SPINDLE_VERSION "\r\n";
  const std::string authorization = basicAuthorization(proxy);
  if (!authorization.empty()) request += "Proxy-Authorization: " + authorization + "\r\n";
  return request + "\r\n";
}

/// The first bytes of an answer, printable, for a row's detail.
std::string printable(const std::string& bytes) {
  std::string out;
  for (const char c : bytes.substr(0, 40)) {
    out += (c >= 0x20 && c < 0x7f) ? c : '.';
  }
  return out;
}

/// The proxy's credentials as a person finds them: the file, or the environment's URL.
std::string credentialsText(const net::ProxySettings& proxy) {
  if (!proxy.credentialsFile.empty()) return "the credentials in " + proxy.credentialsFile;
  return "the credentials of user '" + proxy.user + "' (from the " + proxy.source + ")";
}

/// Fills `row` from the proxy's answer to CONNECT; true when the tunnel is open.
bool judgeAnswer(const RunContext& ctx, const HttpAnswer& answer, const std::string& target,
                 std::uint16_t port, const std::string& via, CheckResult& row) {
  const net::ProxySettings& proxy = *ctx.proxy;
  const std::string status =
      "HTTP " + std::to_string(answer.status) + (answer.reason.empty() ? "" : " " + answer.reason);
  row.facts["proxy_status"] = answer.status;
  if (answer.status >= 200 && answer.status < 300) {
    row.status = CheckStatus::kPass;
    row.detail = "tunnel to " + target + " opened " + via + " (" + status + ") in " +
                 millisText(row.elapsed);
    return true;
  }
  row.status = CheckStatus::kFail;
  row.detail = "the proxy answered CONNECT " + target + " with " + status;
  // 407 is the standard answer; tinyproxy 1.11 answers wrong credentials with 401.
  if (answer.status == 407 || answer.status == 401) {
    if (proxy.user.empty()) {
      row.cause = "the proxy asks for credentials (" + status + "), and none are set";
      row.remedy =
          "set net.proxy_credentials: a file with one line user:password for this proxy "
          "(ask the proxy's administrator for an account for this edge).";
      row.facts["proxy_error"] = "auth_required";
    } else {
      row.cause = "the proxy refused " + credentialsText(proxy) + " (" + status + ")";
      row.remedy =
          "check the user and password with the proxy's administrator and correct " +
          (proxy.credentialsFile.empty() ? std::string("the proxy URL") : proxy.credentialsFile) +
          ".";
      row.facts["proxy_error"] = "auth_refused";
    }
    return false;
  }
  if (answer.status == 403) {
    row.cause = "the proxy does not allow CONNECT to port " + std::to_string(port) + " (" + status +
                "), or not to " + target + " for this edge";
    row.remedy = "ask for it to be allowed on the proxy: CONNECT to port " + std::to_string(port) +
                 " and to " + target + " (e.g. tinyproxy ConnectPort " + std::to_string(port) +
                 ", squid SSL_ports and its http_access rules).";
    row.facts["proxy_error"] = "connect_refused";
    return false;
  }
  if (answer.status >= 500) {
    row.cause = "the proxy could not reach " + target + " (" + status +
                "): its DNS cannot resolve the name, its own firewall blocks the port, or the "
                "service is down";
    row.remedy = "ask the proxy's administrator to let the proxy reach " + target + ".";
    row.facts["proxy_error"] = "upstream";
    return false;
  }
  row.cause = "the proxy refused the tunnel to " + target + " (" + status + ")";
  row.remedy = "ask the proxy's administrator to allow CONNECT to " + target + " for this edge.";
  row.facts["proxy_error"] = "refused";
  return false;
}

/// The proxy failed before answering: nothing, or not HTTP.
void judgeNoAnswer(const RunContext& ctx, const std::string& head, const error_code& ec,
                   bool timedOut, CheckResult& row) {
  row.status = CheckStatus::kFail;
  const std::string at = "the service at " + row.address + " (net.proxy)";
  row.remedy =
      "check net.proxy: it must name an HTTP proxy (host and port; not a SOCKS proxy, not a "
      "web server).";
  if (!head.empty()) {
    row.detail = "the answer to CONNECT is not HTTP: \"" + printable(head) + "\"";
    row.cause = at + " is not an HTTP proxy: it answered CONNECT with something other than HTTP";
    row.facts["proxy_error"] = "not_http";
    return;
  }
  if (timedOut) {
    row.detail = "no answer to CONNECT within " + formatDuration(ctx.timeout);
    row.cause = at + " accepted the connection but did not answer CONNECT";
  } else {
    row.detail = "the connection ended without an answer to CONNECT: " + ec.message();
    row.cause = at + " closed the connection without answering CONNECT";
  }
  row.facts["proxy_error"] = "no_answer";
}

}  // namespace

bool usesProxy(const RunContext& ctx, const Endpoint& ep) {
  return ctx.proxy != nullptr && ep.has(Stage::kTls) && !ep.has(Stage::kNats) &&
         !net::goesDirect(*ctx.proxy, ep.host);
}

awaitable<std::string> openTunnel(RunContext& ctx, const Endpoint& ep, tcp::socket& socket,
                                  CheckResult& row) {
  const net::ProxySettings& proxy = *ctx.proxy;
  const auto start = Clock::now();
  const std::string target = tunnelTarget(ctx, ep).toString();
  row.facts["proxy"] = proxy.address();
  row.facts["connect_target"] = target;
  if (ctx.loopbackOnly && !isLoopbackLiteral(tunnelTarget(ctx, ep).host)) {
    row.status = CheckStatus::kSkip;
    row.detail = "not checked: the proxy would connect to " + target +
                 ", outside 127.0.0.0/8, and --loopback-only is set";
    co_return "outside --loopback-only";
  }
  std::vector<tcp::endpoint> to;
  if (!co_await prepare(ctx, proxy.host, proxy.port, to, row)) {
    row.elapsed = Clock::now() - start;
    if (row.status == CheckStatus::kSkip) co_return "outside --loopback-only";
    row.cause = "the proxy's name " + proxy.host + " has no address: " + row.cause;
    row.remedy = "check net.proxy; " + row.remedy;
    co_return "the proxy " + proxy.host + " has no address";
  }
  const Connected c = co_await connectTcp(ctx, socket, to);
  if (c.ec || c.timedOut) {
    judgeTcp(c, to, "TCP " + std::to_string(proxy.port) + " to the HTTP proxy " + proxy.host,
             ctx.timeout, row);
    row.elapsed = Clock::now() - start;
    row.cause = "the HTTP proxy cannot be reached: " + row.cause;
    row.remedy = "check net.proxy (host and port) and that the proxy runs; " + row.remedy;
    row.facts["proxy_error"] = "unreachable";
    co_return "the proxy cannot be reached";
  }
  row.address = endpointText(c.endpoint);
  const std::string request = connectRequest(proxy, target);
  std::string head;
  error_code ec;
  bool timedOut = false;
  {
    Deadline deadline(ctx.executor, ctx.timeout, [&socket] {
      error_code ignored;
      socket.close(ignored);
    });
    co_await asio::async_write(socket, asio::buffer(request), redirect_error(use_awaitable, ec));
    if (!ec) {
      co_await asio::async_read_until(socket, asio::dynamic_buffer(head, kMaxAnswerHead),
                                      "\r\n\r\n", redirect_error(use_awaitable, ec));
    }
    timedOut = deadline.expired();
  }
  row.elapsed = Clock::now() - start;
  auto answer = head.empty() ? Result<HttpAnswer>(Error(ErrorCode::kProtocol, "no answer"))
                             : parseHttpHead(head);
  if (!answer) {
    judgeNoAnswer(ctx, head, ec, timedOut, row);
    co_return "the proxy did not open a tunnel";
  }
  const std::uint16_t port = tunnelTarget(ctx, ep).port;
  if (!judgeAnswer(ctx, *answer, target, port, "via proxy " + row.address, row)) {
    co_return "the proxy refused the tunnel";
  }
  co_return "";
}

awaitable<void> checkProxy(RunContext& ctx, CheckResult& row) {
  const net::ProxySettings& proxy = *ctx.proxy;
  row.facts["source"] = proxy.source;
  row.facts["user"] = proxy.user;
  row.facts["credentials_file"] = proxy.credentialsFile;
  row.facts["no_proxy"] = proxy.noProxy;
  const auto start = Clock::now();
  std::vector<tcp::endpoint> to;
  if (!co_await prepare(ctx, proxy.host, proxy.port, to, row)) {
    row.elapsed = Clock::now() - start;
    if (row.status == CheckStatus::kFail) {
      row.cause = "the proxy's name " + proxy.host + " has no address: " + row.cause;
      row.remedy = "check net.proxy; " + row.remedy;
    }
    co_return;
  }
  tcp::socket socket(ctx.executor);
  const Connected c = co_await connectTcp(ctx, socket, to);
  judgeTcp(c, to, "TCP " + std::to_string(proxy.port) + " to the HTTP proxy " + proxy.host,
           ctx.timeout, row);
  row.elapsed = Clock::now() - start;
  if (row.status == CheckStatus::kPass) {
    row.detail += "; " + proxy.source + " " + describe(proxy);
  } else {
    row.cause = "the HTTP proxy " + describe(proxy) + " (" + proxy.source +
                ") cannot be reached: " + row.cause;
    row.remedy = "check net.proxy (host and port) and that the proxy runs; " + row.remedy;
  }
  error_code ignored;
  socket.close(ignored);
}

std::string natsDirectNote(const net::ProxySettings& proxy, const Profile& profile) {
  std::string ports;
  for (const auto& ep : profile.endpoints) {
    if (!ep.has(Stage::kNats)) continue;
    const std::string port = "TCP " + std::to_string(ep.port);
    if (ports.find(port) == std::string::npos) ports += (ports.empty() ? "" : ", ") + port;
  }
  if (ports.empty()) return "";
  return "HTTPS checks went through the HTTP proxy " + describe(proxy) + "; the NATS rows (" +
         ports +
         ") were checked direct, as the NATS link does not use the proxy: the firewall must "
         "allow them from this edge regardless of the proxy.";
}

}  // namespace spindle::netcheck::detail
