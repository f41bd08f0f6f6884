#pragma once
/// `spindle sim --protocol focas`: simulated FANUC controls (sim/focas_control) served over
/// FOCAS/Ethernet, one port each. Each control accepts at most `maxConnections` FOCAS sessions
/// at once (one more is accepted and closed at once, as a control whose sessions are all in use
/// does), answers the open handshake, batched data requests and the close. Fault injection for
/// tests: replies split into small TCP segments, slow replies, silence, dropped connections,
/// one reply cut off mid sub-packet, garbage instead of one reply.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/error.hpp"
#include "sim/focas_control.hpp"

namespace spindle::sim {

struct FocasSimOptions {
  std::string bindAddress = "127.0.0.1";
  std::uint16_t basePort = 8193;  ///< machine i on basePort + i; 0 picks free ports
  int machines = 1;               ///< 1..1000
  std::uint64_t seed = 1;
  std::chrono::milliseconds tick{100};
  double timeScale = 1.0;
  std::vector<std::string> names;
  /// Series of machine i: series[i % size]; empty: 30i.
  std::vector<FocasSeries> series;
  int paths = 1;               ///< 1..4 per control
  int maxConnections = 5;      ///< FOCAS sessions per control, 1..20
  std::size_t splitBytes = 0;  ///< > 0: replies go out in segments of this many bytes
  /// Faults for trying a client (`spindle sim --focas-*`): every reply this late; every n-th
  /// reply cut off mid sub-packet (then the connection closes) or replaced by garbage; every
  /// client dropped at this interval. 0: never.
  std::chrono::milliseconds replyDelay{0};
  std::uint64_t cutEvery = 0;
  std::uint64_t garbageEvery = 0;
  std::chrono::milliseconds dropEvery{0};
};

/// One simulated control on one port.
class FocasServer {
 public:
  FocasServer(boost::asio::io_context& io, std::shared_ptr<FocasControl> control,
              std::string bindAddress, std::uint16_t port, int maxConnections);
  ~FocasServer();
  FocasServer(const FocasServer&) = delete;
  FocasServer& operator=(const FocasServer&) = delete;

  Status start();
  /// Closes the listener and every client. Idempotent; any thread.
  void stop();
  std::uint16_t port() const { return m_port; }

  /// Runs `f` on the control under its lock (any thread).
  void withControl(const std::function<void(FocasControl&)>& f);

  void setSilent(bool on) { m_state->silent = on; }
  void setReplyDelay(std::chrono::milliseconds d) { m_state->delayMs = d.count(); }
  void setSplitBytes(std::size_t n) { m_state->splitBytes = n; }
  /// The next reply is cut off half-way, then the connection is closed.
  void truncateNextReply() { m_state->truncateNext = true; }
  /// The next reply is replaced by bytes that are not FOCAS.
  void garbageNextReply() { m_state->garbageNext = true; }
  /// Every n-th reply (0: none) cut off or replaced by garbage, as the one-shot knobs do.
  void setFaultsEvery(std::uint64_t cut, std::uint64_t garbage) {
    m_state->cutEvery = cut;
    m_state->garbageEvery = garbage;
  }
  void dropClients();
  /// Open FOCAS sessions; refused connections (slots full) so far.
  int sessions() const { return m_state->sessions.load(); }
  std::uint64_t refused() const { return m_state->refused.load(); }
  /// Data requests answered (frames) and calls in them.
  std::uint64_t requests() const { return m_state->requests.load(); }
  std::uint64_t calls() const { return m_state->calls.load(); }

 private:
  class Client;
  struct State {
    std::shared_ptr<FocasControl> control;
    std::mutex mutex;  ///< guards control
    int maxConnections = 5;
    std::atomic<int> sessions{0};
    std::atomic<std::uint64_t> refused{0};
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> calls{0};
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
  std::string m_bind;
  std::uint16_t m_port;
  boost::asio::ip::tcp::acceptor m_acceptor;
  std::mutex m_clientsMutex;
  std::vector<std::weak_ptr<Client>> m_clients;
  std::atomic<bool> m_stopped{false};
};

class FocasSim {
 public:
  FocasSim(boost::asio::io_context& io, FocasSimOptions options);
  ~FocasSim();
  /// Binds every port (all or none) and starts ticking.
  Status start();
  void stop();
  std::vector<std::uint16_t> ports() const;
  const std::vector<std::string>& names() const { return m_names; }
  FocasServer& server(std::size_t machine) { return *m_servers.at(machine); }

 private:
  void schedule();

  boost::asio::io_context& m_io;
  FocasSimOptions m_options;
  std::vector<std::string> m_names;
  std::vector<std::unique_ptr<FocasServer>> m_servers;
  boost::asio::steady_timer m_timer;
  std::chrono::milliseconds m_sinceDrop{0};
  bool m_stopped = false;
};

}  // namespace spindle::sim
