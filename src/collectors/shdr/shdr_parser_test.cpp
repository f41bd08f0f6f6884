// Streaming behaviour of the SHDR codec: lines split across reads, CR LF, learned kinds.

#include "collectors/shdr/shdr_parser.hpp"

#include <gtest/gtest.h>

namespace spindle::collectors::shdr {
namespace {

struct Fixture {
  model::ItemCatalog catalog;
  model::MachineId machine = catalog.addMachine("m");
};

TEST(ShdrParser, LinesSplitAcrossReadsAreJoined) {
  Fixture f;
  ShdrParser parser(f.catalog, f.machine);
  ParseOutput out;
  const std::string text = "2024-05-01T12:00:00Z|a|1|b|two\r\n2024-05-01T12:00:01Z|a|3\n";
  for (char c : text) parser.feed(std::string_view(&c, 1), 0, out);
  ASSERT_EQ(out.observations.size(), 3u);
  EXPECT_EQ(std::get<std::string>(out.observations[1].value), "two");
  EXPECT_EQ(std::get<std::int64_t>(out.observations[2].value), 3);
  EXPECT_TRUE(out.rejections.empty());
}

// Keys in the same order line after line, then in another order, fewer, more, and a key
// that is a prefix of another: each value lands on its own item.
TEST(ShdrParser, KeysInAnyOrderLandOnTheirItems) {
  Fixture f;
  ShdrParser parser(f.catalog, f.machine);
  ParseOutput out;
  parser.feed(
      "|a|1|b|2|c|3\n|a|4|b|5|c|6\n|c|7|a|8\n|b|9|ab|10|a|11|c|12\n"
      "|x|NORMAL||||\n|a|13|x|FAULT|1|||boom|b|14\n",
      0, out);
  std::vector<std::string> got;
  for (const auto& o : out.observations) {
    std::string v = std::holds_alternative<std::int64_t>(o.value)
                        ? std::to_string(std::get<std::int64_t>(o.value))
                        : "cond";
    got.push_back(std::string(f.catalog.item(o.item).key) + "=" + v);
  }
  EXPECT_EQ(
      got, (std::vector<std::string>{"a=1", "b=2", "c=3", "a=4", "b=5", "c=6", "c=7", "a=8", "b=9",
                                     "ab=10", "a=11", "c=12", "x=cond", "a=13", "x=cond", "b=14"}));
  EXPECT_TRUE(out.rejections.empty());
}

// A new key the catalog refuses (the machine's max_keys) is rejected with the rest of its line,
// counted by the catalog; known keys keep parsing and nothing throws.
TEST(ShdrParser, KeysTheCatalogRefusesRejectTheRestOfTheLine) {
  Fixture f;
  f.catalog.setMachineLimit(f.machine, 1);
  ShdrParser parser(f.catalog, f.machine);
  ParseOutput out;
  parser.feed("2024-05-01T12:00:00Z|a|1|b|2\n2024-05-01T12:00:01Z|a|3\n", 0, out);
  ASSERT_EQ(out.observations.size(), 2u);
  EXPECT_EQ(std::get<std::int64_t>(out.observations[1].value), 3);
  ASSERT_EQ(out.rejections.size(), 1u);
  EXPECT_NE(out.rejections[0].reason.find("max_keys (1)"), std::string::npos)
      << out.rejections[0].reason;
  EXPECT_EQ(parser.stats().itemsRefused, 0u);
  EXPECT_EQ(f.catalog.machineKeys(f.machine).refused, 1u);
}

TEST(ShdrParser, IncompleteLineWaitsAndResetForgetsIt) {
  Fixture f;
  ShdrParser parser(f.catalog, f.machine);
  ParseOutput out;
  parser.feed("2024-05-01T12:00:00Z|a|1", 0, out);
  EXPECT_TRUE(out.observations.empty());
  parser.resetStream();
  parser.feed("2024-05-01T12:00:00Z|b|2\n", 0, out);
  ASSERT_EQ(out.observations.size(), 1u);
  EXPECT_EQ(f.catalog.item(out.observations[0].item).key, "b");
}

TEST(ShdrParser, DeclaredKindsOverrideInference) {
  Fixture f;
  ParserOptions options;
  options.kinds["alarm"] = model::Kind::kCondition;
  options.kinds["partcount"] = model::Kind::kEvent;
  ShdrParser parser(f.catalog, f.machine, options);
  ParseOutput out;
  // NORMAL with a native code would not be inferred as a condition; declared, it is.
  parser.feed("2024-05-01T12:00:00Z|alarm|NORMAL|E1|||\n2024-05-01T12:00:00Z|partcount|5\n", 0,
              out);
  ASSERT_EQ(out.observations.size(), 2u);
  EXPECT_EQ(out.observations[0].kind, model::Kind::kCondition);
  EXPECT_EQ(out.observations[1].kind, model::Kind::kEvent);
  EXPECT_EQ(std::get<std::int64_t>(out.observations[1].value), 5);
}

TEST(ShdrParser, KnownItemsListsEveryKeyWithItsKind) {
  Fixture f;
  ShdrParser parser(f.catalog, f.machine);
  ParseOutput out;
  parser.feed("2024-05-01T12:00:00Z|a|1\n2024-05-01T12:00:00Z|c|FAULT|x|1||t\n", 0, out);
  auto items = parser.knownItems();
  ASSERT_EQ(items.size(), 2u);
  int conditions = 0;
  for (const auto& [id, kind] : items) conditions += kind == model::Kind::kCondition;
  EXPECT_EQ(conditions, 1);
}

TEST(ShdrParser, OverlongLineIsRejectedAndTheNextOneParsed) {
  Fixture f;
  ParserOptions options;
  options.maxLineBytes = 64;
  ShdrParser parser(f.catalog, f.machine, options);
  ParseOutput out;
  parser.feed(std::string(100, 'x'), 0, out);  // no newline yet: buffered, then refused
  parser.feed(std::string(100, 'y') + "\n2024-05-01T12:00:00Z|a|1\n", 0, out);
  ASSERT_EQ(out.rejections.size(), 1u);
  EXPECT_NE(out.rejections[0].reason.find("longer than 64 bytes"), std::string::npos);
  ASSERT_EQ(out.observations.size(), 1u);
  EXPECT_EQ(parser.stats().rejected, 1u);
}

TEST(ShdrParser, ArbitraryBytesNeverCrash) {
  Fixture f;
  ShdrParser parser(f.catalog, f.machine);
  ParseOutput out;
  std::uint64_t x = 88172645463325252ULL;
  std::string junk;
  for (int i = 0; i < 200000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const char alphabet[] = "|\n\"\\=@*{}' 0123456789.:-TZabcNORMALFAULT";
    junk.push_back(alphabet[x % (sizeof alphabet - 1)]);
  }
  parser.feed(junk, 0, out);
  EXPECT_GT(parser.stats().lines, 100u);
}

}  // namespace
}  // namespace spindle::collectors::shdr
