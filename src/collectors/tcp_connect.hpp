#pragma once
/// One TCP connection attempt, the way every collector that connects out makes it: resolve the
/// machine's host through the edge's resolver, connect to the first endpoint that answers, give
/// up after the connect timeout, and set TCP_NODELAY and keepalive (device servers and NAT
/// drop connections they think idle between polls). The session keeps its own socket, backoff
/// and generation; this is only the part between "connect now" and "connected" or "failed".
///
/// Called and completed on the session's strand. The socket must outlive the attempt: the
/// session's `done` closure holds the session (and so its socket) alive until it runs.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "base/error.hpp"
#include "base/units.hpp"
#include "collectors/resolve.hpp"

namespace spindle::collectors {

/// Where to connect, and how long to try.
struct TcpTarget {
  std::string host;
  std::uint16_t port = 0;
  Duration timeout = std::chrono::seconds(5);
  ResolveFn resolve = systemResolve;
};

class TcpConnect : public std::enable_shared_from_this<TcpConnect> {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  /// The connected peer, or why not: "cannot resolve 'h': ...", "cannot connect to h:p: ...",
  /// "connecting to h:p timed out after 5s". Each message names the host and port.
  using Done = std::function<void(Result<boost::asio::ip::tcp::endpoint>)>;

  /// Starts an attempt on `socket` (closed by the caller beforehand); `done` runs exactly once
  /// on `strand`, never inline, unless cancel() comes first.
  static std::shared_ptr<TcpConnect> start(Strand strand, boost::asio::ip::tcp::socket& socket,
                                           TcpTarget target, Done done);

  /// Drops the attempt: `done` will not run, the timer stops. Call on the strand. The caller
  /// closes its socket itself (which ends a connect in flight).
  void cancel();
  /// cancel() on the attempt a session holds, if any, and forgets it.
  static void drop(std::shared_ptr<TcpConnect>& attempt) {
    if (attempt) attempt->cancel();
    attempt.reset();
  }

  TcpConnect(Strand strand, boost::asio::ip::tcp::socket& socket, TcpTarget target, Done done);

 private:
  void begin();
  void onResolved(Result<Endpoints> endpoints);
  void finish(Result<boost::asio::ip::tcp::endpoint> result);
  std::string where() const;

  Strand m_strand;
  boost::asio::ip::tcp::socket& m_socket;
  TcpTarget m_target;
  Done m_done;
  boost::asio::steady_timer m_timer;
  Endpoints m_endpoints;
  bool m_finished = false;
};

}  // namespace spindle::collectors
