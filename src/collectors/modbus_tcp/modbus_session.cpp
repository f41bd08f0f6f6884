#include "collectors/modbus_tcp/modbus_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace spindle::collectors::modbus_tcp {

namespace asio = boost::asio;
using boost::system::error_code;

ModbusSession::ModbusSession(Strand strand, SessionOptions options,
                             std::weak_ptr<SessionHandler> handler)
    : m_strand(strand),
      m_options(std::move(options)),
      m_handler(std::move(handler)),
      m_socket(strand),
      m_requestTimer(strand),
      m_retryTimer(strand),
      m_backoff(m_options.reconnectMin, m_options.reconnectMax) {}

void ModbusSession::start() {
  asio::post(m_strand, [self = shared_from_this()] { self->connect(); });
}

void ModbusSession::stop() {
  asio::post(m_strand, [self = shared_from_this()] {
    self->m_stopped = true;
    ++self->m_generation;
    self->m_reply = nullptr;
    error_code ignored;
    self->m_socket.close(ignored);
    TcpConnect::drop(self->m_connecting);
    self->m_requestTimer.cancel();
    self->m_retryTimer.cancel();
  });
}

void ModbusSession::connect() {
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
        self->m_connected = true;
        self->m_timeoutsInRow = 0;
        self->m_decoder.reset();
        self->read();
        if (auto h = self->m_handler.lock()) {
          h->onConnected(ep->address().to_string() + ":" + std::to_string(ep->port()));
        }
      });
}

void ModbusSession::transact(const Request& request, Reply reply) {
  if (!m_connected || m_reply) {
    reply(Error(ErrorCode::kUnavailable,
                m_connected ? "a request is already waiting" : "not connected"));
    return;
  }
  auto pdu = encodeRequestPdu(request);
  if (!pdu) {
    reply(std::move(pdu).error());
    return;
  }
  m_request = request;
  m_reply = std::move(reply);
  ++m_transaction;
  ++m_stats.requests;
  m_out = encodeAdu(Adu{m_transaction, m_options.unit, std::move(*pdu)});
  m_deadline = std::chrono::steady_clock::now() + m_options.requestTimeout;
  armDeadline();
  const std::uint64_t gen = m_generation;
  asio::async_write(m_socket, asio::buffer(m_out),
                    [self = shared_from_this(), gen](const error_code& ec, std::size_t) {
                      if (self->m_stopped || gen != self->m_generation) return;
                      if (ec) self->fail("write failed: " + ec.message());
                    });
}

// One timer per connection, not one per request: it is armed when none is, and when it fires
// early (the request it was armed for was answered, a later one waits) it re-arms for the
// waiting request's deadline. A device polled at 10 Hz with a 1 s timeout wakes it once a second
// instead of arming and cancelling it twenty times.
void ModbusSession::armDeadline() {
  if (m_timerArmed) return;
  m_timerArmed = true;
  m_requestTimer.expires_at(m_deadline);
  m_requestTimer.async_wait([self = shared_from_this()](const error_code&) {
    self->m_timerArmed = false;
    if (self->m_stopped || !self->m_reply) return;
    if (std::chrono::steady_clock::now() < self->m_deadline) {
      self->armDeadline();
      return;
    }
    ++self->m_stats.timeouts;
    self->finish(Error(ErrorCode::kTimeout,
                       "no answer within " + formatDuration(self->m_options.requestTimeout)));
    if (++self->m_timeoutsInRow >= self->m_options.maxTimeouts && self->m_connected) {
      self->fail("the device answered none of " + std::to_string(self->m_timeoutsInRow) +
                 " requests in a row");
    }
  });
}

void ModbusSession::read() {
  const std::uint64_t gen = m_generation;
  m_socket.async_read_some(
      asio::buffer(m_buffer), [self = shared_from_this(), gen](const error_code& ec, size_t n) {
        if (self->m_stopped || gen != self->m_generation) return;
        if (ec) {
          self->fail(ec == asio::error::eof ? "the device closed the connection"
                                            : "read failed: " + ec.message());
          return;
        }
        std::span<const std::uint8_t> bytes(self->m_buffer.data(), n);
        while (!bytes.empty()) {
          bytes = bytes.subspan(self->m_decoder.feed(bytes));
          for (;;) {
            auto frame = self->m_decoder.next();
            if (!frame) {
              self->fail("the device broke Modbus TCP framing: " + frame.error().message());
              return;
            }
            if (!frame->has_value()) break;
            self->onFrame(std::move(**frame));
            if (self->m_stopped || gen != self->m_generation) return;
          }
        }
        self->read();
      });
}

void ModbusSession::onFrame(Adu adu) {
  if (!m_reply || adu.transaction != m_transaction) {
    ++m_stats.staleReplies;  // the answer to a request that already timed out
    return;
  }
  m_timeoutsInRow = 0;
  m_backoff.reset();
  if (adu.unit != m_options.unit) {
    finish(Error(ErrorCode::kProtocol, "answer from unit " + std::to_string(adu.unit) +
                                           ", asked unit " + std::to_string(m_options.unit)));
    return;
  }
  finish(decodeResponsePdu(adu.pdu, &m_request));
}

void ModbusSession::finish(Result<Response> result) {
  Reply reply = std::move(m_reply);
  m_reply = nullptr;
  if (reply) reply(std::move(result));
}

void ModbusSession::fail(const std::string& reason) {
  const bool wasConnected = m_connected;
  m_connected = false;
  ++m_generation;
  error_code ignored;
  m_socket.close(ignored);
  TcpConnect::drop(m_connecting);
  if (m_reply) finish(Error(ErrorCode::kUnavailable, reason));
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

}  // namespace spindle::collectors::modbus_tcp
