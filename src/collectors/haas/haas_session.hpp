#pragma once
/// The Haas session: opens the byte stream to one control (TCP to a serial device server or an
/// NGC control, or a local serial port), reads, writes, and opens it again after a loss with
/// the shared backoff. I/O only: which command to send and what a reply means belong to the
/// collector and the codec.

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "base/error.hpp"
#include "base/units.hpp"
#include "collectors/backoff.hpp"
#include "collectors/resolve.hpp"
#include "collectors/tcp_connect.hpp"

namespace spindle::collectors::haas {

/// A serial line's settings; they must equal the control's RS-232 settings.
struct SerialLine {
  int baud = 19200;
  char parity = 'E';  ///< 'N', 'E' or 'O'
  int dataBits = 7;
  int stopBits = 1;
};

/// Whether termios has the rate (300 to 115200, the standard ones).
bool serialBaud(std::int64_t baud);

/// Opens `device` raw (no echo, no line editing, no flow control) with `line`'s settings and
/// returns its non-blocking descriptor. A missing device, one that is no serial port, or a
/// rate the port refuses is an error naming the device.
Result<int> openSerial(const std::string& device, const SerialLine& line);

struct SessionOptions {
  bool serial = false;
  std::string host;
  std::uint16_t port = 4001;
  std::string device;
  SerialLine line;
  Duration connectTimeout = std::chrono::seconds(5);
  Duration reconnectMin = std::chrono::milliseconds(500);
  Duration reconnectMax = std::chrono::seconds(30);
  ResolveFn resolve = systemResolve;
};

/// Told what happens on the session; called on the session's strand.
class SessionHandler {
 public:
  virtual ~SessionHandler() = default;
  virtual void onConnected(const std::string& peer) = 0;
  virtual void onData(std::string_view bytes) = 0;
  /// The stream ended (or opening it failed); it is opened again in `retryIn`.
  virtual void onDisconnected(const std::string& reason, Duration retryIn, bool wasConnected) = 0;
};

class HaasSession : public std::enable_shared_from_this<HaasSession> {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  HaasSession(Strand strand, SessionOptions options, std::weak_ptr<SessionHandler> handler);

  /// Starts opening the stream. Returns at once.
  void start();
  /// Closes the stream and cancels timers; no handler call follows. Idempotent; any thread.
  void stop();
  /// Writes `bytes` (a command with its line end). Strand only; dropped when not connected.
  void send(std::string bytes);
  /// Closes the stream for `reason` (the control stopped answering) and opens it again after
  /// the backoff. Strand only.
  void drop(const std::string& reason);
  /// Where the stream goes: "host:port" or the device.
  std::string endpoint() const;

 private:
  void open();
  void openTcp();
  void opened(const std::string& peer);
  void read();
  void fail(const std::string& reason);

  Strand m_strand;
  SessionOptions m_options;
  std::weak_ptr<SessionHandler> m_handler;
  boost::asio::ip::tcp::socket m_socket;
  boost::asio::posix::stream_descriptor m_serial;
  std::shared_ptr<TcpConnect> m_connecting;  ///< the attempt in flight, if any
  boost::asio::steady_timer m_retryTimer;
  Backoff m_backoff;
  std::array<char, 4096> m_buffer{};
  std::string m_outbox;
  bool m_writing = false;
  bool m_connected = false;
  bool m_stopped = false;
  std::uint64_t m_generation = 0;  ///< bumped per stream; stale handlers compare it
};

}  // namespace spindle::collectors::haas
