#pragma once
/// MachineHost: serves one MachineModel over SHDR. Owns the listening socket, the tick timer
/// and the connected clients, all on one strand.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include "base/error.hpp"
#include "sim/client_connection.hpp"
#include "sim/machine_model.hpp"

namespace spindle::sim {

struct HostSettings {
  std::chrono::milliseconds tick{100};         ///< model step and broadcast period
  std::chrono::milliseconds heartbeat{10000};  ///< announced in PONG; silence for 2x drops a client
  std::size_t maxQueueBytes = 1 << 20;         ///< per client, see ClientConnection::send()
};

/// Thread: the public functions may be called from any thread, except bind() and start(),
/// which belong to the thread that owns the SimServer. Everything else runs on the strand.
/// Owned by shared_ptr: pending handlers keep the host alive after the SimServer is gone.
class MachineHost : public std::enable_shared_from_this<MachineHost> {
 public:
  MachineHost(boost::asio::io_context& io, MachineProfile profile, HostSettings settings);

  /// Opens, binds and listens; port 0 picks a free port. Starts no asynchronous work, so a
  /// failed start() of the server can simply drop the host.
  Status bind(const boost::asio::ip::address& address, std::uint16_t port);

  /// The bound port, 0 before bind().
  std::uint16_t port() const { return m_port; }

  /// Starts accepting clients and ticking the model.
  void start();

  /// Closes the listener and every client and stops ticking. Idempotent, asynchronous: it
  /// happens on the strand, after which the host holds no pending work.
  void stop();

  void setSilent(bool silent);
  void dropConnections();
  std::size_t clientCount() const { return m_clientCount.load(); }

 private:
  void accept();
  void onAccept(const boost::system::error_code& error);
  void scheduleTick();
  void onTick();
  void onLine(ClientConnection& client, std::string_view line);
  void checkHeartbeats();
  void broadcast(const std::vector<Update>& updates);
  void closeAll(std::string_view reason);
  void removeClosed();

  boost::asio::strand<boost::asio::io_context::executor_type> m_strand;
  boost::asio::ip::tcp::acceptor m_acceptor;
  std::optional<boost::asio::ip::tcp::socket> m_accepting;
  boost::asio::steady_timer m_tickTimer;
  boost::asio::steady_timer m_retryTimer;  ///< backs off after an accept error
  std::chrono::steady_clock::time_point m_nextTick;

  MachineModel m_model;
  HostSettings m_settings;
  std::shared_ptr<spdlog::logger> m_log;
  std::shared_ptr<const std::string> m_pong;
  std::uint16_t m_port = 0;

  std::vector<std::shared_ptr<ClientConnection>> m_clients;
  std::atomic<std::size_t> m_clientCount{0};
  std::atomic<bool> m_stopped{false};
  bool m_silent = false;
};

}  // namespace spindle::sim
