// The catalog's bound per machine: new keys beyond max_keys are refused as values (no throw),
// counted per machine, and never hide keys already interned.

#include "model/item_catalog.hpp"

#include <string>
#include <vector>

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

// Texts are held once: like machines share their keys and types; a key is told apart by its
// machine; every item is found again after the index has grown many times, and the views
// handed out earlier stay valid while it grows.
TEST(ItemCatalog, SharedTextsAndAnIndexThatGrows) {
  ItemCatalog catalog;
  const MachineId a = catalog.addMachine("a");
  const MachineId b = catalog.addMachine("b");
  const ItemId ax =
      catalog.intern(a, "Xact", Kind::kSample, "POSITION", "ACTUAL", "MILLIMETER").value();
  const ItemId bx =
      catalog.intern(b, "Xact", Kind::kSample, "POSITION", "ACTUAL", "MILLIMETER").value();
  EXPECT_NE(ax, bx);
  const std::string_view firstKey = catalog.item(ax).key;
  EXPECT_EQ(firstKey.data(), catalog.item(bx).key.data());
  EXPECT_EQ(catalog.item(ax).type.data(), catalog.item(bx).type.data());
  EXPECT_EQ(catalog.item(bx).units, "MILLIMETER");
  EXPECT_TRUE(catalog.item(ax).subtype == "ACTUAL");
  std::vector<ItemId> ids;
  for (int i = 0; i < 3000; ++i)
    ids.push_back(catalog.intern(i % 2 ? a : b, "key" + std::to_string(i)).value());
  for (int i = 0; i < 3000; ++i) {
    const auto key = "key" + std::to_string(i);
    ASSERT_EQ(catalog.intern(i % 2 ? a : b, key).value(), ids[static_cast<std::size_t>(i)]);
    EXPECT_EQ(catalog.item(ids[static_cast<std::size_t>(i)]).key, key);
  }
  // The same key of the other machine is another item.
  EXPECT_NE(catalog.intern(a, "key0").value(), ids[0]);
  EXPECT_EQ(catalog.intern(a, "Xact").value(), ax);
  EXPECT_EQ(firstKey, "Xact");
  EXPECT_EQ(catalog.itemCount(), 3003u);
}

}  // namespace
}  // namespace spindle::model
