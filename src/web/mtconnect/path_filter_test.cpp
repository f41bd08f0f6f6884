#include "web/mtconnect/path_filter.hpp"

#include <gtest/gtest.h>

namespace spindle::web::mtconnect {
namespace {

class PathFilterTest : public ::testing::Test {
 protected:
  PathFilterTest() {
    const auto m1 = m_catalog.addMachine("m1");
    const auto m2 = m_catalog.addMachine("m2");
    m_catalog.intern(m1, "execution").value();
    m_catalog.intern(m1, "Sspeed", model::Kind::kSample).value();
    m_catalog.intern(m2, "execution").value();
    m_catalog.intern(m2, "system", model::Kind::kCondition).value();
  }
  std::vector<std::string> select(const std::string& path) {
    auto snap = DeviceModel(m_catalog, "e").snapshot();
    auto r = evaluatePath(*snap, path);
    EXPECT_TRUE(r.ok()) << r.error().describe();
    std::vector<std::string> ids;
    for (size_t i = 0; r.ok() && i < r->size(); ++i) {
      if ((*r)[i]) ids.push_back(snap->items[i].id);
    }
    return ids;
  }
  model::ItemCatalog m_catalog;
};

TEST_F(PathFilterTest, CommonForms) {
  EXPECT_EQ(select("//DataItem[@type=\"EXECUTION\"]"),
            (std::vector<std::string>{"m1_execution", "m2_execution"}));
  EXPECT_EQ(select("//Device[@name='m2']//DataItem[@category=\"CONDITION\"]"),
            (std::vector<std::string>{"m2_system"}));
  EXPECT_EQ(select("//DataItem[@type=\"ROTARY_VELOCITY\" or @type=\"SYSTEM\"]"),
            (std::vector<std::string>{"m1_Sspeed", "m2_system"}));
  EXPECT_EQ(select("//DataItem[@id=\"m1_Sspeed\"]|//DataItem[@name=\"system\"]"),
            (std::vector<std::string>{"m1_Sspeed", "m2_system"}));
  EXPECT_EQ(select("//Devices/Device[@uuid=\"nope\"]"), std::vector<std::string>{});
  EXPECT_EQ(select("//Agent//DataItem[@type=\"AVAILABILITY\"]"),
            (std::vector<std::string>{"spindle_agent_agent_avail"}));
  // Selecting a device selects all its items (its derived availability first).
  EXPECT_EQ(select("//Device[@name=\"m1\"]"),
            (std::vector<std::string>{"m1_execution", "m1_Sspeed", "m1_avail"}));
}

TEST_F(PathFilterTest, OutsideTheSubsetIsAnErrorWithAPosition) {
  model::ItemCatalog empty;
  auto snap = DeviceModel(empty, "e").snapshot();
  for (const char* bad : {"DataItem", "//DataItem[type='x']", "//DataItem[@type=x]",
                          "//DataItem[@type='x'", "//DataItem[@type='x'] junk"}) {
    auto r = evaluatePath(*snap, bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message().find("position"), std::string::npos);
  }
}

}  // namespace
}  // namespace spindle::web::mtconnect
