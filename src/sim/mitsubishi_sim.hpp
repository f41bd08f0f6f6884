#pragma once
/// `spindle sim --protocol mitsubishi`: simulated Mitsubishi NCs (sim/mitsubishi_control)
/// served over EZSocket (GIOP 1.0), one port each (sim/control_server). Each NC answers the
/// requests of any number of clients, in the byte order of the request or, with `bigEndian`,
/// always big-endian (the flags byte 0). Fault injection for tests: replies split into small
/// TCP segments, slow replies, silence, dropped connections, one reply cut off half-way,
/// garbage instead of one reply.

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
#include "sim/mitsubishi_control.hpp"

namespace spindle::sim {

struct MitsubishiSimOptions : ControlSimOptions {
  MitsubishiSimOptions() { basePort = 683; }
  /// System type of machine i: types[i % size]; empty: M700M.
  std::vector<collectors::mitsubishi::SystemType> types;
  int partSystems = 1;     ///< 1..4 per NC
  bool bigEndian = false;  ///< answer with the flags byte 0 (big-endian CDR)
};

/// One simulated NC on one port.
class MitsubishiServer : public ControlServer {
 public:
  MitsubishiServer(boost::asio::io_context& io, std::shared_ptr<MitsubishiControl> control,
                   std::string bindAddress, std::uint16_t port);

  /// Runs `f` on the NC under its lock (any thread).
  void withControl(const std::function<void(MitsubishiControl&)>& f);
  void step(std::chrono::milliseconds dt) override;

  void setBigEndian(bool on) { m_shared->bigEndian = on; }
  int clients() const { return connections(); }
  /// Requests answered (any operation) and mochaGetData requests refused with an exception.
  std::uint64_t requests() const { return m_shared->requests.load(); }
  std::uint64_t exceptions() const { return m_shared->exceptions.load(); }

 private:
  class Connection;
  struct Shared {
    std::shared_ptr<MitsubishiControl> control;
    std::mutex mutex;  ///< guards control
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> exceptions{0};
    std::atomic<bool> bigEndian{false};
  };
  MitsubishiServer(boost::asio::io_context& io, std::shared_ptr<Shared> shared,
                   std::string bindAddress, std::uint16_t port);

  std::shared_ptr<Shared> m_shared;
};

class MitsubishiSim : public ControlHost {
 public:
  MitsubishiSim(boost::asio::io_context& io, MitsubishiSimOptions options);
  MitsubishiServer& server(std::size_t machine) {
    return static_cast<MitsubishiServer&>(serverAt(machine));
  }

 protected:
  Status check() const override;
  std::unique_ptr<ControlServer> makeServer(std::size_t index, const MachineProfile& profile,
                                            std::uint16_t port) override;

 private:
  MitsubishiSimOptions m_options;
};

}  // namespace spindle::sim
