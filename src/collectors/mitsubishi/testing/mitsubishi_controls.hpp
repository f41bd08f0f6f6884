#pragma once
/// What the mitsubishi collector's tests share: simulated NCs (sim/mitsubishi_sim) on their own
/// io thread, on free loopback ports.

#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "sim/mitsubishi_sim.hpp"

namespace spindle::collectors::testing {

struct MitsubishiControls {
  explicit MitsubishiControls(std::vector<mitsubishi::SystemType> types, int partSystems = 1,
                              int machines = 1, std::uint16_t basePort = 0,
                              const std::function<void(sim::MitsubishiSimOptions&)>& adjust = {}) {
    sim::MitsubishiSimOptions o;
    o.basePort = basePort;
    o.machines = machines;
    o.types = std::move(types);
    o.partSystems = partSystems;
    o.tick = std::chrono::milliseconds(50);
    o.timeScale = 20;
    if (adjust) adjust(o);
    sim = std::make_unique<sim::MitsubishiSim>(io, o);
    EXPECT_TRUE(sim->start());
    thread = std::thread([this] { io.run(); });
  }
  ~MitsubishiControls() {
    sim->stop();
    work.reset();
    io.stop();
    thread.join();
  }
  std::uint16_t port(std::size_t i = 0) const { return sim->ports().at(i); }
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<sim::MitsubishiSim> sim;
  std::thread thread;
};

}  // namespace spindle::collectors::testing
