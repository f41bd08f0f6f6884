#pragma once
/// `spindle sim --protocol modbus`: serves the simulated machines as Modbus TCP devices.

#include "sim/modbus_sim.hpp"

namespace spindle::cli {

/// Runs until SIGINT or SIGTERM; returns the process exit code.
int runModbusSim(const sim::ModbusSimOptions& options);

}  // namespace spindle::cli
