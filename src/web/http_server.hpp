#pragma once
/// A small HTTP/1.1 server on Boost.Beast: keep-alive connections, one request at a time per
/// connection, plain responses or chunked streams (for MTConnect's multipart /sample). Runs on
/// the gateway's io_context; each connection has its own strand.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>

#include "base/error.hpp"
#include "base/log_limiter.hpp"
#include "base/units.hpp"

namespace spindle::web {

struct HttpRequest {
  std::string method;                        ///< "GET", ...
  std::string target;                        ///< as sent: "/m1/sample?from=5"
  std::string path;                          ///< decoded path without the query: "/m1/sample"
  std::map<std::string, std::string> query;  ///< decoded; the last value of a repeated name wins
  std::string accept;                        ///< the Accept header
  /// Every header as sent (names in lower case), in order; bounded by the head limit.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;           ///< up to HttpServerOptions::maxBodyBytes
  std::string remoteAddress;  ///< the client's IP address
  bool secure = false;        ///< arrived over TLS

  /// The first header named `name` (lower case), or "" when absent.
  std::string_view header(std::string_view name) const;
};

/// An answer with headers of its own (cookies, Retry-After, Content-Disposition) beside the
/// server's (HttpServerOptions::responseHeaders).
struct HttpResponse {
  unsigned status = 200;
  std::string contentType = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// How a handler answers one request. Every method may be called from any thread; the work
/// runs on the connection's strand. After reply() or endStream() the connection reads the next
/// request (keep-alive) or closes.
class Responder {
 public:
  using Executor = boost::asio::strand<boost::asio::io_context::executor_type>;
  virtual ~Responder() = default;
  virtual void reply(unsigned status, std::string contentType, std::string body) = 0;
  /// reply() with headers of its own; a responder without them drops the headers.
  virtual void send(HttpResponse response) {
    reply(response.status, std::move(response.contentType), std::move(response.body));
  }
  /// Sends the status line and headers of a chunked response.
  virtual void startStream(std::string contentType) = 0;
  /// Sends one chunk; `done(ok)` runs on the strand when it was written (ok false: the client
  /// is gone and the stream is over). One chunk at a time: wait for done before the next.
  virtual void sendChunk(std::string data, std::function<void(bool ok)> done) = 0;
  virtual void endStream() = 0;
  /// The connection's strand, for the handler's timers.
  virtual Executor executor() = 0;
};

using Handler = std::function<void(const HttpRequest&, std::shared_ptr<Responder>)>;

/// Limits against clients that hold connections without using them (slowloris, idle
/// keep-alive): a request head must arrive within `headerTimeout` of its first byte (of the
/// connection's start, for the first request); one remote address holds at most
/// `maxConnectionsPerClient`; and when `maxConnections` are open, a new client evicts the
/// connection that has waited longest for a request, if any (a streaming or working
/// connection is never evicted).
struct HttpServerOptions {
  std::string bind = "0.0.0.0";
  std::uint16_t port = 5000;
  std::size_t maxConnections = 64;
  std::size_t maxConnectionsPerClient = 16;
  Duration headerTimeout = std::chrono::seconds(10);
  Duration idleTimeout = std::chrono::seconds(60);  ///< between requests on a keep-alive one
  Duration writeTimeout = std::chrono::seconds(30);
  std::size_t maxHeaderBytes = 16 * 1024;  ///< a longer request head: 431, closed
  /// A request body longer than this is refused (413, closed); 0: no request carries a body.
  std::size_t maxBodyBytes = 0;
  /// Added to every response (security headers of the management page).
  std::vector<std::pair<std::string, std::string>> responseHeaders;
  /// Set: the listener speaks TLS only (the handshake within headerTimeout).
  std::shared_ptr<boost::asio::ssl::context> tls;
};

struct HttpServerStats {
  std::uint64_t evicted = 0;          ///< idle connections closed to admit a new client
  std::uint64_t refusedFull = 0;      ///< full of working connections: nothing to evict
  std::uint64_t refusedClient = 0;    ///< over the per-client limit
  std::uint64_t timedOut = 0;         ///< request heads that did not arrive in time
  std::uint64_t refusedRequests = 0;  ///< heads or bodies over their limits, bad TLS handshakes
};

class HttpServer : public std::enable_shared_from_this<HttpServer> {
 public:
  HttpServer(boost::asio::io_context& io, HttpServerOptions options, Handler handler);

  /// Binds and starts accepting. kIo with the address when the port cannot be bound.
  Status start();
  /// Closes the listener and every connection. Idempotent; asynchronous.
  void stop();
  /// The bound port (useful with port 0).
  std::uint16_t port() const { return m_port; }
  std::size_t connections() const { return m_connections.load(); }
  HttpServerStats stats() const;

 private:
  class Connection;
  template <class Stream>
  class StreamConnection;
  void accept();
  /// Admits a client from `address` or says why not (then the caller closes the socket).
  /// On admission the connection count and the client's count are taken.
  bool admit(const std::string& address);
  /// The connection is gone: gives back what admit() took.
  void release(const std::string& address);

  boost::asio::io_context& m_io;
  HttpServerOptions m_options;
  Handler m_handler;
  boost::asio::ip::tcp::acceptor m_acceptor;
  std::uint16_t m_port = 0;
  std::atomic<std::size_t> m_connections{0};
  std::atomic<bool> m_stopped{false};
  std::mutex m_mutex;
  std::vector<std::weak_ptr<Connection>> m_open;
  std::map<std::string, std::size_t> m_perClient;  ///< open connections by remote address
  std::atomic<std::uint64_t> m_evicted{0}, m_refusedFull{0}, m_refusedClient{0}, m_timedOut{0},
      m_refusedRequests{0};
  std::shared_ptr<spdlog::logger> m_log;
  LogLimiter m_refusalLog;
};

/// Decodes %XX and '+' of a URL component.
std::string urlDecode(std::string_view text);

}  // namespace spindle::web
