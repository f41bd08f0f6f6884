#include "cli/sim_modbus.hpp"

#include <boost/asio/io_context.hpp>

#include "base/log.hpp"
#include "cli/command.hpp"

namespace spindle::cli {

int runModbusSim(const sim::ModbusSimOptions& options) {
  auto log = makeLogger("sim");
  boost::asio::io_context io;
  sim::ModbusSim server(io, options);
  if (auto status = server.start(); !status) {
    log->error("{}", status.error().describe());
    return kExitFailure;
  }
  const auto ports = server.ports();
  for (std::size_t i = 0; i < ports.size(); ++i) {
    log->info(
        "{} serving Modbus TCP on {}:{} (any unit id; holding registers {}-{} answer "
        "illegal data address)",
        server.names()[i], options.bindAddress, ports[i], sim::kIllegalFrom, sim::kIllegalTo);
  }
  return runUntilSignal(io, *log, [&] { server.stop(); });
}

}  // namespace spindle::cli
