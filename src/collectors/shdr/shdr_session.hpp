#pragma once
/// The SHDR TCP session: connect, read, heartbeat, reconnect. I/O only; what the bytes mean
/// is the codec's business and what to do with them is the handler's.

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "base/units.hpp"
#include "collectors/backoff.hpp"
#include "collectors/resolve.hpp"
#include "collectors/tcp_connect.hpp"

namespace spindle::collectors::shdr {

struct SessionOptions {
  std::string host;
  std::uint16_t port = 7878;
  Duration connectTimeout = std::chrono::seconds(5);
  Duration heartbeatOverride{0};  ///< 0: use the interval the adapter's PONG announces
  Duration legacyTimeout = std::chrono::seconds(600);  ///< silence limit without heartbeats
  Duration reconnectMin = std::chrono::milliseconds(500);
  Duration reconnectMax = std::chrono::seconds(30);
  ResolveFn resolve = systemResolve;  ///< the edge's DNS chain when running
};

/// Told what happens on the session. Called on the session's strand.
class SessionHandler {
 public:
  virtual ~SessionHandler() = default;
  virtual void onConnected(const std::string& peer) = 0;
  /// Bytes arrived. Return false to stop reading until SHDRSession::resumeReading().
  virtual bool onData(std::string_view bytes) = 0;
  /// The connection ended (or a connect attempt failed); `retryIn` is the backoff delay.
  virtual void onDisconnected(const std::string& reason, Duration retryIn, bool wasConnected) = 0;
};

class ShdrSession : public std::enable_shared_from_this<ShdrSession> {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  ShdrSession(Strand strand, SessionOptions options, std::weak_ptr<SessionHandler> handler);

  /// Starts connecting. Returns at once.
  void start();
  /// Closes the socket and cancels timers; no handler call follows. Idempotent.
  void stop();
  /// Sets the heartbeat from the adapter's "* PONG <ms>" (ignored with an override).
  void setHeartbeat(Duration interval);
  void resumeReading();
  /// Sends a line to the adapter (a newline is added).
  void sendLine(std::string line);

  const Strand& strand() const { return m_strand; }

 private:
  void connect();
  void read();
  void armWatchdog();  ///< from now (connect, a new heartbeat, a pause)
  void waitWatchdog(std::chrono::steady_clock::time_point at);
  void schedulePing();
  void fail(const std::string& reason);
  Duration silenceLimit() const;
  /// Hands `n` bytes to the handler; false when it asks to pause.
  bool deliver(const char* data, std::size_t n);
  /// Reads what is waiting without waiting, into the thread's large buffer; false when the
  /// handler paused or the session failed (then not to read again).
  bool drain();

  Strand m_strand;
  SessionOptions m_options;
  std::weak_ptr<SessionHandler> m_handler;
  boost::asio::ip::tcp::socket m_socket;
  std::shared_ptr<TcpConnect> m_connecting;          ///< the attempt in flight, if any
  boost::asio::steady_timer m_watchdog;              ///< fires after silence: the adapter is gone
  std::chrono::steady_clock::time_point m_lastData;  ///< of the last read (the watchdog's base)
  boost::asio::steady_timer m_pingTimer;
  boost::asio::steady_timer m_retryTimer;
  Backoff m_backoff;
  /// A 10 Hz adapter's lines fit the session's own small buffer; a read that fills it is
  /// followed by drain() into the network thread's large one (kDrainRead).
  static constexpr std::size_t kRead = 1024;
  static constexpr std::size_t kDrainRead = 64 * 1024;
  std::vector<char> m_buffer = std::vector<char>(kRead);
  std::string m_outbox;
  bool m_writing = false;
  bool m_connected = false;
  bool m_reading = false;
  bool m_paused = false;
  bool m_stopped = false;
  std::uint64_t m_generation = 0;  ///< bumped per connection; stale handlers compare it
  Duration m_heartbeat{0};
};

}  // namespace spindle::collectors::shdr
