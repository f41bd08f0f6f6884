#pragma once
/// One Modbus TCP connection to one device: connect (with the shared backoff), one request in
/// flight at a time, each with its own transaction id and deadline. I/O only: the codec frames
/// the bytes, the collector decides what to ask and what the answers mean.
///
/// A reply whose transaction id is not the one awaited (a device answering a request that
/// already timed out) is dropped and counted, never taken for the next answer. A request that
/// times out fails alone; `maxTimeouts` timeouts in a row (a device that accepts and never
/// answers) drop the connection, and reconnects back off from then on.
///
/// Thread: every call and every callback on the session's strand.

#include <array>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "base/units.hpp"
#include "collectors/backoff.hpp"
#include "collectors/modbus_tcp/modbus_codec.hpp"
#include "collectors/resolve.hpp"
#include "collectors/tcp_connect.hpp"

namespace spindle::collectors::modbus_tcp {

struct SessionOptions {
  std::string host;
  std::uint16_t port = 502;
  std::uint8_t unit = 1;
  Duration connectTimeout = std::chrono::seconds(5);
  Duration requestTimeout = std::chrono::seconds(1);
  int maxTimeouts = 3;
  Duration reconnectMin = std::chrono::milliseconds(500);
  Duration reconnectMax = std::chrono::seconds(30);
  ResolveFn resolve = systemResolve;
};

class SessionHandler {
 public:
  virtual ~SessionHandler() = default;
  virtual void onConnected(const std::string& peer) = 0;
  /// The connection ended or an attempt failed; the next attempt follows in `retryIn`.
  virtual void onDisconnected(const std::string& reason, Duration retryIn, bool wasConnected) = 0;
};

struct SessionStats {
  std::uint64_t requests = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t staleReplies = 0;  ///< replies to a request that had already timed out
};

class ModbusSession : public std::enable_shared_from_this<ModbusSession> {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  /// Called once per transact(): the decoded answer (an exception is a Response with
  /// `exception` set), kTimeout, kProtocol for a malformed answer, or kUnavailable when the
  /// connection is lost or stopped first (never after stop()).
  using Reply = std::function<void(Result<Response>)>;

  ModbusSession(Strand strand, SessionOptions options, std::weak_ptr<SessionHandler> handler);

  void start();
  /// Closes the socket and cancels the timers; no callback follows. Idempotent; any thread.
  void stop();

  bool connected() const { return m_connected; }
  /// Whether a request waits for its answer.
  bool busy() const { return static_cast<bool>(m_reply); }
  /// Sends `request` (connected and not busy, else the reply is kUnavailable at once).
  void transact(const Request& request, Reply reply);
  const SessionStats& stats() const { return m_stats; }

 private:
  void connect();
  void armDeadline();
  void read();
  void onFrame(Adu adu);
  void finish(Result<Response> result);
  void fail(const std::string& reason);

  Strand m_strand;
  SessionOptions m_options;
  std::weak_ptr<SessionHandler> m_handler;
  boost::asio::ip::tcp::socket m_socket;
  std::shared_ptr<TcpConnect> m_connecting;  ///< the attempt in flight, if any
  boost::asio::steady_timer m_requestTimer;
  boost::asio::steady_timer m_retryTimer;
  Backoff m_backoff;
  FrameDecoder m_decoder;
  std::array<std::uint8_t, kMaxAdu> m_buffer{};
  std::vector<std::uint8_t> m_out;
  Request m_request;
  Reply m_reply;
  std::uint16_t m_transaction = 0;
  std::chrono::steady_clock::time_point m_deadline{};  ///< of the request waiting
  bool m_timerArmed = false;
  int m_timeoutsInRow = 0;
  std::uint64_t m_generation = 0;
  bool m_connected = false;
  bool m_stopped = false;
  SessionStats m_stats;
};

}  // namespace spindle::collectors::modbus_tcp
