// Spindle collecting from its simulator over loopback: data arrives from every machine; a
// silent or killed simulator turns the items UNAVAILABLE; Spindle reconnects when it returns.

#include <filesystem>

#include <boost/asio/executor_work_guard.hpp>
#include <gtest/gtest.h>

#include "app/gateway.hpp"
#include "collectors/registry.hpp"
#include "loopback_config.hpp"
#include "process.hpp"

namespace spindle::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string latestText(app::Gateway& g, const std::string& machine, const std::string& key) {
  const auto id = g.catalog().intern(g.catalog().addMachine(machine), key).value();
  const auto obs = g.state().latest(id);
  if (!obs) return "";
  if (model::isUnavailable(obs->value)) return "UNAVAILABLE";
  if (auto* s = std::get_if<std::string>(&obs->value)) return *s;
  return "value";
}

class CollectorWithSimulator : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("spindle_sim_it_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    collectors::registerBuiltinCollectors(m_registry);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  app::SpindleConfig config(const std::vector<std::uint16_t>& ports) {
    std::string yaml = "edge:\n  data_dir: " + m_dir.string() + "\n  status_interval: 0s\n" +
                       loopbackSections() + "machines:\n";
    for (size_t i = 0; i < ports.size(); ++i) {
      yaml += "  - id: m" + std::to_string(i + 1) + "\n    type: shdr\n    host: 127.0.0.1\n" +
              "    port: " + std::to_string(ports[i]) + "\n    reconnect_min: 50ms\n" +
              "    reconnect_max: 200ms\n";
    }
    auto loaded = app::loadConfigText(yaml, "test.yaml", m_registry);
    EXPECT_TRUE(loaded.config.has_value()) << loaded.diagnostics.describe();
    return std::move(*loaded.config);
  }

  fs::path m_dir;
  collectors::Registry m_registry;
  SystemClock m_clock;
};

TEST_F(CollectorWithSimulator, DataArrivesAndHeartbeatLossIsDetected) {
  boost::asio::io_context simIo;
  auto work = boost::asio::make_work_guard(simIo);
  sim::SimOptions so;
  so.basePort = 0;
  so.machines = 3;
  so.heartbeat = 200ms;
  so.timeScale = 10;
  sim::SimServer simulator(simIo, so);
  ASSERT_TRUE(simulator.start().ok());
  std::thread simThread([&] { simIo.run(); });

  app::Gateway gateway(config(simulator.ports()), "", {}, m_clock);
  ASSERT_TRUE(gateway.start().ok());
  for (const char* m : {"m1", "m2", "m3"}) {
    EXPECT_TRUE(
        eventually([&] { return latestText(gateway, m, "availability") == "AVAILABLE"; }, 10s))
        << m;
    EXPECT_TRUE(eventually([&] { return !latestText(gateway, m, "execution").empty(); }, 10s)) << m;
  }

  simulator.setSilent(1, true);  // m2's adapter hangs: no data, no PONG
  EXPECT_TRUE(
      eventually([&] { return latestText(gateway, "m2", "execution") == "UNAVAILABLE"; }, 5s));
  EXPECT_EQ(latestText(gateway, "m2", "connection_status"), "CLOSED");
  EXPECT_NE(latestText(gateway, "m1", "execution"), "UNAVAILABLE");  // the others carry on
  simulator.setSilent(1, false);
  EXPECT_TRUE(
      eventually([&] { return latestText(gateway, "m2", "availability") == "AVAILABLE"; }, 10s));

  gateway.stop();
  simulator.stop();
  work.reset();
  simIo.stop();
  simThread.join();
}

// As a user would: the simulator and Spindle as separate processes; the simulator is killed
// with SIGKILL and started again on the same port.
TEST_F(CollectorWithSimulator, KilledSimulatorMeansUnavailableThenReconnect) {
  fs::create_directories(m_dir);
  const std::uint16_t port = freePort();
  const std::string out = (m_dir / "observations.jsonl").string();
  const std::string cfg = (m_dir / "spindle.yaml").string();
  std::ofstream(cfg) << "edge:\n  data_dir: " << m_dir.string() << "\n"
                     << loopbackSections()
                     << "machines:\n  - id: mill-1\n    type: shdr\n    host: 127.0.0.1\n"
                     << "    port: " << port
                     << "\n    reconnect_min: 100ms\n    reconnect_max: 300ms\n";
  const std::vector<std::string> simArgs{
      SPINDLE_BINARY,       "sim",          "--machines", "1", "--base-port",
      std::to_string(port), "--time-scale", "10"};
  auto sim = std::make_unique<Process>(simArgs, (m_dir / "sim1.out").string(),
                                       (m_dir / "sim1.err").string());
  Process spindle({SPINDLE_BINARY, "run", "--config", cfg}, (m_dir / "run.out").string(),
                  (m_dir / "run.err").string());

  // Lines of the output that contain every one of `needles`.
  auto lines = [&](std::initializer_list<std::string> needles) {
    std::istringstream text(readFile(out));
    size_t n = 0;
    for (std::string line; std::getline(text, line);) {
      bool all = true;
      for (const auto& needle : needles) all = all && line.find(needle) != std::string::npos;
      n += all;
    }
    return n;
  };
  const std::string runErr = (m_dir / "run.err").string();
  // The default script's outputs start UNAVAILABLE, then take the machine's values.
  const std::string execution = R"("item":"execution")", speed = R"("item":"spindle_speed")",
                    unavailable = R"("value":"UNAVAILABLE")";
  ASSERT_TRUE(eventually([&] {
    return lines({execution}) > lines({execution, unavailable}) &&
           lines({speed}) > lines({speed, unavailable});
  })) << readFile(runErr);
  const size_t executionUnavailable = lines({execution, unavailable});
  const size_t speedUnavailable = lines({speed, unavailable});
  const size_t allUnavailable = lines({unavailable});

  sim->kill(SIGKILL);
  ASSERT_TRUE(eventually([&] { return lines({R"("value":"CLOSED")"}) == 1; })) << readFile(runErr);
  EXPECT_EQ(lines({execution, unavailable}), executionUnavailable + 1);
  EXPECT_EQ(lines({speed, unavailable}), speedUnavailable + 1);
  EXPECT_GE(lines({unavailable}), allUnavailable + 10);  // every item of the machine

  const size_t executionBefore = lines({R"("item":"execution")"});
  sim = std::make_unique<Process>(simArgs, (m_dir / "sim2.out").string(),
                                  (m_dir / "sim2.err").string());
  ASSERT_TRUE(eventually([&] { return lines({R"("value":"ESTABLISHED")"}) == 2; }))
      << readFile(runErr);
  EXPECT_TRUE(eventually([&] { return lines({R"("item":"execution")"}) > executionBefore; }));
  EXPECT_EQ(spindle.kill(SIGTERM), 0);
  EXPECT_NE(readFile(runErr).find("lost the SHDR adapter"), std::string::npos);
}

}  // namespace
}  // namespace spindle::testing
