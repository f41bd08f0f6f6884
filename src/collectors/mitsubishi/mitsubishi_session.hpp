#pragma once
/// One EZSocket (GIOP) connection to one NC: connect (the shared TCP connect attempt and
/// backoff; there is no handshake), then batches of requests, up to `pipeline` of them on the
/// wire at once, each reply matched to its request by the GIOP request id. I/O only: the codec
/// frames the bytes, the collector decides what to ask and what the answers mean.
///
/// A batch not answered within the request timeout drops the connection (the NC may be busy
/// or gone), and reconnects back off from then on. Bytes that break the framing, a message
/// other than a Reply, or a reply that answers no waiting request drop it too. With
/// `pipeline` 1 a reply's id is not checked (one request waits; some clients never vary it).
///
/// Thread: every call and every callback on the session's strand.

#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "base/units.hpp"
#include "collectors/backoff.hpp"
#include "collectors/mitsubishi/mitsubishi_codec.hpp"
#include "collectors/resolve.hpp"
#include "collectors/tcp_connect.hpp"

namespace spindle::collectors::mitsubishi {

struct SessionOptions {
  std::string host;
  std::uint16_t port = 683;
  Duration connectTimeout = std::chrono::seconds(5);
  Duration requestTimeout = std::chrono::seconds(2);  ///< per batch
  Duration reconnectMin = std::chrono::milliseconds(500);
  Duration reconnectMax = std::chrono::seconds(30);
  std::size_t maxMessage = kDefaultMaxBody;
  std::size_t pipeline = 16;  ///< requests on the wire at once, 1..64
  ResolveFn resolve = systemResolve;
};

class SessionHandler {
 public:
  virtual ~SessionHandler() = default;
  virtual void onConnected(const std::string& peer) = 0;
  /// The connection ended or an attempt failed; the next attempt follows in `retryIn`.
  virtual void onDisconnected(const std::string& reason, Duration retryIn, bool wasConnected) = 0;
};

class MitsubishiSession : public std::enable_shared_from_this<MitsubishiSession> {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  /// Called once per transact(): the replies in request order, or kUnavailable when the
  /// connection is lost or stopped first (never after stop()).
  using Done = std::function<void(Result<std::vector<Reply>>)>;

  MitsubishiSession(Strand strand, SessionOptions options, std::weak_ptr<SessionHandler> handler);

  void start();
  /// Closes the socket and cancels the timers; no callback follows. Idempotent; any thread.
  void stop();
  bool connected() const { return m_connected; }
  bool busy() const { return static_cast<bool>(m_done); }
  /// Sends `requests` (their ids are assigned here); connected and not busy, else
  /// kUnavailable at once.
  void transact(std::vector<Request> requests, Done done);
  std::uint64_t requests() const { return m_requestCount; }

 private:
  void connect();
  void read();
  void onMessage(const Message& message);
  void sendMore();
  void write();
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
  MessageReader m_reader;
  std::array<std::uint8_t, 8192> m_buffer{};
  std::vector<Request> m_batch;
  std::vector<Reply> m_replies;
  std::size_t m_sent = 0;  ///< requests of the batch on the wire or answered
  Bytes m_out;             ///< being written
  Bytes m_pending;         ///< to write once m_out is out
  bool m_writing = false;
  Done m_done;
  std::string m_peer;
  bool m_connected = false;
  bool m_stopped = false;
  std::uint32_t m_nextId = 1;
  std::uint64_t m_generation = 0;
  std::uint64_t m_requestCount = 0;
};

}  // namespace spindle::collectors::mitsubishi
