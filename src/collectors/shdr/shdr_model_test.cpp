// What the SHDR codec tells the catalog about each item: the kind its first values show (for
// good), declared kinds, and the items of a device file matched by id or name with their
// native units converted.

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "collectors/shdr/shdr_options.hpp"
#include "collectors/shdr/shdr_parser.hpp"

namespace spindle::collectors::shdr {
namespace {

using model::Kind;

struct Fixture {
  model::ItemCatalog catalog;
  model::MachineId machine = catalog.addMachine("m");
  model::ItemId id(const char* key) { return catalog.intern(machine, key).value(); }
};

TEST(ShdrModel, TheFirstValuesSettleTheKindInTheCatalogAndItNeverChanges) {
  Fixture f;
  ShdrParser parser(f.catalog, f.machine);
  ParseOutput out;
  parser.feed(
      "2024-05-01T12:00:00Z|Xact|UNAVAILABLE|prog|UNAVAILABLE|htemp|UNAVAILABLE||||\n"
      "2024-05-01T12:00:01Z|Xact|12.5|prog|O100|htemp|NORMAL||||\n"
      "2024-05-01T12:00:02Z|Xact|broken|prog|42\n"
      "2024-05-01T12:00:03Z|servo|FAULT|1001|2|HIGH|overload\n",
      0, out);
  EXPECT_TRUE(out.rejections.empty());
  EXPECT_EQ(f.catalog.kind(f.id("Xact")), Kind::kSample);
  EXPECT_EQ(f.catalog.kind(f.id("prog")), Kind::kEvent);
  EXPECT_EQ(f.catalog.kind(f.id("htemp")), Kind::kCondition);
  EXPECT_EQ(f.catalog.kind(f.id("servo")), Kind::kCondition);
  // The later text of a sample stays a sample's observation (the MTConnect interface serves it
  // as UNAVAILABLE; the journal keeps the text).
  const auto& broken = out.observations[6];
  EXPECT_EQ(broken.item, f.id("Xact"));
  EXPECT_EQ(broken.kind, Kind::kSample);
  EXPECT_EQ(std::get<std::string>(broken.value), "broken");
  EXPECT_EQ(out.observations[7].kind, Kind::kEvent);  // prog's 42: still an event
}

TEST(ShdrModel, DeclaredKindsReachTheCatalog) {
  Fixture f;
  ParserOptions o;
  o.kinds["alarm"] = Kind::kCondition;
  o.kinds["count"] = Kind::kEvent;
  ShdrParser parser(f.catalog, f.machine, o);
  EXPECT_EQ(f.catalog.kind(f.id("alarm")), Kind::kCondition);
  ParseOutput out;
  parser.feed("2024-05-01T12:00:00Z|count|5\n", 0, out);
  EXPECT_EQ(f.catalog.kind(f.id("count")), Kind::kEvent);
}

constexpr const char* kDevice = R"(<MTConnectDevices xmlns="urn:mtconnect.org:MTConnectDevices:2.0">
<Devices><Device id="d" name="Mill" uuid="u"><DataItems>
 <DataItem id="av" name="avail" category="EVENT" type="AVAILABILITY"/>
 <DataItem id="feed" name="Fact" category="SAMPLE" type="PATH_FEEDRATE" units="MILLIMETER/SECOND"
           nativeUnits="FOOT/MINUTE"/>
 <DataItem id="x" name="Xpos" category="SAMPLE" type="POSITION" units="MILLIMETER"
           nativeUnits="INCH"/>
 <DataItem id="load" name="Sload" category="SAMPLE" type="LOAD" units="PERCENT" nativeScale="10"/>
 <DataItem id="Xpos" name="other" category="EVENT" type="PROGRAM"/>
 <DataItem id="logic" name="logic" category="CONDITION" type="LOGIC_PROGRAM"/>
</DataItems></Device></Devices></MTConnectDevices>)";

TEST(ShdrModel, DeviceFileItemsAreMatchedByIdOrNameAndConvertedToTheirUnits) {
  Fixture f;
  ParserOptions o;
  auto file = model::parseDeviceFile(kDevice, "");
  ASSERT_TRUE(file.ok()) << file.error().message();
  o.device = std::make_shared<const model::DeviceFile>(std::move(file).value());
  ShdrParser parser(f.catalog, f.machine, o);
  // Every item of the file is interned under its id with the file's description at once.
  EXPECT_EQ(f.catalog.machineKeys(f.machine).items, 6u);
  EXPECT_EQ(f.catalog.item(f.id("feed")).type, "PATH_FEEDRATE");
  EXPECT_EQ(f.catalog.kind(f.id("logic")), Kind::kCondition);
  EXPECT_EQ(f.catalog.item(f.id("feed")).fileItem, 1);
  ParseOutput out;
  parser.feed("2024-05-01T12:00:00Z|Fact|60|av|AVAILABLE|Xpos|PRG1|x|2|Sload|55|logic|NORMAL||||\n",
              0, out);
  ASSERT_TRUE(out.rejections.empty()) << out.rejections[0].reason;
  ASSERT_EQ(out.observations.size(), 6u);
  EXPECT_EQ(out.observations[0].item, f.id("feed"));
  EXPECT_DOUBLE_EQ(std::get<double>(out.observations[0].value), 304.8);  // 60 ft/min
  EXPECT_EQ(out.observations[1].item, f.id("av"));
  // "Xpos" is the id of the PROGRAM item (ids win over names, as the reference agent matches).
  EXPECT_EQ(out.observations[2].item, f.id("Xpos"));
  EXPECT_EQ(std::get<std::string>(out.observations[2].value), "PRG1");
  EXPECT_DOUBLE_EQ(std::get<double>(out.observations[3].value), 50.8);  // 2 in
  EXPECT_DOUBLE_EQ(std::get<double>(out.observations[4].value), 5.5);   // nativeScale 10
  EXPECT_EQ(out.observations[5].kind, Kind::kCondition);
  // Known items for UNAVAILABLE on loss: each file item once.
  EXPECT_EQ(parser.knownItems().size(), 6u);
}

// `spindle validate` reads the device file (relative to the configuration's folder) and says
// what is wrong with it.
TEST(ShdrModel, ValidateReadsTheDeviceFileAndRefusesABadOne) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("shdr_model_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "good.xml") << kDevice;
  std::ofstream(dir / "bad.xml") << "<MTConnectDevices><Devices><Device id='d' name='D'>"
                                    "<DataItems><DataItem id='a' type='X'/></DataItems>"
                                    "</Device></Devices></MTConnectDevices>";
  const std::string config = (dir / "spindle.yaml").string();
  auto check = [&](const std::string& yaml, ShdrOptions& o) {
    const YAML::Node block = YAML::Load(yaml);
    config::Diagnostics diags(config);
    o.deviceFile = block["device_file"] ? block["device_file"].as<std::string>() : "";
    o.device = block["device"] ? block["device"].as<std::string>() : "";
    o.host = "127.0.0.1";
    validate(o, block, diags);
    return diags.describe();
  };
  ShdrOptions good;
  EXPECT_EQ(check("{host: 127.0.0.1, device_file: good.xml}", good), "");
  ASSERT_NE(good.deviceModel, nullptr);
  EXPECT_EQ(good.deviceModel->name, "Mill");
  EXPECT_EQ(parserOptions(good).device, good.deviceModel);
  ShdrOptions bad;
  EXPECT_NE(check("{host: 127.0.0.1, device_file: bad.xml}", bad).find("category ''"),
            std::string::npos);
  ShdrOptions missing;
  EXPECT_NE(check("{host: 127.0.0.1, device_file: none.xml}", missing).find("cannot read"),
            std::string::npos);
  ShdrOptions wrong;
  EXPECT_NE(check("{host: 127.0.0.1, device_file: good.xml, device: Lathe}", wrong)
                .find("no device named 'Lathe'"),
            std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace spindle::collectors::shdr
