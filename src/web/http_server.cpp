#include "web/http_server.hpp"

#include <optional>

#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "base/log.hpp"

namespace spindle::web {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

std::string urlDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() &&
               std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string_view HttpRequest::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return {};
}

namespace {

HttpRequest toRequest(http::request<http::string_body>&& req) {
  HttpRequest r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  r.accept = std::string(req[http::field::accept]);
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  r.body = std::move(req.body());
  const auto q = r.target.find('?');
  r.path = urlDecode(std::string_view(r.target).substr(0, q));
  if (q != std::string::npos) {
    std::string_view query = std::string_view(r.target).substr(q + 1);
    while (!query.empty()) {
      const auto amp = query.find('&');
      const std::string_view kv = query.substr(0, amp);
      const auto eq = kv.find('=');
      if (!kv.empty()) {
        r.query[urlDecode(kv.substr(0, eq))] =
            eq == std::string_view::npos ? "" : urlDecode(kv.substr(eq + 1));
      }
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
  }
  return r;
}

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

template <class Stream>
constexpr bool kSecure = std::is_same_v<Stream, TlsStream>;

}  // namespace

/// What the server keeps of a connection, whatever its stream.
class HttpServer::Connection {
 public:
  virtual ~Connection() = default;
  /// Waiting for a request (none read completely yet): such a connection may be evicted.
  bool waiting() const { return m_waiting.load(); }
  std::int64_t waitingSince() const { return m_waitingSince.load(); }
  /// Closes the connection if it is still waiting for a request and was not evicted yet.
  bool evict() {
    if (!m_waiting.load() || m_evicted.exchange(true)) return false;
    close();
    return true;
  }
  virtual void close() = 0;

 protected:
  void setWaiting(bool waiting) {
    if (waiting) m_waitingSince = std::chrono::steady_clock::now().time_since_epoch().count();
    m_waiting = waiting;
  }

 private:
  std::atomic<bool> m_waiting{true};
  std::atomic<std::int64_t> m_waitingSince{
      std::chrono::steady_clock::now().time_since_epoch().count()};
  std::atomic<bool> m_evicted{false};
};

template <class Stream>
class HttpServer::StreamConnection : public Connection,
                                     public Responder,
                                     public std::enable_shared_from_this<StreamConnection<Stream>> {
 public:
  StreamConnection(Stream stream, Executor strand, std::shared_ptr<HttpServer> server,
                   std::string address)
      : m_strand(strand),
        m_stream(std::move(stream)),
        m_server(std::move(server)),
        m_address(std::move(address)) {}

  ~StreamConnection() override { m_server->release(m_address); }

  void start() {
    asio::dispatch(m_strand, [self = this->shared_from_this()] {
      if constexpr (kSecure<Stream>) {
        self->lowest().expires_after(self->m_server->m_options.headerTimeout);
        self->m_stream.async_handshake(asio::ssl::stream_base::server,
                                       [self](const error_code& ec) {
                                         if (ec) {
                                           ++self->m_server->m_refusedRequests;
                                           self->lowest().close();
                                           return;
                                         }
                                         self->read();
                                       });
      } else {
        self->read();
      }
    });
  }

  void close() override {
    asio::post(m_strand, [self = this->shared_from_this()] {
      error_code ignored;
      self->lowest().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      self->lowest().close();
    });
  }

  void reply(unsigned status, std::string contentType, std::string body) override {
    send(HttpResponse{status, std::move(contentType), std::move(body), {}});
  }

  void send(HttpResponse response) override {
    asio::dispatch(
        m_strand, [self = this->shared_from_this(), response = std::move(response)]() mutable {
          auto res = std::make_shared<http::response<http::string_body>>(
              static_cast<http::status>(response.status), 11);
          self->setHeaders(*res, response.contentType);
          for (const auto& [name, value] : response.headers) res->insert(name, value);
          res->keep_alive(self->m_keepAlive);
          res->body() = std::move(response.body);
          res->prepare_payload();
          self->lowest().expires_after(self->m_server->m_options.writeTimeout);
          http::async_write(self->m_stream, *res,
                            [self, res](const error_code& ec, size_t) { self->afterResponse(ec); });
        });
  }

  void startStream(std::string contentType) override {
    asio::dispatch(m_strand, [self = this->shared_from_this(), type = std::move(contentType)] {
      self->m_streamHead = std::make_shared<http::response<http::empty_body>>(http::status::ok, 11);
      self->setHeaders(*self->m_streamHead, type);
      self->m_streamHead->set(http::field::cache_control, "no-store");
      self->m_streamHead->chunked(true);
      self->m_headSerializer =
          std::make_shared<http::response_serializer<http::empty_body>>(*self->m_streamHead);
      self->m_streamOpen = true;
      self->m_headPending = true;
      self->lowest().expires_after(self->m_server->m_options.writeTimeout);
      http::async_write_header(self->m_stream, *self->m_headSerializer,
                               [self](const error_code& ec, size_t) {
                                 self->m_headPending = false;
                                 if (ec) self->m_streamOpen = false;
                                 if (self->m_afterHead) std::exchange(self->m_afterHead, {})();
                               });
    });
  }

  void sendChunk(std::string data, std::function<void(bool)> done) override {
    asio::dispatch(m_strand, [self = this->shared_from_this(), data = std::move(data),
                              done = std::move(done)]() mutable {
      auto write = [self, data = std::make_shared<std::string>(std::move(data)),
                    done = std::move(done)]() mutable {
        if (!self->m_streamOpen) {
          done(false);
          return;
        }
        self->lowest().expires_after(self->m_server->m_options.writeTimeout);
        asio::async_write(self->m_stream, http::make_chunk(asio::buffer(*data)),
                          [self, data, done = std::move(done)](const error_code& ec, size_t) {
                            if (ec) {
                              self->m_streamOpen = false;
                              self->lowest().close();
                            }
                            done(!ec);
                          });
      };
      if (self->m_headPending) {
        self->m_afterHead = std::move(write);
      } else {
        write();
      }
    });
  }

  void endStream() override {
    asio::dispatch(m_strand, [self = this->shared_from_this()] {
      if (!self->m_streamOpen) {
        self->lowest().close();
        return;
      }
      self->m_streamOpen = false;
      self->m_keepAlive = false;
      self->lowest().expires_after(self->m_server->m_options.writeTimeout);
      asio::async_write(self->m_stream, http::make_chunk_last(),
                        [self](const error_code& ec, size_t) { self->afterResponse(ec); });
    });
  }

  Executor executor() override { return m_strand; }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(m_stream); }

  template <class Message>
  void setHeaders(Message& message, const std::string& contentType) {
    message.set(http::field::server, "spindle");
    if (!contentType.empty()) message.set(http::field::content_type, contentType);  // 204: none
    for (const auto& [name, value] : m_server->m_options.responseHeaders) {
      message.set(name, value);
    }
  }

  /// The next request: on a keep-alive connection with nothing buffered, first wait up to
  /// idle_timeout for its first byte; then the whole head must come within header_timeout.
  void read() {
    m_parser.emplace();
    m_parser->header_limit(static_cast<std::uint32_t>(m_server->m_options.maxHeaderBytes));
    m_parser->body_limit(m_server->m_options.maxBodyBytes);
    setWaiting(true);
    if (m_firstRequest || m_buffer.size() > 0) {
      m_firstRequest = false;
      readHead();
      return;
    }
    lowest().expires_after(m_server->m_options.idleTimeout);
    m_stream.async_read_some(m_buffer.prepare(4096),
                             [self = this->shared_from_this()](const error_code& ec, size_t n) {
                               if (ec) {
                                 self->lowest().close();
                                 return;
                               }
                               self->m_buffer.commit(n);
                               self->readHead();
                             });
  }

  void readHead() {
    lowest().expires_after(m_server->m_options.headerTimeout);
    http::async_read(m_stream, m_buffer, *m_parser,
                     [self = this->shared_from_this()](const error_code& ec, size_t) {
                       if (ec) {
                         self->refuse(ec);
                         return;
                       }
                       self->setWaiting(false);
                       auto request = self->m_parser->release();
                       self->m_keepAlive = request.keep_alive();
                       HttpRequest r = toRequest(std::move(request));
                       r.remoteAddress = self->m_address;
                       r.secure = kSecure<Stream>;
                       self->m_server->m_handler(r, self);
                     });
  }

  /// A request that could not be read: over a limit gets its status before the close.
  void refuse(const error_code& ec) {
    if (ec == beast::error::timeout) ++m_server->m_timedOut;
    unsigned status = 0;
    if (ec == http::error::header_limit) status = 431;
    if (ec == http::error::body_limit) status = 413;
    if (ec == http::error::unexpected_body) status = 413;
    if (status == 0) {
      lowest().close();
      return;
    }
    ++m_server->m_refusedRequests;
    setWaiting(false);
    m_keepAlive = false;
    send(HttpResponse{status,
                      "text/plain; charset=utf-8",
                      status == 431 ? "request head too large\n" : "request body too large\n",
                      {}});
  }

  void afterResponse(const error_code& ec) {
    if (ec || !m_keepAlive || m_server->m_stopped) {
      error_code ignored;
      lowest().socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
      lowest().close();
      return;
    }
    read();
  }

  Executor m_strand;
  Stream m_stream;
  std::shared_ptr<HttpServer> m_server;
  std::string m_address;  ///< the client's IP address
  bool m_firstRequest = true;
  beast::flat_buffer m_buffer;
  std::optional<http::request_parser<http::string_body>> m_parser;
  bool m_keepAlive = true;
  std::shared_ptr<http::response<http::empty_body>> m_streamHead;
  std::shared_ptr<http::response_serializer<http::empty_body>> m_headSerializer;
  bool m_streamOpen = false;
  bool m_headPending = false;
  std::function<void()> m_afterHead;
};

HttpServer::HttpServer(asio::io_context& io, HttpServerOptions options, Handler handler)
    : m_io(io),
      m_options(std::move(options)),
      m_handler(std::move(handler)),
      m_acceptor(io),
      m_log(makeLogger("web.http")) {}

HttpServerStats HttpServer::stats() const {
  return HttpServerStats{m_evicted.load(), m_refusedFull.load(), m_refusedClient.load(),
                         m_timedOut.load(), m_refusedRequests.load()};
}

bool HttpServer::admit(const std::string& address) {
  std::vector<std::shared_ptr<Connection>> open;  // outlives the lock: one may end in it
  {
    std::lock_guard lock(m_mutex);
    const auto it = m_perClient.find(address);
    if (it != m_perClient.end() && it->second >= m_options.maxConnectionsPerClient) {
      ++m_refusedClient;
      m_refusalLog.log(*m_log, spdlog::level::warn,
                       "refused a connection from {}: it holds max_connections_per_client ({})",
                       address, m_options.maxConnectionsPerClient);
      return false;
    }
    if (m_connections.load() < m_options.maxConnections) {
      ++m_perClient[address];
      ++m_connections;
      return true;
    }
    for (const auto& w : m_open) {
      if (auto c = w.lock()) open.push_back(std::move(c));
    }
  }
  // Full: the connection that has waited longest for a request makes room.
  Connection* victim = nullptr;
  for (const auto& c : open) {
    if (c->waiting() && (victim == nullptr || c->waitingSince() < victim->waitingSince())) {
      victim = c.get();
    }
  }
  if (victim == nullptr || !victim->evict()) {
    ++m_refusedFull;
    m_refusalLog.log(*m_log, spdlog::level::warn,
                     "refused a connection from {}: max_connections ({}) are all working", address,
                     m_options.maxConnections);
    return false;
  }
  ++m_evicted;
  std::lock_guard lock(m_mutex);
  ++m_perClient[address];
  ++m_connections;
  return true;
}

void HttpServer::release(const std::string& address) {
  std::lock_guard lock(m_mutex);
  --m_connections;
  if (const auto it = m_perClient.find(address); it != m_perClient.end() && --it->second == 0) {
    m_perClient.erase(it);
  }
}

Status HttpServer::start() {
  error_code ec;
  const auto address = asio::ip::make_address(m_options.bind, ec);
  if (ec) return Error(ErrorCode::kInvalidArgument, "bad bind address '" + m_options.bind + "'");
  const asio::ip::tcp::endpoint endpoint(address, m_options.port);
  const std::string where = m_options.bind + ":" + std::to_string(m_options.port);
  m_acceptor.open(endpoint.protocol(), ec);
  if (!ec) m_acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) m_acceptor.bind(endpoint, ec);
  if (!ec) m_acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;  // closing must not overwrite the reason (it would read "Success")
    m_acceptor.close(ignored);
    return Error(ErrorCode::kIo, ec.message()).with("listening on " + where);
  }
  m_port = m_acceptor.local_endpoint().port();
  accept();
  return okStatus();
}

void HttpServer::accept() {
  // The connection's socket and its handlers share this strand.
  auto strand = asio::make_strand(m_io);
  m_acceptor.async_accept(strand, [self = shared_from_this(), strand](
                                      const error_code& ec, asio::ip::tcp::socket socket) {
    if (ec || self->m_stopped) return;
    error_code aec;
    const auto remote = socket.remote_endpoint(aec);
    const std::string address = aec ? std::string("?") : remote.address().to_string();
    if (!self->admit(address)) {
      error_code ignored;
      socket.close(ignored);  // refuse rather than queue without bound
    } else {
      auto open = [&](auto conn) {
        {
          std::lock_guard lock(self->m_mutex);
          std::erase_if(self->m_open, [](const auto& w) { return w.expired(); });
          self->m_open.push_back(conn);
        }
        conn->start();
      };
      if (self->m_options.tls) {
        open(std::make_shared<StreamConnection<TlsStream>>(
            TlsStream(beast::tcp_stream(std::move(socket)), *self->m_options.tls), strand, self,
            address));
      } else {
        open(std::make_shared<StreamConnection<beast::tcp_stream>>(
            beast::tcp_stream(std::move(socket)), strand, self, address));
      }
    }
    self->accept();
  });
}

void HttpServer::stop() {
  if (m_stopped.exchange(true)) return;
  asio::post(m_io, [self = shared_from_this()] {
    error_code ignored;
    self->m_acceptor.close(ignored);
  });
  std::vector<std::weak_ptr<Connection>> open;
  {
    std::lock_guard lock(m_mutex);
    open.swap(m_open);
  }
  // Outside the lock: a connection that ends here gives its count back under it.
  for (auto& w : open) {
    if (auto c = w.lock()) c->close();
  }
}

}  // namespace spindle::web
