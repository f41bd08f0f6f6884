#pragma once
/// One LSV2 session to one Heidenhain control: connect (the shared TCP connect attempt and
/// backoff), then the login sequence, then one request in flight at a time with its deadline.
/// I/O only: the codec frames the bytes, the collector decides what to ask and what the
/// answers mean.
///
/// Login sequence: A_LG INSPECT (refused: the session fails and retries with the backoff),
/// R_VR without a parameter (every control answers it, the TNC 426/430 only that form), R_PR
/// (the PLC areas and the max block length), C_CC 3..7 for the largest buffer the control
/// allows (never above `maxBuffer`), then A_LG DNC and the further logins asked for (PLCDEBUG
/// for PLC memory, DATA for data paths). A login the control refuses is recorded in the
/// Identity, not a failure: a control without the DNC option still answers what INSPECT gives.
///
/// Every telegram sent is at most the buffer agreed so far. LSV2 answers carry no request id,
/// so a request that times out drops the session (a late answer could not be told from the
/// next one); so do bytes that break the framing. stop() logs out (A_LO) before closing.
///
/// Thread: every call and every callback on the session's strand.

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "base/units.hpp"
#include "collectors/backoff.hpp"
#include "collectors/lsv2/lsv2_codec.hpp"
#include "collectors/lsv2/lsv2_replies.hpp"
#include "collectors/resolve.hpp"
#include "collectors/tcp_connect.hpp"

namespace spindle::collectors::lsv2 {

struct SessionOptions {
  std::string host;
  std::uint16_t port = 19000;
  Duration connectTimeout = std::chrono::seconds(5);
  Duration requestTimeout = std::chrono::seconds(2);  ///< per telegram, login sequence too
  Duration reconnectMin = std::chrono::milliseconds(500);
  Duration reconnectMax = std::chrono::seconds(30);
  std::size_t maxBuffer = kLargestBuffer;  ///< the largest buffer asked for (256..4096)
  bool dnc = true;                         ///< log in as DNC after INSPECT
  /// Further logins: {name, password}; PLCDEBUG for R_MB, DATA for R_DP.
  std::vector<std::pair<std::string, std::string>> logins;
  ResolveFn resolve = systemResolve;
};

/// What the login sequence learnt about the control.
struct Identity {
  Versions versions;
  ControlType type = ControlType::kUnknown;
  std::optional<SystemParameters> parameters;  ///< none when R_PR was refused
  std::size_t buffer = kDefaultBuffer;         ///< the telegram size agreed
  std::vector<std::string> logins;             ///< granted, INSPECT first
  std::vector<std::string> refused;            ///< "DNC: T_ER type 1 code ..."
  bool has(std::string_view login) const;
};

class SessionHandler {
 public:
  virtual ~SessionHandler() = default;
  virtual void onConnected(const std::string& peer, const Identity& identity) = 0;
  /// The session ended or an attempt failed; the next attempt follows in `retryIn`.
  virtual void onDisconnected(const std::string& reason, Duration retryIn, bool wasConnected) = 0;
};

class Lsv2Session : public std::enable_shared_from_this<Lsv2Session> {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  /// The answer: a reply, T_OK, or T_ER (the caller decides what a refusal means); kUnavailable
  /// when the session is lost or stopped first (never after stop()).
  using Done = std::function<void(Result<Telegram>)>;
  /// A multi-block answer: every S_ block until T_FD; T_ER/T_BD as a kProtocol error.
  using BlocksDone = std::function<void(Result<std::vector<Telegram>>)>;

  Lsv2Session(Strand strand, SessionOptions options, std::weak_ptr<SessionHandler> handler);

  void start();
  /// Logs out when logged in, closes the socket, cancels the timers; no callback follows.
  /// Idempotent; any thread.
  void stop();
  bool connected() const { return m_open; }
  bool busy() const { return static_cast<bool>(m_onTelegram); }
  void transact(Telegram request, Done done);
  void transactBlocks(Telegram request, BlocksDone done);
  std::size_t buffer() const { return m_buffer; }
  std::uint64_t requests() const { return m_requests; }
  std::uint64_t timeouts() const { return m_timeouts; }
  /// The largest telegram sent so far (header included): never above the agreed buffer.
  std::size_t largestSent() const { return m_largestSent; }

 private:
  /// Takes the next telegram, or the loss of the session (then fail() has run).
  using OnTelegram = std::function<void(Result<Telegram>)>;
  void connect();
  /// Sends `request` and waits for the answer; false (and nothing sent) when it does not fit
  /// the buffer.
  bool exchange(const Telegram& request, OnTelegram next);
  void login();
  void versions();
  void parameters();
  void negotiate();
  void furtherLogins(std::size_t index);
  void opened();
  void arm();
  void read();
  bool send(const Telegram& t);
  /// Writes m_out's oldest telegram, then the next ones; after stop() the logout queued last,
  /// then closes.
  void writeFront();
  void closeSocket();
  void fail(const std::string& reason);

  Strand m_strand;
  SessionOptions m_options;
  std::weak_ptr<SessionHandler> m_handler;
  boost::asio::ip::tcp::socket m_socket;
  std::shared_ptr<TcpConnect> m_connecting;
  boost::asio::steady_timer m_requestTimer;
  boost::asio::steady_timer m_retryTimer;
  Backoff m_backoff;
  TelegramReader m_reader;
  std::array<std::uint8_t, 4096> m_in{};
  std::vector<Bytes> m_out;  ///< writes in flight, oldest first
  OnTelegram m_onTelegram;   ///< who takes the next telegram
  std::string m_asked;       ///< what the awaited telegram answers, for messages
  Identity m_identity;
  std::size_t m_buffer = kDefaultBuffer;
  std::string m_peer;
  bool m_open = false;  ///< login sequence done
  bool m_loggedIn = false;
  bool m_stopped = false;
  std::uint64_t m_generation = 0;
  std::uint64_t m_stopGeneration = 0;  ///< the connection stop() found (its writes finish)
  std::uint64_t m_requests = 0;
  std::uint64_t m_timeouts = 0;
  std::size_t m_largestSent = 0;
};

}  // namespace spindle::collectors::lsv2
