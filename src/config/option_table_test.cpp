#include "config/option_table.hpp"

#include <gtest/gtest.h>

namespace spindle::config {
namespace {

struct Sample {
  std::string host;
  Port port{7878};
  Duration timeout = std::chrono::seconds(5);
  ByteSize limit{1024};
  bool verbose = false;
  std::string mode = "fast";
};

OptionTable<Sample> table() {
  OptionTable<Sample> t;
  t.required("host", &Sample::host, "the address");
  t.optional("port", &Sample::port, "7878", "the port");
  t.optional("timeout", &Sample::timeout, "5s", "how long");
  t.optional("limit", &Sample::limit, "1KiB", "how much");
  t.optional("verbose", &Sample::verbose, "false", "talk more");
  t.choice("mode", &Sample::mode, {"fast", "safe"}, "fast", "how");
  return t;
}

Diagnostics load(const std::string& yaml, Sample& out) {
  Diagnostics d("test.yaml");
  table().load(YAML::Load(yaml), out, d, "block");
  return d;
}

TEST(OptionTable, ReadsTypedValues) {
  Sample s;
  auto d = load("host: h\nport: 502\ntimeout: 250ms\nlimit: 2MiB\nverbose: true\nmode: safe\n", s);
  ASSERT_TRUE(d.empty()) << d.describe();
  EXPECT_EQ(s.host, "h");
  EXPECT_EQ(s.port.value, 502);
  EXPECT_EQ(s.timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(s.limit.bytes, 2u << 20);
  EXPECT_TRUE(s.verbose);
  EXPECT_EQ(s.mode, "safe");
}

TEST(OptionTable, UnknownKeyGetsLineAndSuggestion) {
  Sample s;
  auto d = load("host: h\nprot: 1\n", s);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d.items()[0].line, 2);
  EXPECT_EQ(d.items()[0].describe(),
            "test.yaml:2:1: unknown key 'prot' in block (did you mean 'port'?)");
}

TEST(OptionTable, WrongTypesAndMissingKeysAreAllReported) {
  Sample s;
  auto d = load("port: seventy\ntimeout: 5\nverbose: maybe\nmode: slow\nlimit: [1]\n", s);
  ASSERT_EQ(d.size(), 6u) << d.describe();
  const std::string all = d.describe();
  EXPECT_NE(all.find("test.yaml:1:7: 'port' in block must be an integer, not 'seventy'"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("'5' has no unit"), std::string::npos);
  EXPECT_NE(all.find("must be true or false"), std::string::npos);
  EXPECT_NE(all.find("'slow' is not allowed"), std::string::npos);
  EXPECT_NE(all.find("must be a size such as 512MiB, not a list"), std::string::npos);
  EXPECT_NE(all.find("missing required key 'host' in block (the address)"), std::string::npos);
}

TEST(OptionTable, PortRangeIsChecked) {
  Sample s;
  auto d = load("host: h\nport: 70000\n", s);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d.describe().find("between 1 and 65535"), std::string::npos);
}

TEST(OptionTable, PassThroughKeysAreLeftAlone) {
  Sample s;
  Diagnostics d("x");
  table().load(YAML::Load("host: h\nid: m1\n"), s, d, "block", {"id"});
  EXPECT_TRUE(d.empty()) << d.describe();
}

TEST(Diagnostics, ClosestMatchOnlySuggestsLikelyTypos) {
  EXPECT_EQ(closestMatch("hots", {"host", "port"}), "host");
  EXPECT_EQ(closestMatch("completely_different", {"host", "port"}), "");
}

}  // namespace
}  // namespace spindle::config

namespace spindle::config {
namespace {

struct Ranged {
  int count = 5;
  Duration wait = std::chrono::seconds(1);
  ByteSize size{4096};
};

TEST(OptionTable, BoundsRefuseValuesOutsideTheirRangeAndDescribeIt) {
  OptionTable<Ranged> t;
  t.optional("count", &Ranged::count, "5", "how many", {"0", "1000"});
  t.optional("wait", &Ranged::wait, "1s", "how long", {"10ms", ""});
  t.optional("size", &Ranged::size, "4KiB", "how big", {"1KiB", "1GiB"});
  Ranged r;
  Diagnostics d("test.yaml");
  t.load(YAML::Load("count: -3\nwait: 1ms\nsize: 2GiB\n"), r, d, "block");
  ASSERT_EQ(d.size(), 3u) << d.describe();
  EXPECT_EQ(d.items()[0].describe(), "test.yaml:1:8: 'count' in block must be 0 to 1000, not -3");
  EXPECT_EQ(d.items()[1].message, "'wait' in block must be at least 10ms, not 1ms");
  EXPECT_EQ(d.items()[2].message, "'size' in block must be 1KiB to 1GiB, not 2GiB");
  EXPECT_EQ(r.count, 5);  // refused values are not taken

  Diagnostics fine;
  t.load(YAML::Load("count: 0\nwait: 10ms\nsize: 1GiB\n"), r, fine, "block");
  EXPECT_TRUE(fine.empty()) << fine.describe();
  EXPECT_EQ(r.count, 0);
  EXPECT_EQ(t.describe()[1].bounds.describe(), "at least 10ms");
}

TEST(OptionTable, ABoundThatDoesNotParseIsAProgrammingError) {
  OptionTable<Ranged> t;
  EXPECT_THROW(t.optional("count", &Ranged::count, "5", "how many", {"five", ""}),
               std::logic_error);
}

}  // namespace
}  // namespace spindle::config
