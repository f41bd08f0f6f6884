#pragma once
/// What the focas collector's tests share: simulated controls (sim/focas_sim) on their own io
/// thread, on free loopback ports, and a script compiled from text.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "sim/focas_sim.hpp"
#include "transform/script_loader.hpp"

namespace spindle::collectors::testing {

struct FocasControls {
  explicit FocasControls(std::vector<sim::FocasSeries> series, int paths = 1, int machines = 1,
                         std::uint16_t basePort = 0, int maxConnections = 5,
                         const std::function<void(sim::FocasSimOptions&)>& adjust = {}) {
    sim::FocasSimOptions o;
    o.basePort = basePort;
    o.machines = machines;
    o.series = std::move(series);
    o.paths = paths;
    o.maxConnections = maxConnections;
    o.tick = std::chrono::milliseconds(50);
    o.timeScale = 20;
    if (adjust) adjust(o);
    sim = std::make_unique<sim::FocasSim>(io, o);
    EXPECT_TRUE(sim->start());
    thread = std::thread([this] { io.run(); });
  }
  ~FocasControls() {
    sim->stop();
    work.reset();
    io.stop();
    thread.join();
  }
  std::uint16_t port(std::size_t i = 0) const { return sim->ports().at(i); }
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<sim::FocasSim> sim;
  std::thread thread;
};

inline std::shared_ptr<const transform::CompiledScript> compiledScript(const std::string& text) {
  auto compiled = transform::compileScript(text, "test.yaml");
  EXPECT_TRUE(compiled) << (compiled ? "" : compiled.error().describe());
  return compiled ? *compiled : nullptr;
}

}  // namespace spindle::collectors::testing
