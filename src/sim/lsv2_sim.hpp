#pragma once
/// `spindle sim --protocol lsv2`: simulated Heidenhain controls (sim/lsv2_control) served over
/// LSV2, one port each. Fault injection for tests: silence (a hung control), slow replies,
/// one reply cut off (then the connection closes), garbage instead of one reply, dropped
/// connections, replies split into small TCP segments.

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
#include "sim/lsv2_control.hpp"

namespace spindle::sim {

struct Lsv2SimOptions {
  std::string bindAddress = "127.0.0.1";
  std::uint16_t basePort = 19000;  ///< machine i on basePort + i; 0 picks free ports
  int machines = 1;                ///< 1..1000
  std::uint64_t seed = 1;
  std::chrono::milliseconds tick{100};
  double timeScale = 1.0;
  std::vector<std::string> names;
  /// Identity of machine i: controls[i % size]; empty: iTNC 530.
  std::vector<Lsv2Identity> controls;
  bool dncOption = true;       ///< false: every control refuses the DNC login
  std::size_t splitBytes = 0;  ///< > 0: replies go out in segments of this many bytes
  std::chrono::milliseconds replyDelay{0};
  std::uint64_t cutEvery = 0;      ///< every n-th reply cut off, then the connection closed
  std::uint64_t garbageEvery = 0;  ///< every n-th reply replaced by garbage
  std::chrono::milliseconds dropEvery{0};
};

/// One simulated control on one port.
class Lsv2Server {
 public:
  Lsv2Server(boost::asio::io_context& io, std::shared_ptr<Lsv2Control> control,
             std::string bindAddress, std::uint16_t port);
  ~Lsv2Server();
  Lsv2Server(const Lsv2Server&) = delete;
  Lsv2Server& operator=(const Lsv2Server&) = delete;

  Status start();
  /// Closes the listener and every client. Idempotent; any thread.
  void stop();
  std::uint16_t port() const { return m_port; }

  /// Runs `f` on the control under its lock (any thread).
  void withControl(const std::function<void(Lsv2Control&)>& f);

  /// A hung control: telegrams are read, never answered.
  void setSilent(bool on) { m_state->silent = on; }
  void setReplyDelay(std::chrono::milliseconds d) { m_state->delayMs = d.count(); }
  void setSplitBytes(std::size_t n) { m_state->splitBytes = n; }
  void truncateNextReply() { m_state->truncateNext = true; }
  void garbageNextReply() { m_state->garbageNext = true; }
  void setFaultsEvery(std::uint64_t cut, std::uint64_t garbage) {
    m_state->cutEvery = cut;
    m_state->garbageEvery = garbage;
  }
  void dropClients();
  int connections() const { return m_state->connections.load(); }
  /// Telegrams answered; telegrams refused for exceeding the agreed buffer; logouts.
  std::uint64_t requests() const { return m_state->requests.load(); }
  std::uint64_t oversized() const { return m_state->oversized.load(); }
  std::uint64_t logouts() const { return m_state->logouts.load(); }
  /// The largest telegram a client sent, and the largest buffer a client agreed.
  std::size_t largestRequest() const { return m_state->largestRequest.load(); }
  std::size_t largestBuffer() const { return m_state->largestBuffer.load(); }

 private:
  class Client;
  struct State {
    std::shared_ptr<Lsv2Control> control;
    std::mutex mutex;  ///< guards control
    std::atomic<int> connections{0};
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> oversized{0};
    std::atomic<std::uint64_t> logouts{0};
    std::atomic<std::size_t> largestRequest{0};
    std::atomic<std::size_t> largestBuffer{0};
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

class Lsv2Sim {
 public:
  Lsv2Sim(boost::asio::io_context& io, Lsv2SimOptions options);
  ~Lsv2Sim();
  /// Binds every port (all or none) and starts ticking.
  Status start();
  void stop();
  std::vector<std::uint16_t> ports() const;
  const std::vector<std::string>& names() const { return m_names; }
  Lsv2Server& server(std::size_t machine) { return *m_servers.at(machine); }

 private:
  void schedule();

  boost::asio::io_context& m_io;
  Lsv2SimOptions m_options;
  std::vector<std::string> m_names;
  std::vector<std::unique_ptr<Lsv2Server>> m_servers;
  boost::asio::steady_timer m_timer;
  std::chrono::milliseconds m_sinceDrop{0};
  bool m_stopped = false;
};

}  // namespace spindle::sim
