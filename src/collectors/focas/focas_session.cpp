#include "collectors/focas/focas_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace spindle::collectors::focas {

namespace asio = boost::asio;
using boost::system::error_code;

FocasSession::FocasSession(Strand strand, SessionOptions options,
                           std::weak_ptr<SessionHandler> handler)
    : m_strand(strand),
      m_options(std::move(options)),
      m_handler(std::move(handler)),
      m_socket(strand),
      m_requestTimer(strand),
      m_retryTimer(strand),
      m_backoff(m_options.reconnectMin, m_options.reconnectMax),
      m_reader(m_options.maxFrame) {}

void FocasSession::start() {
  asio::post(m_strand, [self = shared_from_this()] { self->connect(); });
}

void FocasSession::stop() {
  asio::post(m_strand, [self = shared_from_this()] {
    if (self->m_stopped) return;
    self->m_stopped = true;
    ++self->m_generation;
    self->m_done = nullptr;
    error_code ignored;
    if (self->m_open) {
      // Frees the control's session slot at once instead of at its keep-alive timeout.
      const Bytes close = encodeCloseRequest();
      asio::write(self->m_socket, asio::buffer(close), ignored);
    }
    self->m_open = false;
    self->m_socket.close(ignored);
    TcpConnect::drop(self->m_connecting);
    self->m_requestTimer.cancel();
    self->m_retryTimer.cancel();
  });
}

void FocasSession::connect() {
  if (m_stopped) return;
  const std::uint64_t gen = ++m_generation;
  m_connecting = TcpConnect::start(
      m_strand, m_socket,
      {m_options.host, m_options.port, m_options.connectTimeout, m_options.resolve},
      [self = shared_from_this(), gen](Result<asio::ip::tcp::endpoint> ep) {
        if (self->m_stopped || gen != self->m_generation) return;
        self->m_connecting.reset();
        if (!ep) {
          self->fail(ep.error().message());
          return;
        }
        self->m_tcp = true;
        self->m_peer = ep->address().to_string() + ":" + std::to_string(ep->port());
        self->m_reader.reset();
        self->read();
        self->send(encodeOpenRequest(2));
        self->arm();
      });
}

void FocasSession::transact(std::vector<Call> calls, Done done) {
  if (!m_open || m_done) {
    done(Error(ErrorCode::kUnavailable, m_open ? "a request is already waiting" : "not connected"));
    return;
  }
  auto bytes = encodeRequest(calls);
  if (!bytes) {
    done(std::move(bytes).error());
    return;
  }
  m_calls = std::move(calls);
  m_done = std::move(done);
  ++m_requests;
  send(std::move(bytes).value());
  arm();
}

void FocasSession::send(Bytes bytes) {
  m_out = std::move(bytes);
  const std::uint64_t gen = m_generation;
  asio::async_write(
      m_socket, asio::buffer(m_out),
      [self = shared_from_this(), gen](const error_code& ec, std::size_t) {
        if (self->m_stopped || gen != self->m_generation) return;
        if (!ec) return;
        const bool closed = ec == asio::error::broken_pipe || ec == asio::error::connection_reset;
        self->fail(closed && !self->m_open ? "the control closed the connection during the open "
                                             "handshake (are all its FOCAS sessions in use?)"
                                           : "write failed: " + ec.message());
      });
}

void FocasSession::arm() {
  const std::uint64_t gen = m_generation;
  m_requestTimer.expires_after(m_options.requestTimeout);
  m_requestTimer.async_wait([self = shared_from_this(), gen](const error_code& ec) {
    if (ec || self->m_stopped || gen != self->m_generation) return;
    if (self->m_open && !self->m_done) return;  // answered in time
    ++self->m_timeouts;
    self->fail(std::string(self->m_open ? "no answer" : "no answer to the open handshake") +
               " within " + formatDuration(self->m_options.requestTimeout));
  });
}

void FocasSession::read() {
  const std::uint64_t gen = m_generation;
  m_socket.async_read_some(
      asio::buffer(m_buffer), [self = shared_from_this(), gen](const error_code& ec, size_t n) {
        if (self->m_stopped || gen != self->m_generation) return;
        if (ec) {
          const bool closed = ec == asio::error::eof || ec == asio::error::connection_reset;
          if (closed && !self->m_open) {
            // A control whose FOCAS sessions are all taken accepts and closes at once.
            self->fail(
                "the control closed the connection during the open handshake (are all its "
                "FOCAS sessions in use?)");
          } else {
            self->fail(ec == asio::error::eof ? "the control closed the connection"
                                              : "read failed: " + ec.message());
          }
          return;
        }
        std::span<const std::uint8_t> bytes(self->m_buffer.data(), n);
        while (!bytes.empty()) {
          bytes = bytes.subspan(self->m_reader.feed(bytes));
          for (;;) {
            auto frame = self->m_reader.next();
            if (!frame) {
              self->fail("the control broke FOCAS framing: " + frame.error().message());
              return;
            }
            if (!frame->has_value()) break;
            self->onFrame(**frame);
            if (self->m_stopped || gen != self->m_generation) return;
          }
        }
        self->read();
      });
}

void FocasSession::onFrame(const Frame& frame) {
  if (!m_open) {
    if (frame.type != frame_type::kOpenReply) {
      fail("expected the open reply, got a " + frameTypeName(frame.type));
      return;
    }
    m_open = true;
    m_requestTimer.cancel();
    m_backoff.reset();
    if (auto h = m_handler.lock()) h->onConnected(m_peer, frame.version);
    return;
  }
  if (!m_done) {
    fail("unasked " + frameTypeName(frame.type) + " from the control");
    return;
  }
  auto replies = decodeReply(frame);
  if (!replies) {
    fail("bad data reply: " + replies.error().message());
    return;
  }
  if (auto match = matchReplies(m_calls, *replies); !match) {
    fail("the reply does not answer the request: " + match.error().message());
    return;
  }
  m_requestTimer.cancel();
  finish(std::move(replies));
}

void FocasSession::finish(Result<std::vector<Reply>> result) {
  Done done = std::move(m_done);
  m_done = nullptr;
  if (done) done(std::move(result));
}

void FocasSession::fail(const std::string& reason) {
  const bool wasConnected = m_open;
  m_open = false;
  m_tcp = false;
  ++m_generation;
  error_code ignored;
  m_socket.close(ignored);
  TcpConnect::drop(m_connecting);
  m_requestTimer.cancel();
  if (m_done) finish(Error(ErrorCode::kUnavailable, reason));
  if (m_stopped) return;
  const Duration retryIn = m_backoff.next();
  if (auto h = m_handler.lock()) h->onDisconnected(reason, retryIn, wasConnected);
  const std::uint64_t gen = m_generation;
  m_retryTimer.expires_after(retryIn);
  m_retryTimer.async_wait([self = shared_from_this(), gen](const error_code& ec) {
    if (ec || self->m_stopped || gen != self->m_generation) return;
    self->connect();
  });
}

}  // namespace spindle::collectors::focas
