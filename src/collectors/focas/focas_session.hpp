#pragma once
/// One FOCAS/Ethernet session to one control: connect (the shared TCP connect attempt and
/// backoff), the open handshake, then one data request in flight at a time with its deadline.
/// I/O only: the codec frames the bytes, the collector decides what to ask and what the
/// answers mean.
///
/// FOCAS answers carry no transaction id, so an answer that comes late cannot be told from the
/// next one: a request that times out drops the session (the control may be busy or gone), and
/// reconnects back off from then on. Bytes that break the framing or answer other calls than
/// those asked drop it too.
///
/// Thread: every call and every callback on the session's strand.

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "base/units.hpp"
#include "collectors/backoff.hpp"
#include "collectors/focas/focas_codec.hpp"
#include "collectors/resolve.hpp"
#include "collectors/tcp_connect.hpp"

namespace spindle::collectors::focas {

struct SessionOptions {
  std::string host;
  std::uint16_t port = 8193;
  Duration connectTimeout = std::chrono::seconds(5);
  Duration requestTimeout = std::chrono::seconds(2);  ///< also for the open handshake
  Duration reconnectMin = std::chrono::milliseconds(500);
  Duration reconnectMax = std::chrono::seconds(30);
  std::size_t maxFrame = kDefaultMaxBody;
  ResolveFn resolve = systemResolve;
};

class SessionHandler {
 public:
  virtual ~SessionHandler() = default;
  /// The control answered the open handshake; `version` is its reply version (2 or 4).
  virtual void onConnected(const std::string& peer, std::uint16_t version) = 0;
  /// The session ended or an attempt failed; the next attempt follows in `retryIn`.
  virtual void onDisconnected(const std::string& reason, Duration retryIn, bool wasConnected) = 0;
};

class FocasSession : public std::enable_shared_from_this<FocasSession> {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  /// Called once per transact(): the answers in call order, or kUnavailable when the session
  /// is lost or stopped first (never after stop()).
  using Done = std::function<void(Result<std::vector<Reply>>)>;

  FocasSession(Strand strand, SessionOptions options, std::weak_ptr<SessionHandler> handler);

  void start();
  /// Sends the close frame when open, closes the socket and cancels the timers; no callback
  /// follows. Idempotent; any thread.
  void stop();
  bool connected() const { return m_open; }
  bool busy() const { return static_cast<bool>(m_done); }
  /// Sends `calls` in one data request (open and not busy, else kUnavailable at once).
  void transact(std::vector<Call> calls, Done done);
  std::uint64_t requests() const { return m_requests; }
  std::uint64_t timeouts() const { return m_timeouts; }

 private:
  void connect();
  void arm();
  void read();
  void onFrame(const Frame& frame);
  void send(Bytes bytes);
  void finish(Result<std::vector<Reply>> result);
  void fail(const std::string& reason);

  Strand m_strand;
  SessionOptions m_options;
  std::weak_ptr<SessionHandler> m_handler;
  boost::asio::ip::tcp::socket m_socket;
  std::shared_ptr<TcpConnect> m_connecting;
  boost::asio::steady_timer m_requestTimer;
  boost::asio::steady_timer m_retryTimer;
  Backoff m_backoff;
  FrameReader m_reader;
  std::array<std::uint8_t, 4096> m_buffer{};
  Bytes m_out;
  std::vector<Call> m_calls;
  Done m_done;
  std::string m_peer;
  bool m_tcp = false;   ///< TCP connected (handshake may be pending)
  bool m_open = false;  ///< handshake done
  bool m_stopped = false;
  std::uint64_t m_generation = 0;
  std::uint64_t m_requests = 0;
  std::uint64_t m_timeouts = 0;
};

}  // namespace spindle::collectors::focas
