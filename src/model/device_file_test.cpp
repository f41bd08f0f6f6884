// Device files: the chosen device, its components and data items, and clear errors.

#include "model/device_file.hpp"

#include <gtest/gtest.h>

#include "base/testing/fixtures.hpp"

namespace spindle::model {
namespace {

constexpr const char* kTwo = R"(<?xml version="1.0"?>
<MTConnectDevices xmlns="urn:mtconnect.org:MTConnectDevices:1.3">
 <Header creationTime="2020-01-01T00:00:00Z" sender="a" instanceId="1" version="1.3" bufferSize="1"/>
 <Devices>
  <Device id="d1" name="Mill" uuid="m-1">
   <Description manufacturer="X">A mill</Description>
   <DataItems><DataItem id="avail" name="avail" category="EVENT" type="AVAILABILITY"/></DataItems>
   <Components><Axes id="ax"><Components><Linear id="x" name="X">
    <DataItems>
     <DataItem id="xpos" name="Xact" category="SAMPLE" type="POSITION" subType="ACTUAL"
               units="MILLIMETER" nativeUnits="INCH"/>
     <DataItem id="xtravel" category="CONDITION" type="POSITION"/>
     <DataItem id="mode" category="EVENT" type="ROTARY_MODE"><Constraints><Value>SPINDLE</Value></Constraints></DataItem>
    </DataItems></Linear></Components></Axes></Components>
  </Device>
  <Device id="d2" name="Lathe" uuid="l-1"><DataItems/></Device>
 </Devices>
</MTConnectDevices>)";

TEST(DeviceFile, PicksTheNamedDeviceWithItsComponentsAndItems) {
  auto file = parseDeviceFile(kTwo, "Mill");
  ASSERT_TRUE(file.ok()) << file.error().message();
  EXPECT_EQ(file->version, "1.3");
  EXPECT_EQ(file->name, "Mill");
  EXPECT_EQ(file->uuid, "m-1");
  ASSERT_EQ(file->components.size(), 2u);
  EXPECT_EQ(file->components[0].element, "Axes");
  EXPECT_EQ(file->components[1].element, "Linear");
  EXPECT_EQ(file->components[1].parent, 0);
  ASSERT_EQ(file->items.size(), 4u);
  EXPECT_EQ(file->items[0].component, -1);
  const auto& x = file->items[1];
  EXPECT_EQ(x.name, "Xact");
  EXPECT_EQ(x.kind, Kind::kSample);
  EXPECT_EQ(x.nativeUnits, "INCH");
  EXPECT_EQ(x.component, 1);
  EXPECT_EQ(file->items[2].kind, Kind::kCondition);
  EXPECT_EQ(file->items[3].constantValue, "SPINDLE");
  EXPECT_NE(file->items[3].xml.find("<Constraints><Value>SPINDLE</Value></Constraints>"),
            std::string::npos)
      << file->items[3].xml;
  EXPECT_NE(file->description.find("A mill"), std::string::npos);
}

TEST(DeviceFile, SeveralDevicesNeedANameAndAWrongNameListsThem) {
  auto none = parseDeviceFile(kTwo, "");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message().find("Mill, Lathe"), std::string::npos);
  auto wrong = parseDeviceFile(kTwo, "Press");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message().find("no device named 'Press'"), std::string::npos);
  EXPECT_TRUE(parseDeviceFile(kTwo, "l-1").ok());  // by uuid
}

TEST(DeviceFile, BadDocumentsSayWhatIsWrong) {
  auto broken = parseDeviceFile("<MTConnectDevices>\n<Devices>\n</Device>", "");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message().find("line 3"), std::string::npos) << broken.error().message();
  auto streams = parseDeviceFile("<MTConnectStreams/>", "");
  ASSERT_FALSE(streams.ok());
  EXPECT_NE(streams.error().message().find("MTConnectDevices"), std::string::npos);
  auto dup = parseDeviceFile(
      "<MTConnectDevices><Devices><Device id='d' name='D'><DataItems>"
      "<DataItem id='a' category='EVENT' type='PROGRAM'/>"
      "<DataItem id='a' category='EVENT' type='LINE'/></DataItems></Device></Devices>"
      "</MTConnectDevices>",
      "");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message().find("two data items have the id 'a'"), std::string::npos);
  auto category = parseDeviceFile(
      "<MTConnectDevices><Devices><Device id='d' name='D'><DataItems>"
      "<DataItem id='a' category='SAMPEL' type='POSITION'/></DataItems></Device></Devices>"
      "</MTConnectDevices>",
      "");
  ASSERT_FALSE(category.ok());
  EXPECT_NE(category.error().message().find("category 'SAMPEL'"), std::string::npos);
}

TEST(DeviceFile, ReadsTheOkumaDemoDeviceAndEveryFixtureFile) {
  const std::string dir = testing::fixturePath("mtconnect/").string();
  SPINDLE_NEEDS_FIXTURE(std::filesystem::exists(dir + "Devices.xml"),
                        "fixture " << dir << "Devices.xml is absent");
  auto okuma = loadDeviceFile(dir + "Devices.xml", "OKUMA");
  ASSERT_TRUE(okuma.ok()) << okuma.error().message();
  EXPECT_EQ(okuma->version, "2.7");
  EXPECT_EQ(okuma->uuid, "OKUMA.123456");
  EXPECT_EQ(okuma->items.size(), 100u);
  EXPECT_FALSE(loadDeviceFile(dir + "Devices.xml", "").ok());  // two devices
  for (const char* name : {"haas.xml", "fanuc.xml", "data_set.xml"}) {
    auto f = loadDeviceFile(dir + name, "");
    EXPECT_TRUE(f.ok()) << name << ": " << f.error().message();
  }
  EXPECT_TRUE(loadDeviceFile(dir + "two_devices.xml", "Device2").ok());
  EXPECT_EQ(loadDeviceFile(dir + "no-such.xml", "").error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace spindle::model
