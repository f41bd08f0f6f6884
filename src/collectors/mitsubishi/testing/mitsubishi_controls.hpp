#pragma once
/// What the mitsubishi collector's tests share: simulated NCs (sim/mitsubishi_sim) on their own
/// io thread, on free loopback ports.

#include <functional>
#include <vector>

#include "collectors/testing/sim_on_loopback.hpp"
#include "sim/mitsubishi_sim.hpp"

namespace spindle::collectors::testing {

struct MitsubishiControls : SimOnLoopback<sim::MitsubishiSim, sim::MitsubishiSimOptions> {
  explicit MitsubishiControls(std::vector<mitsubishi::SystemType> types, int partSystems = 1,
                              int machines = 1, std::uint16_t basePort = 0,
                              const std::function<void(sim::MitsubishiSimOptions&)>& adjust = {})
      : SimOnLoopback(options(std::move(types), partSystems), basePort, machines, adjust) {}

 private:
  static sim::MitsubishiSimOptions options(std::vector<mitsubishi::SystemType> types,
                                           int partSystems) {
    sim::MitsubishiSimOptions o;
    o.types = std::move(types);
    o.partSystems = partSystems;
    return o;
  }
};

}  // namespace spindle::collectors::testing
