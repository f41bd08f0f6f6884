#include "web/http_server.hpp"

#include <optional>

#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

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

namespace {

HttpRequest toRequest(const http::request<http::empty_body>& req) {
  HttpRequest r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  r.accept = std::string(req[http::field::accept]);
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

}  // namespace

class HttpServer::Connection : public Responder, public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::ip::tcp::socket socket, Executor strand, std::shared_ptr<HttpServer> server)
      : m_strand(strand), m_stream(std::move(socket)), m_server(std::move(server)) {}

  ~Connection() override { --m_server->m_connections; }

  void start() {
    asio::dispatch(m_strand, [self = shared_from_this()] { self->read(); });
  }

  void close() {
    asio::post(m_strand, [self = shared_from_this()] {
      error_code ignored;
      self->m_stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      self->m_stream.close();
    });
  }

  void reply(unsigned status, std::string contentType, std::string body) override {
    asio::dispatch(m_strand, [self = shared_from_this(), status, type = std::move(contentType),
                              body = std::move(body)]() mutable {
      auto res = std::make_shared<http::response<http::string_body>>(
          static_cast<http::status>(status), 11);
      res->set(http::field::server, "spindle");
      res->set(http::field::content_type, type);
      res->keep_alive(self->m_keepAlive);
      res->body() = std::move(body);
      res->prepare_payload();
      self->m_stream.expires_after(self->m_server->m_options.writeTimeout);
      http::async_write(self->m_stream, *res,
                        [self, res](const error_code& ec, size_t) { self->afterResponse(ec); });
    });
  }

  void startStream(std::string contentType) override {
    asio::dispatch(m_strand, [self = shared_from_this(), type = std::move(contentType)] {
      self->m_streamHead = std::make_shared<http::response<http::empty_body>>(http::status::ok, 11);
      self->m_streamHead->set(http::field::server, "spindle");
      self->m_streamHead->set(http::field::content_type, type);
      self->m_streamHead->set(http::field::cache_control, "no-store");
      self->m_streamHead->chunked(true);
      self->m_headSerializer =
          std::make_shared<http::response_serializer<http::empty_body>>(*self->m_streamHead);
      self->m_streamOpen = true;
      self->m_headPending = true;
      self->m_stream.expires_after(self->m_server->m_options.writeTimeout);
      http::async_write_header(self->m_stream, *self->m_headSerializer,
                               [self](const error_code& ec, size_t) {
                                 self->m_headPending = false;
                                 if (ec) self->m_streamOpen = false;
                                 if (self->m_afterHead) std::exchange(self->m_afterHead, {})();
                               });
    });
  }

  void sendChunk(std::string data, std::function<void(bool)> done) override {
    asio::dispatch(m_strand, [self = shared_from_this(), data = std::move(data),
                              done = std::move(done)]() mutable {
      auto write = [self, data = std::make_shared<std::string>(std::move(data)),
                    done = std::move(done)]() mutable {
        if (!self->m_streamOpen) {
          done(false);
          return;
        }
        self->m_stream.expires_after(self->m_server->m_options.writeTimeout);
        asio::async_write(self->m_stream, http::make_chunk(asio::buffer(*data)),
                          [self, data, done = std::move(done)](const error_code& ec, size_t) {
                            if (ec) {
                              self->m_streamOpen = false;
                              self->m_stream.close();
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
    asio::dispatch(m_strand, [self = shared_from_this()] {
      if (!self->m_streamOpen) {
        self->m_stream.close();
        return;
      }
      self->m_streamOpen = false;
      self->m_keepAlive = false;
      self->m_stream.expires_after(self->m_server->m_options.writeTimeout);
      asio::async_write(self->m_stream, http::make_chunk_last(),
                        [self](const error_code& ec, size_t) { self->afterResponse(ec); });
    });
  }

  Executor executor() override { return m_strand; }

 private:
  void read() {
    m_request = {};
    m_parser.emplace();
    m_parser->header_limit(16 * 1024);
    m_stream.expires_after(m_server->m_options.idleTimeout);
    http::async_read(m_stream, m_buffer, *m_parser,
                     [self = shared_from_this()](const error_code& ec, size_t) {
                       if (ec) {
                         self->m_stream.close();
                         return;
                       }
                       self->m_request = self->m_parser->release();
                       self->m_keepAlive = self->m_request.keep_alive();
                       self->m_server->m_handler(toRequest(self->m_request), self);
                     });
  }

  void afterResponse(const error_code& ec) {
    if (ec || !m_keepAlive || m_server->m_stopped) {
      error_code ignored;
      m_stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
      m_stream.close();
      return;
    }
    read();
  }

  Executor m_strand;
  beast::tcp_stream m_stream;
  std::shared_ptr<HttpServer> m_server;
  beast::flat_buffer m_buffer;
  std::optional<http::request_parser<http::empty_body>> m_parser;
  http::request<http::empty_body> m_request;
  bool m_keepAlive = true;
  std::shared_ptr<http::response<http::empty_body>> m_streamHead;
  std::shared_ptr<http::response_serializer<http::empty_body>> m_headSerializer;
  bool m_streamOpen = false;
  bool m_headPending = false;
  std::function<void()> m_afterHead;
};

HttpServer::HttpServer(asio::io_context& io, HttpServerOptions options, Handler handler)
    : m_io(io), m_options(std::move(options)), m_handler(std::move(handler)), m_acceptor(io) {}

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
    m_acceptor.close(ec);
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
    if (self->m_connections.load() >= self->m_options.maxConnections) {
      error_code ignored;
      socket.close(ignored);  // over the limit: refuse rather than queue without bound
    } else {
      ++self->m_connections;
      auto conn = std::make_shared<Connection>(std::move(socket), strand, self);
      {
        std::lock_guard lock(self->m_mutex);
        std::erase_if(self->m_open, [](const auto& w) { return w.expired(); });
        self->m_open.push_back(conn);
      }
      conn->start();
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
  std::lock_guard lock(m_mutex);
  for (auto& w : m_open) {
    if (auto c = w.lock()) c->close();
  }
  m_open.clear();
}

}  // namespace spindle::web
