#pragma once
/// HaasSim: one simulated Haas control answering Q-commands, as `spindle sim --protocol haas`
/// serves it and the haas collector's tests talk to it.
///   classic framing over TCP: a serial device server in TCP server mode (one connection; a
///     second one is closed at once, as device servers do), replies STX text ETB CR LF '>';
///   classic framing over a pseudo-terminal: a control on a serial line (the slave's path is
///     what a collector opens as its serial device);
///   NGC framing over TCP: Machine Data Collection, two connections, every reply sent to both,
///     lines '>' text CR LF then a bare '>' prompt.
/// Fault injection for tests: silence, garbage before replies, replies cut off mid-way.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "base/error.hpp"
#include "sim/machine_model.hpp"

namespace spindle::sim {

struct HaasSimOptions {
  std::string bindAddress = "127.0.0.1";
  std::uint16_t port = 4001;  ///< TCP; 0 picks a free port
  bool ngc = false;           ///< NGC framing, two clients, broadcast replies
  bool pty = false;           ///< serve on a pseudo-terminal instead of TCP (classic framing)
  std::uint64_t seed = 1;
  std::chrono::milliseconds tick{100};
  double timeScale = 1.0;
  std::string name = "haas-1";
  int garbageEvery = 0;   ///< every n-th reply is preceded by garbage; 0 never
  int truncateEvery = 0;  ///< every n-th reply stops half-way; 0 never
};

class HaasSim {
 public:
  HaasSim(boost::asio::io_context& io, HaasSimOptions options);
  ~HaasSim();
  HaasSim(const HaasSim&) = delete;
  HaasSim& operator=(const HaasSim&) = delete;

  /// Binds the port (or opens the pseudo-terminal) and starts ticking. Errors name the address.
  Status start();
  /// Closes everything; idempotent, asynchronous (on the io_context's threads).
  void stop();

  std::uint16_t port() const;
  /// The pseudo-terminal's slave path ("/dev/pts/7"); empty over TCP.
  std::string ptyPath() const;

  /// Fault injection; any thread. Silent: commands are read and never answered.
  void setSilent(bool silent);
  /// The next `n` replies are preceded by a line of garbage (control bytes and noise).
  void garbleNext(int n);
  /// The next `n` replies stop half-way (no end, no prompt): a control that went quiet.
  void truncateNext(int n);
  /// Closes the TCP clients (they may reconnect).
  void dropConnections();

  std::size_t clientCount() const;
  /// Commands answered since start (each once, whatever the number of clients).
  std::uint64_t answered() const;

 private:
  class Impl;
  std::shared_ptr<Impl> m_impl;
};

}  // namespace spindle::sim
