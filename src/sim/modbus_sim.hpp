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
#include <boost/asio/steady_timer.hpp>

#include "base/error.hpp"
#include "sim/machine_model.hpp"
#include "sim/modbus_server.hpp"

namespace spindle::sim {

struct ModbusSimOptions {
  std::string bindAddress = "127.0.0.1";
  std::uint16_t basePort = 5020;  ///< machine i on basePort + i; 0 picks free ports
  int machines = 1;               ///< 1..1000
  std::uint64_t seed = 1;
  std::chrono::milliseconds tick{100};
  double timeScale = 1.0;
  std::vector<std::string> names;
};

/// Writes one machine's state (MachineModel::snapshot()) into its image.
void fillModbusImage(ModbusImage& image, const std::vector<Update>& snapshot);
/// Every image gets this illegal range: holding registers 100-199.
constexpr std::uint16_t kIllegalFrom = 100;
constexpr std::uint16_t kIllegalTo = 199;

class ModbusSim {
 public:
  ModbusSim(boost::asio::io_context& io, ModbusSimOptions options);
  ~ModbusSim();
  /// Binds every port (all or none) and starts ticking.
  Status start();
  void stop();
  std::vector<std::uint16_t> ports() const;
  const std::vector<std::string>& names() const { return m_names; }
  ModbusServer& server(std::size_t machine) { return *m_servers.at(machine); }

 private:
  void schedule();

  boost::asio::io_context& m_io;
  ModbusSimOptions m_options;
  std::vector<std::string> m_names;
  std::vector<MachineModel> m_models;
  std::vector<std::shared_ptr<ModbusImage>> m_images;
  std::vector<std::unique_ptr<ModbusServer>> m_servers;
  boost::asio::steady_timer m_timer;
  bool m_stopped = false;
};

}  // namespace spindle::sim
