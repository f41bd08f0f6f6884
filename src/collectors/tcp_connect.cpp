#include "collectors/tcp_connect.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>

namespace spindle::collectors {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

TcpConnect::TcpConnect(Strand strand, tcp::socket& socket, TcpTarget target, Done done)
    : m_strand(strand),
      m_socket(socket),
      m_target(std::move(target)),
      m_done(std::move(done)),
      m_timer(strand) {}

std::shared_ptr<TcpConnect> TcpConnect::start(Strand strand, tcp::socket& socket, TcpTarget target,
                                              Done done) {
  auto attempt = std::make_shared<TcpConnect>(strand, socket, std::move(target), std::move(done));
  asio::post(strand, [attempt] { attempt->begin(); });
  return attempt;
}

void TcpConnect::cancel() {
  m_finished = true;
  m_done = nullptr;
  m_timer.cancel();
}

std::string TcpConnect::where() const {
  return m_target.host + ":" + std::to_string(m_target.port);
}

void TcpConnect::begin() {
  if (m_finished) return;
  m_timer.expires_after(m_target.timeout);
  m_timer.async_wait([self = shared_from_this()](const error_code& ec) {
    if (ec || self->m_finished) return;
    // Closing the socket ends a connect in flight; its handler then finds the attempt done.
    error_code ignored;
    self->m_socket.close(ignored);
    self->finish(Error(ErrorCode::kTimeout, "connecting to " + self->where() + " timed out after " +
                                                formatDuration(self->m_target.timeout)));
  });
  m_target.resolve(m_target.host, m_target.port, m_strand,
                   [self = shared_from_this()](Result<Endpoints> endpoints) {
                     if (self->m_finished) return;
                     self->onResolved(std::move(endpoints));
                   });
}

void TcpConnect::onResolved(Result<Endpoints> endpoints) {
  if (!endpoints) {
    finish(Error(endpoints.error().code(),
                 "cannot resolve '" + m_target.host + "': " + endpoints.error().message()));
    return;
  }
  m_endpoints = std::move(*endpoints);
  // Bound to the strand: the socket's own executor need not be it (a session may give its
  // socket the plain I/O executor, which Asio's per-operation bookkeeping handles cheaper).
  asio::async_connect(
      m_socket, m_endpoints,
      asio::bind_executor(
          m_strand, [self = shared_from_this()](const error_code& ec, const tcp::endpoint& ep) {
            if (self->m_finished) return;
            if (ec) {
              self->finish(Error(ErrorCode::kUnavailable,
                                 "cannot connect to " + self->where() + ": " + ec.message()));
              return;
            }
            error_code ignored;
            // A connect to a loopback port nobody listens on can meet itself (the kernel picks the
            // same port as the source: a simultaneous open). That is no peer: fail, and free the
            // port.
            if (self->m_socket.local_endpoint(ignored) == ep) {
              self->m_socket.close(ignored);
              self->finish(
                  Error(ErrorCode::kUnavailable, "cannot connect to " + self->where() +
                                                     ": nothing listens (connected to itself)"));
              return;
            }
            self->m_socket.set_option(tcp::no_delay(true), ignored);
            self->m_socket.set_option(asio::socket_base::keep_alive(true), ignored);
            self->finish(ep);
          }));
}

void TcpConnect::finish(Result<tcp::endpoint> result) {
  if (m_finished) return;
  m_finished = true;
  m_timer.cancel();
  Done done = std::move(m_done);
  m_done = nullptr;
  if (done) done(std::move(result));
}

}  // namespace spindle::collectors
