#include "netcheck/machine_targets.hpp"

#include <gtest/gtest.h>

#include "collectors/registry.hpp"

namespace spindle::netcheck {
namespace {

TEST(NetcheckMachineTargets, HostPortDefaultsAndUrls) {
  const YAML::Node root = YAML::Load(
      "machines:\n"
      "  - {id: mill-1, type: shdr, host: 10.0.0.5}\n"
      "  - {id: mill-2, type: shdr, host: 10.0.0.6, port: 7879}\n"
      "  - {id: robot, type: focas, host: 10.0.0.7}\n"
      "  - {id: agent, type: mtconnect_agent, url: 'http://10.0.0.8:5001/cell'}\n"
      "  - {id: off, type: shdr, host: 10.0.0.9, enabled: false}\n"
      "  - {id: nohost, type: shdr}\n"
      "  - {id: mystery, type: unknown_kind, host: 10.0.0.10}\n");
  // As a collector resolves it: its port when given, else its default.
  auto targets = machineTargets(root, [](const std::string& type, const YAML::Node& block) {
    if (type != "shdr") return std::uint16_t{0};
    return block["port"] ? block["port"].as<std::uint16_t>() : std::uint16_t{7878};
  });
  ASSERT_TRUE(targets.ok());
  ASSERT_EQ(targets->size(), 4u);
  EXPECT_EQ((*targets)[0].port, 7878);
  EXPECT_EQ((*targets)[1].port, 7879);
  EXPECT_EQ((*targets)[2].port, 8193) << "FANUC FOCAS, from the requirements sheet";
  EXPECT_EQ((*targets)[3].host, "10.0.0.8");
  EXPECT_EQ((*targets)[3].port, 5001);
}

TEST(NetcheckMachineTargets, PortsAreTheOnesTheCollectorsConnectTo) {
  collectors::Registry registry;
  collectors::registerBuiltinCollectors(registry);
  const YAML::Node root = YAML::Load(
      "machines:\n"
      "  - {id: haas, type: mtconnect_agent, vendor: haas_ngc, host: 10.0.0.11}\n"
      "  - {id: haas-url, type: mtconnect_agent, vendor: haas_ngc, url: 'http://10.0.0.12/'}\n"
      "  - {id: haas-port, type: mtconnect_agent, vendor: haas_ngc, host: 10.0.0.13, port: 81}\n"
      "  - {id: agent, type: mtconnect_agent, host: 10.0.0.14}\n"
      "  - {id: mill, type: shdr, host: 10.0.0.15}\n");
  auto targets = machineTargets(root, [&registry](const std::string& type, const YAML::Node& b) {
    return registry.resolvedPort(type, b);
  });
  ASSERT_TRUE(targets.ok());
  ASSERT_EQ(targets->size(), 5u);
  EXPECT_EQ((*targets)[0].port, 8082) << "the agent built into Haas NGC controls";
  EXPECT_EQ((*targets)[1].port, 8082);
  EXPECT_EQ((*targets)[1].host, "10.0.0.12");
  EXPECT_EQ((*targets)[2].port, 81);
  EXPECT_EQ((*targets)[3].port, 5000);
  EXPECT_EQ((*targets)[4].port, 7878);
}

TEST(NetcheckMachineTargets, SheetPorts) {
  EXPECT_EQ(sheetPort("sealevel"), 502);
  EXPECT_EQ(sheetPort("opcua"), 4840);
  EXPECT_EQ(sheetPort("mitsubishi"), 683);
  EXPECT_EQ(sheetPort("lsv2"), 19000);
  EXPECT_EQ(sheetPort("nothing"), 0);
  // Implemented collectors declare their port in their registration, not here.
  EXPECT_EQ(sheetPort("shdr"), 0);
  EXPECT_EQ(sheetPort("mtconnect_agent"), 0);
  EXPECT_EQ(sheetPort("haas"), 0);
  EXPECT_EQ(sheetPort("modbus_tcp"), 0);
  EXPECT_FALSE(machineTargets(YAML::Load("machines: 3"), nullptr).ok());
}

}  // namespace
}  // namespace spindle::netcheck
