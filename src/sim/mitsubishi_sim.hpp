#pragma once
/// `spindle sim --protocol mitsubishi`: simulated Mitsubishi NCs (sim/mitsubishi_control)
/// served over EZSocket (GIOP 1.0), one port each. Each NC answers the requests of any number
/// of clients, in the byte order of the request or, with `bigEndian`, always big-endian (the
/// flags byte 0). Fault injection for tests: replies split into small TCP segments, slow
/// replies, silence, dropped connections, one reply cut off half-way, garbage instead of one
/// reply.

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
#include "sim/mitsubishi_control.hpp"

namespace spindle::sim {

struct MitsubishiSimOptions {
  std::string bindAddress = "127.0.0.1";
  std::uint16_t basePort = 683;  ///< machine i on basePort + i; 0 picks free ports
  int machines = 1;              ///< 1..1000
  std::uint64_t seed = 1;
  std::chrono::milliseconds tick{100};
  double timeScale = 1.0;
  std::vector<std::string> names;
  /// System type of machine i: types[i % size]; empty: M700M.
  std::vector<collectors::mitsubishi::SystemType> types;
  int partSystems = 1;         ///< 1..4 per NC
  bool bigEndian = false;      ///< answer with the flags byte 0 (big-endian CDR)
  std::size_t splitBytes = 0;  ///< > 0: replies go out in segments of this many bytes
  /// Faults for trying a client (`spindle sim --mitsubishi-*`): every reply this late; every
  /// n-th reply cut off (then the connection closes) or replaced by garbage; every client
  /// dropped at this interval. 0: never.
  std::chrono::milliseconds replyDelay{0};
  std::uint64_t cutEvery = 0;
  std::uint64_t garbageEvery = 0;
  std::chrono::milliseconds dropEvery{0};
};

/// One simulated NC on one port.
class MitsubishiServer {
 public:
  MitsubishiServer(boost::asio::io_context& io, std::shared_ptr<MitsubishiControl> control,
                   std::string bindAddress, std::uint16_t port);
  ~MitsubishiServer();
  MitsubishiServer(const MitsubishiServer&) = delete;
  MitsubishiServer& operator=(const MitsubishiServer&) = delete;

  Status start();
  /// Closes the listener and every client. Idempotent; any thread.
  void stop();
  std::uint16_t port() const { return m_port; }

  /// Runs `f` on the NC under its lock (any thread).
  void withControl(const std::function<void(MitsubishiControl&)>& f);

  void setSilent(bool on) { m_state->silent = on; }
  void setReplyDelay(std::chrono::milliseconds d) { m_state->delayMs = d.count(); }
  void setSplitBytes(std::size_t n) { m_state->splitBytes = n; }
  void setBigEndian(bool on) { m_state->bigEndian = on; }
  /// The next reply is cut off half-way, then the connection is closed.
  void truncateNextReply() { m_state->truncateNext = true; }
  /// The next reply is replaced by bytes that are not GIOP.
  void garbageNextReply() { m_state->garbageNext = true; }
  void setFaultsEvery(std::uint64_t cut, std::uint64_t garbage) {
    m_state->cutEvery = cut;
    m_state->garbageEvery = garbage;
  }
  void dropClients();
  int clients() const { return m_state->clients.load(); }
  /// Requests answered (any operation) and mochaGetData requests refused with an exception.
  std::uint64_t requests() const { return m_state->requests.load(); }
  std::uint64_t exceptions() const { return m_state->exceptions.load(); }

 private:
  class Client;
  struct State {
    std::shared_ptr<MitsubishiControl> control;
    std::mutex mutex;  ///< guards control
    std::atomic<int> clients{0};
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> exceptions{0};
    std::atomic<bool> silent{false};
    std::atomic<bool> bigEndian{false};
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

class MitsubishiSim {
 public:
  MitsubishiSim(boost::asio::io_context& io, MitsubishiSimOptions options);
  ~MitsubishiSim();
  /// Binds every port (all or none) and starts ticking.
  Status start();
  void stop();
  std::vector<std::uint16_t> ports() const;
  const std::vector<std::string>& names() const { return m_names; }
  MitsubishiServer& server(std::size_t machine) { return *m_servers.at(machine); }

 private:
  void schedule();

  boost::asio::io_context& m_io;
  MitsubishiSimOptions m_options;
  std::vector<std::string> m_names;
  std::vector<std::unique_ptr<MitsubishiServer>> m_servers;
  boost::asio::steady_timer m_timer;
  std::chrono::milliseconds m_sinceDrop{0};
  bool m_stopped = false;
};

}  // namespace spindle::sim
