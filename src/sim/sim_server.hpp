#pragma once
/// SimServer: a set of simulated CNC machines, each an MTConnect SHDR adapter on its own TCP
/// port. Used by `spindle sim`, the demo, and tests of the SHDR collector.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "base/error.hpp"

namespace spindle::sim {

class MachineHost;

struct SimOptions {
  std::string bindAddress = "127.0.0.1";
  std::uint16_t basePort = 7878;        ///< machine i listens on basePort + i; 0 picks free ports
  int machines = 3;                     ///< 1..1000
  std::uint64_t seed = 1;               ///< machine i's model is seeded from (seed, i)
  std::chrono::milliseconds tick{100};  ///< model step and send period, > 0
  std::chrono::milliseconds heartbeat{10000};  ///< sent in "* PONG <ms>", > 0
  int flakyMachine = -1;  ///< index of the machine that drops its connections now and then; -1 none
  double timeScale = 1.0;          ///< simulated seconds per real second, > 0
  std::vector<std::string> names;  ///< machine names; missing ones default to mill-1, mill-2...
  std::size_t maxClientQueueBytes = 1 << 20;  ///< unsent bytes per client before it is dropped
};

/// Thread safety: construct, start() and ports() on one thread; the other functions may be
/// called from any thread. All network work runs on the io_context given, which may be run by
/// several threads (each machine has its own strand) and must outlive the server.
///
/// Each client gets the machine's full state on connect, then every tick's changes. It may
/// send "* PING"; the answer is "* PONG <heartbeat ms>", and a client that has pinged once is
/// dropped after 2x heartbeat without input. Other input is ignored.
class SimServer {
 public:
  SimServer(boost::asio::io_context& io, SimOptions options);
  /// Calls stop().
  ~SimServer();
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  /// Validates the options, binds every port (all or none: on failure the ports already bound
  /// are released), then starts accepting and ticking. Errors: kInvalidArgument for bad
  /// options, kIo naming the address and machine when a port cannot be bound. Call once.
  Status start();

  /// Closes every listener and client and stops the ticks. Idempotent; asynchronous: the
  /// sockets close on the io_context's threads, after which the server leaves no work behind
  /// (io_context::run() returns if nothing else keeps it busy).
  void stop();

  /// The bound ports in machine order; empty before a successful start().
  std::vector<std::uint16_t> ports() const { return m_ports; }
  const std::vector<std::string>& names() const { return m_names; }

  /// Fault injection. `machine` is an index; out-of-range indexes are ignored (0 clients).
  /// Silent: sockets stay open but nothing is sent and no PING is answered (heartbeat loss);
  /// leaving silence resends the full state. Takes effect on the machine's strand, so a tick
  /// already under way may still arrive.
  void setSilent(int machine, bool silent);
  /// Closes that machine's client connections; they may reconnect.
  void dropConnections(int machine);
  std::size_t clientCount(int machine) const;

 private:
  Status validate() const;
  MachineHost* host(int machine) const;

  boost::asio::io_context& m_io;
  SimOptions m_options;
  std::vector<std::string> m_names;
  std::vector<std::shared_ptr<MachineHost>> m_hosts;
  std::vector<std::uint16_t> m_ports;
  bool m_started = false;
  std::atomic<bool> m_stopped{false};
};

}  // namespace spindle::sim
