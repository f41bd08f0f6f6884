#pragma once
/// The HTTP side of the collector: one connection to the agent (kept alive between requests),
/// one GET at a time, plain or streamed (multipart) responses cut into documents. I/O only:
/// what the documents mean and which request comes next is the collector's business.

#include <array>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "base/units.hpp"
#include "collectors/mtconnect_agent/mtconnect_multipart.hpp"
#include "collectors/resolve.hpp"

namespace spindle::collectors::mtconnect_agent {

struct SessionOptions {
  std::string host;
  std::uint16_t port = 5000;
  Duration connectTimeout = std::chrono::seconds(5);
  std::size_t maxDocument = 16 << 20;  ///< largest response body or streamed part
  std::string accept = "application/xml, text/xml";
  std::string authorization;          ///< the Authorization header ("Basic ..."), or "" for none
  ResolveFn resolve = systemResolve;  ///< the edge's DNS chain when running
};

/// Told what happens on the session; called on the session's strand.
class SessionHandler {
 public:
  virtual ~SessionHandler() = default;
  virtual void onConnected(const std::string& peer) = 0;
  /// A complete response body (`streamed` false), or one document of a multipart response.
  /// Return false to stop reading a stream until AgentSession::resumeReading().
  virtual bool onDocument(unsigned status, std::string body, bool streamed) = 0;
  /// A multipart response ended cleanly (the agent closed it).
  virtual void onStreamEnd() = 0;
  /// The request failed: connect, timeout, a connection closed mid-response, bad framing.
  /// The connection is closed; nothing else follows until the next get().
  virtual void onFailure(const std::string& reason) = 0;
};

class AgentSession : public std::enable_shared_from_this<AgentSession> {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  AgentSession(Strand strand, SessionOptions options, std::weak_ptr<SessionHandler> handler);

  /// Sends GET `target` (connecting first when needed). A response, or a streamed document,
  /// that stays silent for `idleTimeout` fails the request. A request still under way (a
  /// stream) is abandoned and its connection closed. Returns at once.
  void get(std::string target, Duration idleTimeout);
  void resumeReading();
  /// Closes the connection; no handler call follows. Idempotent.
  void stop();

 private:
  void connect();
  void send();
  void readHeader();
  void readBody();
  void onBody(std::size_t bytes);
  void finishResponse();
  void fail(const std::string& reason);
  void closeSocket();

  Strand m_strand;
  SessionOptions m_options;
  std::weak_ptr<SessionHandler> m_handler;
  boost::beast::tcp_stream m_stream;
  boost::beast::flat_buffer m_buffer;
  std::optional<boost::beast::http::response_parser<boost::beast::http::buffer_body>> m_parser;
  std::optional<MultipartSplitter> m_splitter;
  std::array<char, 64 * 1024> m_chunk{};
  std::string m_body;
  std::string m_target;
  Duration m_idle{0};
  unsigned m_status = 0;
  bool m_connected = false;
  bool m_paused = false;
  bool m_inFlight = false;  ///< a request was sent and its response has not ended
  bool m_stopped = false;
  std::uint64_t m_generation = 0;
};

}  // namespace spindle::collectors::mtconnect_agent
