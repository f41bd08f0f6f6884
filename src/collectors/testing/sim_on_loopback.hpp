#pragma once
/// Test support: a simulator (sim/*_sim) serving on loopback from its own io thread, started
/// when constructed and stopped when destroyed. The collectors' tests build their controls on
/// it (focas/testing/focas_controls.hpp and the like).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace spindle::collectors::testing {

/// `Sim` is constructed from (io_context&, Options) and has start(), stop() and ports();
/// Options has basePort, machines, tick and timeScale.
template <typename Sim, typename Options>
struct SimOnLoopback {
  /// Starts `Sim` with `o`, on `basePort` (0: free ports) with `machines` machines, a 50 ms
  /// tick and 20 times real time; `adjust` changes the options last.
  SimOnLoopback(Options o, std::uint16_t basePort, int machines,
                const std::function<void(Options&)>& adjust) {
    o.basePort = basePort;
    o.machines = machines;
    o.tick = std::chrono::milliseconds(50);
    o.timeScale = 20;
    if (adjust) adjust(o);
    // A control started again on the port it had may find the port briefly taken (a test beside
    // it, or a client's connect that met itself): try for a while before failing.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      sim = std::make_unique<Sim>(io, o);
      const bool started = static_cast<bool>(sim->start());
      if (started || basePort == 0 || std::chrono::steady_clock::now() > deadline) {
        EXPECT_TRUE(started);
        break;
      }
      sim->stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    thread = std::thread([this] { io.run(); });
  }
  ~SimOnLoopback() {
    sim->stop();
    work.reset();
    io.stop();
    thread.join();
  }
  SimOnLoopback(const SimOnLoopback&) = delete;
  SimOnLoopback& operator=(const SimOnLoopback&) = delete;

  /// Machine `i`'s port.
  std::uint16_t port(std::size_t i = 0) const { return sim->ports().at(i); }

  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<Sim> sim;
  std::thread thread;
};

}  // namespace spindle::collectors::testing
