#pragma once
/// `spindle sim --protocol modbus`: simulated machines (sim/machine_model) served as Modbus TCP
/// devices, one port each, their state written into registers, coils and discrete inputs every
/// tick. The map (docs/collectors/modbus_tcp.md, "Simulator") holds every value type in each
/// of the four orders, a stack light and a cycle signal, and holding registers 100-199 answer
/// "illegal data address".

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "base/error.hpp"
#include "sim/control_server.hpp"
#include "sim/machine_model.hpp"
#include "sim/modbus_server.hpp"

namespace spindle::sim {

/// The common options (sim/control_server.hpp); base port 5020. The faults stay off.
struct ModbusSimOptions : ControlSimOptions {
  ModbusSimOptions() { basePort = 5020; }
};

/// Writes one machine's state (MachineModel::snapshot()) into its image.
void fillModbusImage(ModbusImage& image, const std::vector<Update>& snapshot);
/// Every image gets this illegal range: holding registers 100-199.
constexpr std::uint16_t kIllegalFrom = 100;
constexpr std::uint16_t kIllegalTo = 199;

/// One image per machine, written from its model whenever a tick changed something.
class ModbusSim : public ControlHost {
 public:
  ModbusSim(boost::asio::io_context& io, ModbusSimOptions options);
  ModbusServer& server(std::size_t machine) {
    return static_cast<ModbusServer&>(serverAt(machine));
  }

 protected:
  std::unique_ptr<ControlServer> makeServer(std::size_t index, const MachineProfile& profile,
                                            std::uint16_t port) override;

 private:
  ModbusSimOptions m_options;
};

}  // namespace spindle::sim
