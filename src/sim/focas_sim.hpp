#pragma once
/// `spindle sim --protocol focas`: simulated FANUC controls (sim/focas_control) served over
/// FOCAS/Ethernet, one port each (sim/control_server). Each control accepts at most
/// `maxConnections` FOCAS sessions at once (one more is accepted and closed at once, as a
/// control whose sessions are all in use does), answers the open handshake, batched data
/// requests and the close. Fault injection for tests: replies split into small TCP segments,
/// slow replies, silence, dropped connections, one reply cut off mid sub-packet, garbage
/// instead of one reply.

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
#include "sim/focas_control.hpp"

namespace spindle::sim {

struct FocasSimOptions : ControlSimOptions {
  FocasSimOptions() { basePort = 8193; }
  /// Series of machine i: series[i % size]; empty: 30i.
  std::vector<FocasSeries> series;
  int paths = 1;           ///< 1..4 per control
  int maxConnections = 5;  ///< FOCAS sessions per control, 1..20
};

/// One simulated control on one port.
class FocasServer : public ControlServer {
 public:
  FocasServer(boost::asio::io_context& io, std::shared_ptr<FocasControl> control,
              std::string bindAddress, std::uint16_t port, int maxConnections);

  /// Runs `f` on the control under its lock (any thread).
  void withControl(const std::function<void(FocasControl&)>& f);
  void step(std::chrono::milliseconds dt) override;

  /// Open FOCAS sessions.
  int sessions() const { return connections(); }
  /// Data requests answered (frames) and calls in them.
  std::uint64_t requests() const { return m_shared->requests.load(); }
  std::uint64_t calls() const { return m_shared->calls.load(); }

 private:
  class Connection;
  struct Shared {
    std::shared_ptr<FocasControl> control;
    std::mutex mutex;  ///< guards control
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> calls{0};
  };
  FocasServer(boost::asio::io_context& io, std::shared_ptr<Shared> shared, std::string bindAddress,
              std::uint16_t port, int maxConnections);

  std::shared_ptr<Shared> m_shared;
};

class FocasSim : public ControlHost {
 public:
  FocasSim(boost::asio::io_context& io, FocasSimOptions options);
  FocasServer& server(std::size_t machine) { return static_cast<FocasServer&>(serverAt(machine)); }

 protected:
  Status check() const override;
  std::unique_ptr<ControlServer> makeServer(std::size_t index, const MachineProfile& profile,
                                            std::uint16_t port) override;

 private:
  FocasSimOptions m_options;
};

}  // namespace spindle::sim
