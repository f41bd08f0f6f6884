#pragma once
/// ClientConnection: one agent connected to a simulated machine. Splits what the agent sends
/// into lines, and writes what the machine broadcasts through a bounded queue.

#include <array>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <spdlog/spdlog.h>

namespace spindle::sim {

/// Thread: every member function must run on the socket's executor (the machine's strand);
/// completion handlers run there too. Owned by shared_ptr: pending operations keep it alive.
class ClientConnection : public std::enable_shared_from_this<ClientConnection> {
 public:
  struct Handlers {
    std::function<void(std::string_view line)> onLine;  ///< without "\n" or "\r"
    std::function<void()> onClose;                      ///< once, after the socket is closed
  };

  /// `maxQueueBytes` bounds the bytes accepted by send() but not yet written to the socket.
  ClientConnection(boost::asio::ip::tcp::socket socket, std::shared_ptr<spdlog::logger> log,
                   std::size_t maxQueueBytes);

  /// Starts reading. Lines longer than 4 KiB are discarded.
  void start(Handlers handlers);

  /// Queues bytes for writing; shared so one broadcast buffer serves every client. Closes the
  /// connection (logged at warn) if the queue would exceed its bound: a slow reader is dropped
  /// rather than allowed to grow memory or hold up the others.
  void send(std::shared_ptr<const std::string> data);

  /// Closes the socket, logs "client <peer> disconnected (<reason>)" at info and calls
  /// onClose. Idempotent.
  void close(std::string_view reason);

  bool closed() const { return m_closed; }
  const std::string& peer() const { return m_peer; }

  /// When bytes last arrived (or the connection was accepted), steady clock.
  std::chrono::steady_clock::time_point lastInput() const { return m_lastInput; }

  /// Set once the client has sent a PING: from then on it must keep sending within the
  /// heartbeat timeout.
  void markHeartbeating() { m_heartbeating = true; }
  bool heartbeating() const { return m_heartbeating; }

 private:
  void read();
  void onRead(const boost::system::error_code& error, std::size_t bytes);
  void write();
  void onWrite(const boost::system::error_code& error);

  static constexpr std::size_t kMaxLineBytes = 4096;

  boost::asio::ip::tcp::socket m_socket;
  std::shared_ptr<spdlog::logger> m_log;
  std::size_t m_maxQueueBytes;
  std::string m_peer;
  Handlers m_handlers;

  std::array<char, 1024> m_readBuffer{};
  std::string m_inbox;        ///< bytes of an unfinished line
  bool m_discarding = false;  ///< inside an over-long line, skipping to its end
  std::chrono::steady_clock::time_point m_lastInput;
  bool m_heartbeating = false;

  std::deque<std::shared_ptr<const std::string>> m_queue;
  std::size_t m_queuedBytes = 0;
  bool m_writing = false;
  bool m_closed = false;
};

}  // namespace spindle::sim
