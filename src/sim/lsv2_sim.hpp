#pragma once
/// `spindle sim --protocol lsv2`: simulated Heidenhain controls (sim/lsv2_control) served over
/// LSV2, one port each (sim/control_server). Fault injection for tests: silence (a hung
/// control), slow replies, one reply cut off (then the connection closes), garbage instead of
/// one reply, dropped connections, replies split into small TCP segments.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "base/error.hpp"
#include "sim/control_server.hpp"
#include "sim/lsv2_control.hpp"

namespace spindle::sim {

struct Lsv2SimOptions : ControlSimOptions {
  Lsv2SimOptions() { basePort = 19000; }
  /// Identity of machine i: controls[i % size]; empty: iTNC 530.
  std::vector<Lsv2Identity> controls;
  bool dncOption = true;  ///< false: every control refuses the DNC login
};

/// One simulated control on one port.
class Lsv2Server : public ControlServer {
 public:
  Lsv2Server(boost::asio::io_context& io, std::shared_ptr<Lsv2Control> control,
             std::string bindAddress, std::uint16_t port);

  /// Runs `f` on the control under its lock (any thread).
  void withControl(const std::function<void(Lsv2Control&)>& f);
  void step(std::chrono::milliseconds dt) override;

  /// Telegrams answered; telegrams refused for exceeding the agreed buffer; logouts.
  std::uint64_t requests() const { return m_shared->requests.load(); }
  std::uint64_t oversized() const { return m_shared->oversized.load(); }
  std::uint64_t logouts() const { return m_shared->logouts.load(); }
  /// The largest telegram a client sent, and the largest buffer a client agreed.
  std::size_t largestRequest() const { return m_shared->largestRequest.load(); }
  std::size_t largestBuffer() const { return m_shared->largestBuffer.load(); }

 private:
  class Connection;
  struct Shared {
    std::shared_ptr<Lsv2Control> control;
    std::mutex mutex;  ///< guards control
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> oversized{0};
    std::atomic<std::uint64_t> logouts{0};
    std::atomic<std::size_t> largestRequest{0};
    std::atomic<std::size_t> largestBuffer{0};
  };
  Lsv2Server(boost::asio::io_context& io, std::shared_ptr<Shared> shared, std::string bindAddress,
             std::uint16_t port);

  std::shared_ptr<Shared> m_shared;
};

class Lsv2Sim : public ControlHost {
 public:
  Lsv2Sim(boost::asio::io_context& io, Lsv2SimOptions options);
  Lsv2Server& server(std::size_t machine) { return static_cast<Lsv2Server&>(serverAt(machine)); }

 protected:
  std::unique_ptr<ControlServer> makeServer(std::size_t index, const MachineProfile& profile,
                                            std::uint16_t port) override;

 private:
  Lsv2SimOptions m_options;
};

}  // namespace spindle::sim
