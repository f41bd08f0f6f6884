#pragma once
/// Test support: the Haas simulator (sim/haas_sim.hpp) on its own io thread, on a free
/// loopback port or a pseudo-terminal, and the collector options that reach it.

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "collectors/haas/haas_options.hpp"
#include "sim/haas_sim.hpp"

namespace spindle::collectors::haas::testing {

class SimPeer {
 public:
  explicit SimPeer(sim::HaasSimOptions options)
      : m_work(boost::asio::make_work_guard(m_io)), m_sim(m_io, withFreePort(std::move(options))) {
    m_status = m_sim.start();
    m_thread = std::thread([this] { m_io.run(); });
  }
  ~SimPeer() {
    m_sim.stop();
    m_work.reset();
    m_thread.join();
  }

  bool ok() const { return m_status.ok(); }
  sim::HaasSim& sim() { return m_sim; }

  /// Options reaching the simulator, quick to time out: tests wait for events, never sleep.
  HaasOptions options(bool ngc) const {
    HaasOptions o;
    o.framing = ngc ? "ngc" : "classic";
    if (m_sim.ptyPath().empty()) {
      o.host = "127.0.0.1";
      o.port.value = m_sim.port();
    } else {
      o.transport = "serial";
      o.device = m_sim.ptyPath();
    }
    o.pollInterval = std::chrono::milliseconds(100);
    o.pacing = std::chrono::milliseconds(1);
    o.readTimeout = std::chrono::milliseconds(300);
    o.reconnectMin = std::chrono::milliseconds(50);
    o.reconnectMax = std::chrono::milliseconds(200);
    o.pollCodes = {104, 200, 201, 300, 301, 303, 304, 402, 403, 500};
    return o;
  }

 private:
  static sim::HaasSimOptions withFreePort(sim::HaasSimOptions o) {
    o.port = 0;
    o.tick = std::chrono::milliseconds(50);
    o.timeScale = 20;
    return o;
  }

  boost::asio::io_context m_io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> m_work;
  sim::HaasSim m_sim;
  Status m_status = okStatus();
  std::thread m_thread;
};

}  // namespace spindle::collectors::haas::testing
