#pragma once
/// What the lsv2 collector's tests share: simulated controls (sim/lsv2_sim) on their own io
/// thread, on free loopback ports (or a given one, to restart a control on the same port).

#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "sim/lsv2_sim.hpp"

namespace spindle::collectors::testing {

struct Lsv2Controls {
  explicit Lsv2Controls(std::vector<sim::Lsv2Identity> controls, int machines = 1,
                        std::uint16_t basePort = 0,
                        const std::function<void(sim::Lsv2SimOptions&)>& adjust = {}) {
    sim::Lsv2SimOptions o;
    o.basePort = basePort;
    o.machines = machines;
    o.controls = std::move(controls);
    o.tick = std::chrono::milliseconds(50);
    o.timeScale = 20;
    if (adjust) adjust(o);
    sim = std::make_unique<sim::Lsv2Sim>(io, o);
    EXPECT_TRUE(sim->start());
    thread = std::thread([this] { io.run(); });
  }
  ~Lsv2Controls() {
    sim->stop();
    work.reset();
    io.stop();
    thread.join();
  }
  std::uint16_t port(std::size_t i = 0) const { return sim->ports().at(i); }
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<sim::Lsv2Sim> sim;
  std::thread thread;
};

}  // namespace spindle::collectors::testing
