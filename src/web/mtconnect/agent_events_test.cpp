// The Agent device's events: a device model that grows is announced (DEVICE_ADDED for a new
// machine, DEVICE_CHANGED for new items of a known one, the device's uuid as the value), the
// Header's deviceModelChangeTime follows, and instanceId stays while the edge runs.

#include <regex>

#include <gtest/gtest.h>

#include "web/mtconnect/device_model.hpp"
#include "web/testing/agent_fixture.hpp"

namespace spindle::web::mtconnect {
namespace {

using testing::AgentServiceTest;

std::string attribute(const std::string& body, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(body, m, std::regex(" " + name + "=\"([^\"]*)\""))) return "";
  return m[1];
}

/// The sequence of the first element `element` whose text is `text`; 0 when absent.
std::uint64_t sequenceOf(const std::string& body, const std::string& element,
                         const std::string& text) {
  std::smatch m;
  const std::regex re("<" + element + " [^>]*sequence=\"([0-9]+)\"[^>]*>" + text + "</" + element +
                      ">");
  if (!std::regex_search(body, m, re)) return 0;
  return std::stoull(m[1]);
}

std::string uuidOf(const char* machine) {
  return stableUuid(std::string("spindle-device:edge-1:") + machine);
}

class AgentEvents : public AgentServiceTest {};

TEST_F(AgentEvents, NewItemsAndMachinesAreAnnouncedBeforeTheirValues) {
  add(m_m1, "execution", model::Kind::kEvent, std::string("ACTIVE"), 0);
  std::string body = get("/sample?count=1000");
  // Both machines were there when the interface started; m1 then gained an item.
  EXPECT_NE(sequenceOf(body, "DeviceAdded", uuidOf("m1")), 0u) << body;
  EXPECT_NE(sequenceOf(body, "DeviceAdded", uuidOf("m2")), 0u);
  const auto changed = sequenceOf(body, "DeviceChanged", uuidOf("m1"));
  ASSERT_NE(changed, 0u) << body;
  EXPECT_LT(changed, sequenceOf(body, "Execution", "ACTIVE"));
  const std::string instance = attribute(body, "instanceId");
  const std::string time1 = attribute(body, "deviceModelChangeTime");
  const std::string next = attribute(body, "nextSequence");

  // A value of a known item changes nothing.
  add(m_m1, "execution", model::Kind::kEvent, std::string("READY"), 1);
  body = get("/sample?from=" + next);
  EXPECT_EQ(body.find("<DeviceChanged"), std::string::npos) << body;
  EXPECT_EQ(attribute(body, "deviceModelChangeTime"), time1);

  // A new item of m1: DEVICE_CHANGED again, and a later deviceModelChangeTime.
  add(m_m1, "Sload", model::Kind::kSample, 12.5, 2);
  body = get("/sample?from=" + next);
  const auto changedAgain = sequenceOf(body, "DeviceChanged", uuidOf("m1"));
  EXPECT_GT(changedAgain, changed) << body;
  EXPECT_LT(changedAgain, sequenceOf(body, "Load", "12.5"));
  EXPECT_GT(attribute(body, "deviceModelChangeTime"), time1);
  EXPECT_EQ(attribute(body, "instanceId"), instance);

  // A new machine: DEVICE_ADDED with its uuid; /probe lists it.
  const auto m3 = m_catalog.addMachine("m3");
  add(m3, "execution", model::Kind::kEvent, std::string("ACTIVE"), 3);
  body = get("/current");
  EXPECT_NE(sequenceOf(body, "DeviceAdded", uuidOf("m3")), 0u) << body;
  EXPECT_NE(sequenceOf(body, "DeviceChanged", uuidOf("m1")), 0u);
  EXPECT_NE(get("/probe").find(uuidOf("m3")), std::string::npos);
  // DEVICE_REMOVED: machines are never removed while the edge runs.
  EXPECT_NE(body.find("name=\"device_removed\">UNAVAILABLE</DeviceRemoved>"), std::string::npos);
  EXPECT_EQ(attribute(body, "instanceId"), instance);
}

TEST_F(AgentEvents, PathAndAtSelectTheAgentEvents) {
  add(m_m1, "execution", model::Kind::kEvent, std::string("ACTIVE"), 0);
  std::string body = get("/current?path=//DataItem[@type=\"DEVICE_CHANGED\"]");
  EXPECT_NE(sequenceOf(body, "DeviceChanged", uuidOf("m1")), 0u) << body;
  EXPECT_EQ(body.find("<Execution"), std::string::npos);
  EXPECT_EQ(body.find("<DeviceAdded"), std::string::npos);
  // As of the first sequence, only the first DEVICE_ADDED had happened.
  body = get("/current?at=" + attribute(body, "firstSequence"));
  EXPECT_NE(body.find("<DeviceAdded"), std::string::npos) << body;
  EXPECT_EQ(body.find("<Execution"), std::string::npos);
  EXPECT_NE(body.find("name=\"device_changed\">UNAVAILABLE</DeviceChanged>"), std::string::npos);
}

}  // namespace
}  // namespace spindle::web::mtconnect
