#pragma once
/// Test support: the MTConnect interface served on 127.0.0.1 over a state store the test fills
/// directly (two machines, m1 and m2, a ring of 16). Header-only.

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <gtest/gtest.h>

#include "web/testing/http_get.hpp"
#include "web/web_server.hpp"

namespace spindle::web::testing {

constexpr TimestampNs kT0 = 1714564800LL * 1'000'000'000;  // 2024-05-01T12:00:00Z

class AgentServiceTest : public ::testing::Test {
 public:  // the tests and their helpers use the members
  AgentServiceTest() : m_store(16), m_work(boost::asio::make_work_guard(m_io)) {
    m_m1 = m_catalog.addMachine("m1");
    m_m2 = m_catalog.addMachine("m2");
    m_thread = std::thread([this] { m_io.run(); });
    serve(WebOptions{});
  }

  /// (Re)starts the interface with `o` (bound to 127.0.0.1, any port).
  void serve(WebOptions o) {
    if (m_server) m_server->stop();
    o.bind = "127.0.0.1";
    o.port.value = 0;
    m_server = std::make_unique<Server>(m_io, o, m_store, m_catalog, "edge-1");
    EXPECT_TRUE(m_server->start().ok());
  }
  ~AgentServiceTest() override {
    m_server->stop();
    m_work.reset();
    m_io.stop();
    m_thread.join();
  }

  void add(model::MachineId m, const char* key, model::Kind kind, model::Value v, int second) {
    model::Batch b{model::Observation{m, m_catalog.intern(m, key, kind).value(),
                                      kT0 + second * 1'000'000'000LL, kind, 0, std::move(v)}};
    m_store.apply(b);
  }

  std::string get(const std::string& target, int status = 200) {
    auto r = httpGet(m_server->port(), target);
    EXPECT_EQ(r.status, status) << target << "\n" << r.body;
    return r.body;
  }

  model::ItemCatalog m_catalog;
  state::StateStore m_store;
  model::MachineId m_m1 = 0, m_m2 = 0;
  boost::asio::io_context m_io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> m_work;
  std::thread m_thread;
  std::unique_ptr<Server> m_server;
};

}  // namespace spindle::web::testing
