// Spindle's own outbound connections use the DNS chain: a machine named by host name is
// resolved with the preferred ("Google") server black-holed and the configured server
// (dnsmasq on a loopback port) answering, then collected from.

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "app/gateway.hpp"
#include "collectors/registry.hpp"
#include "netcheck_peers.hpp"
#include "sim/sim_server.hpp"

namespace spindle::testing {
namespace {

using namespace netcheck_peers;
using namespace std::chrono_literals;

TEST(GatewayDns, AMachineNamedByHostNameResolvesThroughTheFallback) {
  NETCHECK_REQUIRE_PROGRAM(dnsmasq, "dnsmasq", "dnsmasq-base");
  ScratchDir dir("gateway-dns");
  auto plant = startDnsmasq(dnsmasq, dir);  // answers *.spindle.test with 127.0.0.1
  auto google = startStub(dir, "udp-blackhole", {}, /*udp=*/true);
  ASSERT_TRUE(plant && google);

  boost::asio::io_context simIo;
  auto work = boost::asio::make_work_guard(simIo);
  sim::SimOptions so;
  so.basePort = 0;
  so.machines = 1;
  so.timeScale = 10;
  sim::SimServer simulator(simIo, so);
  ASSERT_TRUE(simulator.start().ok());
  std::thread simThread([&] { simIo.run(); });

  const std::string yaml =
      "edge:\n  data_dir: " + (dir / "data") + "\n  status_interval: 0s\n" +
      "net:\n  dns_preferred: [127.0.0.1:" + std::to_string(google->port) +
      "]\n  dns_servers: [127.0.0.1:" + std::to_string(plant->port) +
      "]\n  resolv_conf: \"\"\n  dns_timeout: 300ms\n  ntp_servers: []\n" +
      "web:\n  enabled: false\n  management:\n    enabled: false\n" +
      "machines:\n  - id: mill-1\n    type: shdr\n    host: mill-1.spindle.test\n    port: " +
      std::to_string(simulator.ports()[0]) + "\n    reconnect_min: 50ms\n";
  collectors::Registry registry;
  collectors::registerBuiltinCollectors(registry);
  auto loaded = app::loadConfigText(yaml, "dns.yaml", registry);
  ASSERT_TRUE(loaded.config.has_value()) << loaded.diagnostics.describe();
  SystemClock clock;
  app::Gateway gateway(std::move(*loaded.config), loaded.text, {}, clock);
  ASSERT_TRUE(gateway.start().ok());

  const auto machine = gateway.catalog().addMachine("mill-1");
  const auto availability = gateway.catalog().intern(machine, "availability").value();
  EXPECT_TRUE(eventually(
      [&] {
        const auto obs = gateway.state().latest(availability);
        return obs && obs->value == model::Value{std::string("AVAILABLE")};
      },
      15s))
      << gateway.machineStatus("mill-1")->detail;
  // The chain fell back to the configured server and asks it first now.
  const auto status = gateway.resolver()->status();
  ASSERT_EQ(status.servers.size(), 2u);
  EXPECT_EQ(status.current, 1u);
  EXPECT_GE(status.servers[0].failures, 1u);
  EXPECT_GE(status.servers[1].responses, 1u);

  gateway.stop();
  simulator.stop();
  work.reset();
  simIo.stop();
  simThread.join();
}

// The cloud link too: the hub is named by host name, which only the configured DNS server
// (behind a black-holed preferred one) knows; cnats alone could not resolve it.
TEST(GatewayDns, TheCloudLinkReachesAHubNamedThroughTheFallback) {
  NETCHECK_REQUIRE_PROGRAM(dnsmasq, "dnsmasq", "dnsmasq-base");
  NETCHECK_REQUIRE_PROGRAM(natsServer, "nats-server", "nats-server");
  ScratchDir dir("gateway-dns-nats");
  auto plant = startDnsmasq(dnsmasq, dir);  // answers *.spindle.test with 127.0.0.1
  auto google = startStub(dir, "udp-blackhole", {}, /*udp=*/true);
  ASSERT_TRUE(plant && google);
  const std::uint16_t hubPort = freePort();
  Process hub({natsServer, "-a", "127.0.0.1", "-p", std::to_string(hubPort)}, dir / "hub.out",
              dir / "hub.err");
  ASSERT_TRUE(eventually([&] { return tcpOpen(hubPort); }, 10s)) << readFile(dir / "hub.err");

  const std::string config = dir.write(
      "spindle.yaml",
      "edge:\n  id: e1\n  data_dir: " + (dir / "data") + "\n  status_interval: 0s\n" +
          "net:\n  dns_preferred: [127.0.0.1:" + std::to_string(google->port) +
          "]\n  dns_servers: [127.0.0.1:" + std::to_string(plant->port) +
          "]\n  resolv_conf: \"\"\n  dns_timeout: 300ms\n  ntp_servers: []\n" +
          "web:\n  enabled: false\n  management:\n    enabled: false\n" +
          "uplinks:\n  nats:\n    servers: [nats://hub.spindle.test:" + std::to_string(hubPort) +
          "]\n" + "machines:\n  - {id: m1, type: shdr, host: 127.0.0.1, port: " +
          std::to_string(freePort()) + "}\n");
  Process spindle({SPINDLE_BINARY, "run", "--config", config, "--for", "3s"}, dir / "run.out",
                  dir / "run.err");
  EXPECT_EQ(spindle.wait(std::chrono::seconds(20)), 0) << readFile(dir / "run.err");
  const std::string log = readFile(dir / "run.err");
  EXPECT_NE(log.find("cloud link: hub.spindle.test = 127.0.0.1"), std::string::npos) << log;
  EXPECT_NE(log.find("NATS connected to nats://127.0.0.1:" + std::to_string(hubPort)),
            std::string::npos)
      << log;
}

}  // namespace
}  // namespace spindle::testing
