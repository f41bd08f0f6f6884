#include "collectors/shdr/shdr_session.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace spindle::collectors::shdr {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {
/// Why a read ended the connection, as the log says it.
std::string readFailure(const error_code& ec) {
  return ec == asio::error::eof ? "the adapter closed the connection"
                                : "read failed: " + ec.message();
}
}  // namespace

ShdrSession::ShdrSession(Strand strand, SessionOptions options,
                         std::weak_ptr<SessionHandler> handler)
    : m_strand(strand),
      m_options(std::move(options)),
      m_handler(std::move(handler)),
      // The socket has the plain I/O executor and every handler on it is bound to the strand:
      // with the strand as the socket's (type-erased) executor, Asio copied it onto the heap
      // for each read, one allocation per line.
      m_socket(strand.get_inner_executor()),
      m_watchdog(strand),
      m_pingTimer(strand),
      m_retryTimer(strand),
      m_backoff(m_options.reconnectMin, m_options.reconnectMax) {}

void ShdrSession::start() {
  asio::post(m_strand, [self = shared_from_this()] { self->connect(); });
}

void ShdrSession::stop() {
  asio::post(m_strand, [self = shared_from_this()] {
    self->m_stopped = true;
    ++self->m_generation;
    error_code ignored;
    self->m_socket.close(ignored);
    TcpConnect::drop(self->m_connecting);
    self->m_watchdog.cancel();
    self->m_pingTimer.cancel();
    self->m_retryTimer.cancel();
  });
}

void ShdrSession::connect() {
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
        self->m_paused = false;
        error_code ignored;
        self->m_socket.non_blocking(true, ignored);  // drain() reads without waiting
        self->m_heartbeat = self->m_options.heartbeatOverride;
        self->sendLine("* PING");
        if (auto h = self->m_handler.lock()) {
          h->onConnected(ep->address().to_string() + ":" + std::to_string(ep->port()));
        }
        self->armWatchdog();
        if (self->m_heartbeat.count() > 0) self->schedulePing();
        self->read();
      });
}

void ShdrSession::read() {
  if (m_reading || m_paused || !m_connected || m_stopped) return;
  m_reading = true;
  const std::uint64_t gen = m_generation;
  m_socket.async_read_some(asio::buffer(m_buffer),
                           asio::bind_executor(m_strand, [self = shared_from_this(), gen](
                                                             const error_code& ec, size_t n) {
                             if (self->m_stopped || gen != self->m_generation) return;
                             self->m_reading = false;
                             if (ec) {
                               self->fail(readFailure(ec));
                               return;
                             }
                             self->m_backoff.reset();
                             bool more = self->deliver(self->m_buffer.data(), n);
                             // A read that filled the small buffer: more is waiting (a fast
                             // adapter, a backlog).
                             if (more && n == self->m_buffer.size()) more = self->drain();
                             if (self->m_stopped || gen != self->m_generation) return;
                             if (more) {
                               self->read();
                             } else {
                               self->m_paused = true;
                             }
                           }));
}

bool ShdrSession::deliver(const char* data, std::size_t n) {
  // The watchdog is not moved per read (a cancel and a new wait, 10 times a second per
  // machine): it looks at the last data's time when it fires.
  m_lastData = std::chrono::steady_clock::now();
  if (auto h = m_handler.lock()) return h->onData(std::string_view(data, n));
  return true;
}

bool ShdrSession::drain() {
  // One large buffer per network thread, not per session: 2000 sessions keep 1 KiB each,
  // yet a fast adapter is read 64 KiB at a time. Reads here never wait (the socket is
  // non-blocking); a few rounds, then the others' turn.
  thread_local std::vector<char> scratch(kDrainRead);
  const std::uint64_t gen = m_generation;
  for (int round = 0; round < 8; ++round) {
    error_code ec;
    const std::size_t n = m_socket.read_some(asio::buffer(scratch), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return true;
    if (ec) {
      fail(readFailure(ec));
      return false;
    }
    if (!deliver(scratch.data(), n)) return false;
    if (m_stopped || gen != m_generation) return false;
    if (n < scratch.size()) return true;
  }
  return true;
}

void ShdrSession::resumeReading() {
  asio::post(m_strand, [self = shared_from_this()] {
    if (!self->m_paused) return;
    self->m_paused = false;
    self->read();
  });
}

Duration ShdrSession::silenceLimit() const {
  return m_heartbeat.count() > 0 ? m_heartbeat * 2 : m_options.legacyTimeout;
}

void ShdrSession::armWatchdog() {
  m_lastData = std::chrono::steady_clock::now();
  waitWatchdog(m_lastData + silenceLimit());
}

void ShdrSession::waitWatchdog(std::chrono::steady_clock::time_point at) {
  const std::uint64_t gen = m_generation;
  m_watchdog.expires_at(at);
  m_watchdog.async_wait([self = shared_from_this(), gen](const error_code& ec) {
    if (ec || self->m_stopped || gen != self->m_generation || !self->m_connected) return;
    if (self->m_paused) {
      self->armWatchdog();  // we stopped reading ourselves; the adapter is not to blame
      return;
    }
    const auto due = self->m_lastData + self->silenceLimit();
    if (std::chrono::steady_clock::now() < due) {  // data came since: wait from its time
      self->waitWatchdog(due);
      return;
    }
    self->fail("no data or heartbeat from the adapter for " + formatDuration(self->silenceLimit()) +
               (self->m_heartbeat.count() > 0 ? " (2 x heartbeat)" : " (legacy_timeout)"));
  });
}

void ShdrSession::setHeartbeat(Duration interval) {
  asio::post(m_strand, [self = shared_from_this(), interval] {
    if (self->m_options.heartbeatOverride.count() > 0 || !self->m_connected) return;
    if (interval.count() <= 0 || interval == self->m_heartbeat) return;
    self->m_heartbeat = interval;
    self->armWatchdog();
    self->schedulePing();
  });
}

void ShdrSession::schedulePing() {
  const std::uint64_t gen = m_generation;
  m_pingTimer.expires_after(m_heartbeat);
  m_pingTimer.async_wait([self = shared_from_this(), gen](const error_code& ec) {
    if (ec || self->m_stopped || gen != self->m_generation || !self->m_connected) return;
    self->sendLine("* PING");
    self->schedulePing();
  });
}

void ShdrSession::sendLine(std::string line) {
  m_outbox += line;
  m_outbox += '\n';
  if (m_writing || !m_connected) return;
  m_writing = true;
  auto data = std::make_shared<std::string>(std::move(m_outbox));
  m_outbox.clear();
  const std::uint64_t gen = m_generation;
  asio::async_write(m_socket, asio::buffer(*data),
                    asio::bind_executor(m_strand, [self = shared_from_this(), data, gen](
                                                      const error_code& ec, size_t) {
                      if (self->m_stopped || gen != self->m_generation) return;
                      self->m_writing = false;
                      if (ec) {
                        self->fail("write failed: " + ec.message());
                        return;
                      }
                      if (!self->m_outbox.empty()) {
                        std::string next = std::move(self->m_outbox);
                        self->m_outbox.clear();
                        next.pop_back();  // sendLine adds the newline again
                        self->sendLine(std::move(next));
                      }
                    }));
}

void ShdrSession::fail(const std::string& reason) {
  const bool wasConnected = m_connected;
  m_connected = false;
  m_paused = false;
  ++m_generation;
  error_code ignored;
  m_socket.close(ignored);
  TcpConnect::drop(m_connecting);
  m_watchdog.cancel();
  m_pingTimer.cancel();
  m_outbox.clear();
  m_writing = false;
  m_reading = false;
  m_heartbeat = Duration{0};
  const Duration delay = m_backoff.next();
  if (auto h = m_handler.lock()) h->onDisconnected(reason, delay, wasConnected);
  m_retryTimer.expires_after(delay);
  m_retryTimer.async_wait([self = shared_from_this()](const error_code& ec) {
    if (ec || self->m_stopped) return;
    self->connect();
  });
}

}  // namespace spindle::collectors::shdr
