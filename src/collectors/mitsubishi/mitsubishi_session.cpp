#include "collectors/mitsubishi/mitsubishi_session.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace spindle::collectors::mitsubishi {

namespace asio = boost::asio;
using boost::system::error_code;

MitsubishiSession::MitsubishiSession(Strand strand, SessionOptions options,
                                     std::weak_ptr<SessionHandler> handler)
    : m_strand(strand),
      m_options(std::move(options)),
      m_handler(std::move(handler)),
      m_socket(strand),
      m_requestTimer(strand),
      m_retryTimer(strand),
      m_backoff(m_options.reconnectMin, m_options.reconnectMax),
      m_reader(m_options.maxMessage) {
  m_options.pipeline = std::clamp<std::size_t>(m_options.pipeline, 1, 64);
}

void MitsubishiSession::start() {
  asio::post(m_strand, [self = shared_from_this()] { self->connect(); });
}

void MitsubishiSession::stop() {
  asio::post(m_strand, [self = shared_from_this()] {
    if (self->m_stopped) return;
    self->m_stopped = true;
    ++self->m_generation;
    self->m_done = nullptr;
    self->m_connected = false;
    error_code ignored;
    self->m_socket.close(ignored);
    TcpConnect::drop(self->m_connecting);
    self->m_requestTimer.cancel();
    self->m_retryTimer.cancel();
  });
}

void MitsubishiSession::connect() {
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
        error_code ignored;
        self->m_socket.set_option(asio::ip::tcp::no_delay(true), ignored);
        self->m_connected = true;
        self->m_peer = ep->address().to_string() + ":" + std::to_string(ep->port());
        self->m_reader.reset();
        self->read();
        if (auto h = self->m_handler.lock()) h->onConnected(self->m_peer);
      });
}

void MitsubishiSession::transact(std::vector<Request> requests, Done done) {
  if (!m_connected || m_done) {
    done(Error(ErrorCode::kUnavailable,
               m_connected ? "a batch is already waiting" : "not connected"));
    return;
  }
  if (requests.empty()) {
    done(std::vector<Reply>{});
    return;
  }
  for (auto& r : requests) {
    r.requestId = m_nextId++;
    if (m_nextId == 0) m_nextId = 1;
  }
  m_batch = std::move(requests);
  m_replies.clear();
  m_sent = 0;
  m_done = std::move(done);
  const std::uint64_t gen = m_generation;
  m_requestTimer.expires_after(m_options.requestTimeout);
  m_requestTimer.async_wait([self = shared_from_this(), gen](const error_code& ec) {
    if (ec || self->m_stopped || gen != self->m_generation || !self->m_done) return;
    self->fail("no answer to request " + std::to_string(self->m_replies.size() + 1) + " of " +
               std::to_string(self->m_batch.size()) + " (" +
               self->m_batch[self->m_replies.size()].operation + ") within " +
               formatDuration(self->m_options.requestTimeout));
  });
  sendMore();
}

void MitsubishiSession::sendMore() {
  while (m_sent < m_batch.size() && m_sent - m_replies.size() < m_options.pipeline) {
    const Bytes bytes = encodeRequest(m_batch[m_sent++]);
    m_pending.insert(m_pending.end(), bytes.begin(), bytes.end());
    ++m_requestCount;
  }
  if (!m_writing && !m_pending.empty()) write();
}

void MitsubishiSession::write() {
  m_out.swap(m_pending);
  m_pending.clear();
  m_writing = true;
  const std::uint64_t gen = m_generation;
  asio::async_write(m_socket, asio::buffer(m_out),
                    [self = shared_from_this(), gen](const error_code& ec, std::size_t) {
                      if (self->m_stopped || gen != self->m_generation) return;
                      self->m_writing = false;
                      if (ec) return self->fail("write failed: " + ec.message());
                      if (!self->m_pending.empty()) self->write();
                    });
}

void MitsubishiSession::read() {
  const std::uint64_t gen = m_generation;
  m_socket.async_read_some(
      asio::buffer(m_buffer), [self = shared_from_this(), gen](const error_code& ec, size_t n) {
        if (self->m_stopped || gen != self->m_generation) return;
        if (ec) {
          self->fail(ec == asio::error::eof ? "the NC closed the connection"
                                            : "read failed: " + ec.message());
          return;
        }
        std::span<const std::uint8_t> bytes(self->m_buffer.data(), n);
        while (!bytes.empty()) {
          bytes = bytes.subspan(self->m_reader.feed(bytes));
          for (;;) {
            auto message = self->m_reader.next();
            if (!message) {
              self->fail("the NC broke GIOP framing: " + message.error().message());
              return;
            }
            if (!message->has_value()) break;
            self->onMessage(**message);
            if (self->m_stopped || gen != self->m_generation) return;
          }
        }
        self->read();
      });
}

void MitsubishiSession::onMessage(const Message& message) {
  if (message.type == message_type::kCloseConnection) {
    return fail("the NC sent CloseConnection");
  }
  auto reply = decodeReply(message);
  if (!reply) return fail("bad reply: " + reply.error().message());
  if (!m_done || m_replies.size() >= m_sent) {
    return fail("a reply (request id " + std::to_string(reply->requestId) +
                ") when no request waits");
  }
  const std::uint32_t want = m_batch[m_replies.size()].requestId;
  if (m_options.pipeline > 1 && reply->requestId != want) {
    return fail("reply to request id " + std::to_string(reply->requestId) + ", expected " +
                std::to_string(want) + " (set pipeline: 1 if this NC does not echo request ids)");
  }
  m_replies.push_back(std::move(*reply));
  if (m_replies.size() == m_batch.size()) {
    m_requestTimer.cancel();
    m_backoff.reset();  // answered: the NC is really there (not just accepting and closing)
    return finish(std::move(m_replies));
  }
  sendMore();
}

void MitsubishiSession::finish(Result<std::vector<Reply>> result) {
  Done done = std::move(m_done);
  m_done = nullptr;
  m_batch.clear();
  m_replies = {};
  if (done) done(std::move(result));
}

void MitsubishiSession::fail(const std::string& reason) {
  const bool wasConnected = m_connected;
  m_connected = false;
  m_writing = false;
  m_pending.clear();
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

}  // namespace spindle::collectors::mitsubishi
