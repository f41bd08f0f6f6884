#include "web/mtconnect/device_model.hpp"

#include <gtest/gtest.h>

namespace spindle::web::mtconnect {
namespace {

TEST(MtconnectDeviceModel, UuidsAreStableAndDistinct) {
  EXPECT_EQ(stableUuid("a"), stableUuid("a"));
  EXPECT_NE(stableUuid("a"), stableUuid("b"));
  EXPECT_EQ(stableUuid("a").size(), 36u);
  EXPECT_EQ(stableUuid("a")[14], '5');
}

TEST(MtconnectDeviceModel, TypesFromTheCatalogWellKnownKeysOrTheExtensionNamespace) {
  model::ItemCatalog catalog;
  const auto m = catalog.addMachine("7-mill");
  catalog.intern(m, "execution").value();
  catalog.intern(m, "Xact", model::Kind::kSample).value();
  catalog.intern(m, "coolant temp", model::Kind::kSample).value();
  catalog.intern(m, "door", model::Kind::kEvent).value();
  catalog.intern(m, "vars", model::Kind::kDataSet).value();
  catalog.intern(m, "msg", model::Kind::kMessage).value();
  auto snap = DeviceModel(catalog, "e").snapshot();
  ASSERT_EQ(snap->devices.size(), 2u);
  EXPECT_EQ(snap->devices[1].id, "_7-mill");  // an XML ID cannot start with a digit
  std::map<std::string, const ItemMeta*> byName;
  for (const auto& i : snap->items) byName[std::string(i.name)] = &i;
  EXPECT_EQ(byName["execution"]->element, "Execution");
  EXPECT_EQ(byName["Xact"]->units, "MILLIMETER");
  EXPECT_EQ(byName["coolant temp"]->type, "x:COOLANT_TEMP");
  EXPECT_EQ(byName["coolant temp"]->element, "CommonSample");
  EXPECT_EQ(byName["coolant temp"]->id, "_7-mill_coolant_temp");
  EXPECT_EQ(byName["door"]->element, "StringEvent");
  EXPECT_EQ(byName["vars"]->element, "VariableDataSet");
  EXPECT_EQ(byName["msg"]->element, "Message");
  EXPECT_TRUE(byName["avail"]->synthetic);  // no availability item: one is derived
}

}  // namespace
}  // namespace spindle::web::mtconnect
