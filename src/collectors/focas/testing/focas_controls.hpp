#pragma once
/// What the focas collector's tests share: simulated controls (sim/focas_sim) on their own io
/// thread, on free loopback ports, and a script compiled from text.

#include <functional>
#include <vector>

#include "collectors/testing/compiled_script.hpp"
#include "collectors/testing/sim_on_loopback.hpp"
#include "sim/focas_sim.hpp"

namespace spindle::collectors::testing {

struct FocasControls : SimOnLoopback<sim::FocasSim, sim::FocasSimOptions> {
  explicit FocasControls(std::vector<sim::FocasSeries> series, int paths = 1, int machines = 1,
                         std::uint16_t basePort = 0, int maxConnections = 5,
                         const std::function<void(sim::FocasSimOptions&)>& adjust = {})
      : SimOnLoopback(options(std::move(series), paths, maxConnections), basePort, machines,
                      adjust) {}

 private:
  static sim::FocasSimOptions options(std::vector<sim::FocasSeries> series, int paths,
                                      int maxConnections) {
    sim::FocasSimOptions o;
    o.series = std::move(series);
    o.paths = paths;
    o.maxConnections = maxConnections;
    return o;
  }
};

}  // namespace spindle::collectors::testing
