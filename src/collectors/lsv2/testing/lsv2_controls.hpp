#pragma once
/// What the lsv2 collector's tests share: simulated controls (sim/lsv2_sim) on their own io
/// thread, on free loopback ports (or a given one, to restart a control on the same port).

#include <functional>
#include <vector>

#include "collectors/testing/sim_on_loopback.hpp"
#include "sim/lsv2_sim.hpp"

namespace spindle::collectors::testing {

struct Lsv2Controls : SimOnLoopback<sim::Lsv2Sim, sim::Lsv2SimOptions> {
  explicit Lsv2Controls(std::vector<sim::Lsv2Identity> controls, int machines = 1,
                        std::uint16_t basePort = 0,
                        const std::function<void(sim::Lsv2SimOptions&)>& adjust = {})
      : SimOnLoopback(options(std::move(controls)), basePort, machines, adjust) {}

 private:
  static sim::Lsv2SimOptions options(std::vector<sim::Lsv2Identity> controls) {
    sim::Lsv2SimOptions o;
    o.controls = std::move(controls);
    return o;
  }
};

}  // namespace spindle::collectors::testing
