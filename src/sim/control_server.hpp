#pragma once
/// The server glue every request/reply simulator shares (FOCAS, LSV2, Mitsubishi EZSocket): one
/// TCP port per simulated control, a connection per client fed through the protocol's own framer
/// (a `ControlConnection`), replies written with the injected faults (slow replies, silence, a
/// reply cut off, garbage instead of a reply, replies split into small TCP segments, dropped
/// clients, a session limit), and `ControlHost`, all machines on basePort + i ticking the shared
/// machine model.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/error.hpp"
#include "sim/machine_model.hpp"

namespace spindle::sim {

/// Faults for trying a client (`spindle sim --<protocol>-*`). 0: never.
struct ReplyFaults {
  std::size_t splitBytes = 0;               ///< > 0: replies go out in segments of this many bytes
  std::chrono::milliseconds replyDelay{0};  ///< every reply this late
  std::uint64_t cutEvery = 0;      ///< every n-th reply cut off (then the connection closes)
  std::uint64_t garbageEvery = 0;  ///< every n-th reply replaced by garbage
  std::chrono::milliseconds dropEvery{0};  ///< every client dropped at this interval
};

/// What every request/reply simulator is started with, besides its protocol's own options.
struct ControlSimOptions : ReplyFaults {
  std::string bindAddress = "127.0.0.1";
  std::uint16_t basePort = 0;  ///< machine i on basePort + i; 0 picks free ports
  int machines = 1;            ///< 1..1000
  std::uint64_t seed = 1;
  std::chrono::milliseconds tick{100};
  double timeScale = 1.0;
  std::vector<std::string> names;
};

/// One thing a connection sends, in order.
struct Outgoing {
  std::vector<std::uint8_t> bytes;
  bool closeAfter = false;  ///< the connection closes once these bytes are out
  /// An answer to a request: the injected faults (garbage, cut, delay) apply to it.
  bool reply = false;
  std::size_t cutTo = 0;  ///< a cut reply's length
};

/// One client connection's protocol: its framer, its session state, the control's answers.
/// Created per connection; runs on the connection's strand only. Whatever it shares with the
/// server (the control, counters) it holds itself, since a connection may outlive the server.
class ControlConnection {
 public:
  virtual ~ControlConnection() = default;
  /// What the client sent next; appends what to send to `out`. `silent`: a hung control, the
  /// requests are read and never answered. False: the connection closes once `out` is queued
  /// (broken framing, a close request, a protocol violation).
  virtual bool feed(std::span<const std::uint8_t> bytes, bool silent,
                    std::vector<Outgoing>& out) = 0;
};

/// Runs `bytes` through `reader` (a framer with feed(span) -> consumed and
/// next() -> Result<optional<Frame>>) and calls `handle(frame)` for every whole frame.
/// False: broken framing, or `handle` returned false.
template <class Reader, class Handle>
bool feedFrames(Reader& reader, std::span<const std::uint8_t> bytes, Handle&& handle) {
  while (!bytes.empty()) {
    bytes = bytes.subspan(reader.feed(bytes));
    for (;;) {
      auto frame = reader.next();
      if (!frame) return false;
      if (!frame->has_value()) break;
      if (!handle(**frame)) return false;
    }
  }
  return true;
}

/// One simulated control on one port. A protocol's server derives from it, owns the control
/// and makes the connections.
class ControlServer {
 public:
  using MakeConnection = std::function<std::unique_ptr<ControlConnection>()>;

  /// `maxConnections` > 0: one more connection is accepted and closed at once (counted in
  /// refused()), as a control whose sessions are all in use does; 0: no limit.
  ControlServer(boost::asio::io_context& io, std::string bindAddress, std::uint16_t port,
                MakeConnection makeConnection, int maxConnections = 0);
  virtual ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  /// Binds and listens; the error names the address and port.
  Status start();
  /// Closes the listener and every client. Idempotent; any thread.
  void stop();
  std::uint16_t port() const { return m_port; }

  /// Advances the control by `dt` under its lock (the host's tick).
  virtual void step(std::chrono::milliseconds dt) = 0;

  /// A hung control: requests are read, never answered.
  void setSilent(bool on) { m_state->silent = on; }
  void setReplyDelay(std::chrono::milliseconds d) { m_state->delayMs = d.count(); }
  void setSplitBytes(std::size_t n) { m_state->splitBytes = n; }
  /// The next reply is cut off, then the connection is closed.
  void truncateNextReply() { m_state->truncateNext = true; }
  /// The next reply is replaced by bytes that are not the protocol.
  void garbageNextReply() { m_state->garbageNext = true; }
  /// Every n-th reply (0: none) cut off or replaced by garbage, as the one-shot knobs do.
  void setFaultsEvery(std::uint64_t cut, std::uint64_t garbage) {
    m_state->cutEvery = cut;
    m_state->garbageEvery = garbage;
  }
  /// Split, delay, cut and garbage from `faults` (dropping is the host's).
  void setFaults(const ReplyFaults& faults);
  void dropClients();
  /// Open connections; connections refused for the session limit so far.
  int connections() const { return m_state->connections.load(); }
  std::uint64_t refused() const { return m_state->refused.load(); }

 protected:
  /// Said after the error when a port below 1024 cannot be bound for lack of rights.
  void setLowPortHint(std::string hint) { m_lowPortHint = std::move(hint); }

 private:
  class Client;
  struct State {
    int maxConnections = 0;
    std::atomic<int> connections{0};
    std::atomic<std::uint64_t> refused{0};
    std::atomic<bool> silent{false};
    std::atomic<std::int64_t> delayMs{0};
    std::atomic<std::size_t> splitBytes{0};
    std::atomic<bool> truncateNext{false};
    std::atomic<bool> garbageNext{false};
    std::atomic<std::uint64_t> cutEvery{0};
    std::atomic<std::uint64_t> garbageEvery{0};
    std::atomic<std::uint64_t> replies{0};
  };
  void accept();

  boost::asio::io_context& m_io;
  std::shared_ptr<State> m_state;
  MakeConnection m_makeConnection;
  std::string m_bind;
  std::uint16_t m_port;
  std::string m_lowPortHint;
  boost::asio::ip::tcp::acceptor m_acceptor;
  std::mutex m_clientsMutex;
  std::vector<std::weak_ptr<Client>> m_clients;
  std::atomic<bool> m_stopped{false};
};

/// All simulated controls of one protocol: machine i on basePort + i (0: free ports), named
/// from `options.names` or "<namePrefix><i + 1>", each stepped every tick; every client dropped
/// every `dropEvery`. A protocol's simulator derives from it and makes the servers.
class ControlHost {
 public:
  ControlHost(boost::asio::io_context& io, ControlSimOptions options, std::string namePrefix);
  virtual ~ControlHost();
  ControlHost(const ControlHost&) = delete;
  ControlHost& operator=(const ControlHost&) = delete;

  /// Binds every port (all or none) and starts ticking.
  Status start();
  void stop();
  std::vector<std::uint16_t> ports() const;
  const std::vector<std::string>& names() const { return m_names; }

 protected:
  /// The protocol's own options, checked after the common ones.
  virtual Status check() const { return okStatus(); }
  /// Machine `index`'s server on `port`, its control built from `profile`.
  virtual std::unique_ptr<ControlServer> makeServer(std::size_t index,
                                                    const MachineProfile& profile,
                                                    std::uint16_t port) = 0;
  ControlServer& serverAt(std::size_t machine) { return *m_servers.at(machine); }
  boost::asio::io_context& io() { return m_io; }

 private:
  void schedule();

  boost::asio::io_context& m_io;
  ControlSimOptions m_options;
  std::string m_namePrefix;
  std::vector<std::string> m_names;
  std::vector<std::unique_ptr<ControlServer>> m_servers;
  boost::asio::steady_timer m_timer;
  std::chrono::milliseconds m_sinceDrop{0};
  bool m_stopped = false;
};

}  // namespace spindle::sim
