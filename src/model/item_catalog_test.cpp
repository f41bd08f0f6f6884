// The catalog's bound per machine: new keys beyond max_keys are refused as values (no throw),
// counted per machine, and never hide keys already interned.

#include "model/item_catalog.hpp"

#include <gtest/gtest.h>

namespace spindle::model {
namespace {

TEST(ItemCatalog, InternsOnceAndFindsAgain) {
  ItemCatalog catalog;
  const MachineId m = catalog.addMachine("mill");
  auto a = catalog.intern(m, "execution");
  ASSERT_TRUE(a.ok());
  auto again = catalog.intern(m, "execution", Kind::kSample);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *a);
  EXPECT_EQ(catalog.item(*a).kind, Kind::kEvent);  // the first description wins
  EXPECT_EQ(catalog.machineKeys(m).items, 1u);
}

// Machines beyond what the catalog holds are an error value (a journal can name them), never
// an exception in the data path; the ones admitted keep their ids.
TEST(ItemCatalog, MachinesBeyondTheLimitAreRefused) {
  ItemCatalog catalog;
  for (std::size_t i = 0; i < ItemCatalog::kMaxMachines; ++i) {
    ASSERT_TRUE(catalog.admitMachine("m" + std::to_string(i)).ok()) << i;
  }
  const auto refused = catalog.admitMachine("one-more");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().describe().find("at most 16384 machines"), std::string::npos);
  EXPECT_EQ(catalog.admitMachine("m7").value(), MachineId{7});
  EXPECT_EQ(catalog.machineCount(), ItemCatalog::kMaxMachines);
}

TEST(ItemCatalog, NewKeysBeyondTheMachineLimitAreRefusedAndCounted) {
  ItemCatalog catalog;
  const MachineId m = catalog.addMachine("mill");
  const MachineId other = catalog.addMachine("lathe");
  catalog.setMachineLimit(m, 3);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(catalog.intern(m, "k" + std::to_string(i)).ok());
  auto refused = catalog.intern(m, "k3");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message().find("max_keys (3)"), std::string::npos)
      << refused.error().message();
  EXPECT_FALSE(catalog.intern(m, "k4", Kind::kSample, "POSITION", "", "mm").ok());
  // What it holds is still found; another machine is not bounded by this one's limit.
  EXPECT_TRUE(catalog.intern(m, "k1").ok());
  EXPECT_TRUE(catalog.intern(other, "k3").ok());
  const MachineKeys keys = catalog.machineKeys(m);
  EXPECT_EQ(keys.items, 3u);
  EXPECT_EQ(keys.limit, 3u);
  EXPECT_EQ(keys.refused, 2u);
  EXPECT_EQ(keys.lastRefused, "k4");
  EXPECT_EQ(catalog.machineKeys(other).refused, 0u);
  EXPECT_EQ(catalog.itemCount(), 4u);
}

TEST(ItemCatalog, ALimitBelowWhatTheMachineHoldsKeepsItsKeys) {
  ItemCatalog catalog;
  const MachineId m = catalog.addMachine("mill");
  ASSERT_TRUE(catalog.intern(m, "a").ok());
  ASSERT_TRUE(catalog.intern(m, "b").ok());
  catalog.setMachineLimit(m, 1);
  EXPECT_TRUE(catalog.intern(m, "b").ok());
  EXPECT_FALSE(catalog.intern(m, "c").ok());
  // Keys read back from the journal were admitted when written: the machine's limit does
  // not apply to them.
  EXPECT_TRUE(catalog.internAdmitted(m, "c", Kind::kEvent).ok());
  EXPECT_EQ(catalog.machineKeys(m).items, 3u);
  catalog.setMachineLimit(m, 0);  // no bound of its own
  EXPECT_TRUE(catalog.intern(m, "d").ok());
}

}  // namespace
}  // namespace spindle::model
