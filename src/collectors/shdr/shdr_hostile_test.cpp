// The shdr collector against a hostile adapter on loopback: endless new keys and condition
// codes, and command lines that flood and forge the log.

#include <gtest/gtest.h>

#include "base/testing/log_capture.hpp"
#include "collectors/shdr/shdr_collector.hpp"
#include "collectors/shdr/testing/loopback_options.hpp"
#include "collectors/testing/fake_context.hpp"
#include "collectors/testing/line_server.hpp"
#include "collectors/testing/wait_until.hpp"

namespace spindle::collectors::shdr {
namespace {

using testing::FakeContext;
using testing::LineServer;
using namespace std::chrono_literals;
using testing::optionsFor;
using testing::waitUntil;

TEST(ShdrHostile, NewKeysStopAtMaxItemsAndKnownItemsKeepWorking) {
  LineServer server;
  FakeContext ctx("keys-flood");
  ShdrOptions options = optionsFor(server);
  options.maxItems = 50;
  ShdrCollector collector(options);
  ASSERT_TRUE(collector.start(ctx).ok());
  ASSERT_TRUE(waitUntil([&] { return server.connections() == 1; }));
  server.send("2024-05-01T12:00:00Z|execution|ACTIVE\n");
  ASSERT_TRUE(waitUntil([&] { return ctx.latestText("execution") == "ACTIVE"; }));
  std::string flood;
  for (int i = 0; i < 5000; ++i) flood += "2024-05-01T12:00:01Z|key" + std::to_string(i) + "|1\n";
  server.send(flood);
  server.send("2024-05-01T12:00:02Z|execution|READY\n");
  ASSERT_TRUE(waitUntil([&] { return ctx.latestText("execution") == "READY"; }));
  // execution, 49 new keys, and the collector's own connection_status.
  EXPECT_EQ(ctx.catalog().itemCount(), 51u);
  EXPECT_TRUE(waitUntil([&] { return ctx.refusals().items == 5000u - 49u; }))
      << ctx.refusals().items;
  collector.stop();
}

TEST(ShdrHostile, ConditionCodesPerItemAreBounded) {
  LineServer server;
  FakeContext ctx("codes-flood");
  ShdrOptions options = optionsFor(server);
  options.maxConditions = 8;
  ShdrCollector collector(options);
  ASSERT_TRUE(collector.start(ctx).ok());
  ASSERT_TRUE(waitUntil([&] { return server.connections() == 1; }));
  std::string flood;
  for (int i = 0; i < 1000; ++i) {
    flood += "2024-05-01T12:00:01Z|htemp|FAULT|C" + std::to_string(i) + "|1|HIGH|hot\n";
  }
  server.send(flood);
  server.send("2024-05-01T12:00:02Z|execution|READY\n");
  ASSERT_TRUE(waitUntil([&] { return ctx.latestText("execution") == "READY"; }));
  std::size_t conditions = 0;
  for (const auto& o : ctx.observations()) conditions += o.kind == model::Kind::kCondition;
  EXPECT_EQ(conditions, 8u);
  EXPECT_TRUE(waitUntil([&] { return ctx.refusals().conditions == 992u; }));
  collector.stop();
}

TEST(ShdrHostile, CommandLinesAreRateLimitedAndEscaped) {
  spindle::testing::LogCapture capture;
  LineServer server;
  FakeContext ctx("log-flood");
  ShdrCollector collector(optionsFor(server));
  ASSERT_TRUE(collector.start(ctx).ok());
  ASSERT_TRUE(waitUntil([&] { return server.connections() == 1; }));
  std::string flood;
  for (int i = 0; i < 20000; ++i) {
    flood += "* note: x\r2024-01-01 ERROR [collector.shdr.other] forged\x1b[2K\x07";
    flood.push_back('\0');
    flood += "\n";
  }
  server.send(flood);
  server.send("2024-05-01T12:00:02Z|execution|READY\n");
  ASSERT_TRUE(waitUntil([&] { return ctx.latestText("execution") == "READY"; }));
  const auto lines = capture.lines("collector.test.log-flood");
  std::size_t says = 0;
  for (const auto& line : lines) {
    if (line.find("adapter says") != std::string::npos) ++says;
    for (char c : line) {
      ASSERT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
          << "control byte " << int(c) << " in: " << line;
    }
  }
  EXPECT_GE(says, 1u);
  EXPECT_LE(says, 20u) << lines.size() << " lines logged";
  EXPECT_LE(lines.size(), 30u);
  collector.stop();
}

}  // namespace
}  // namespace spindle::collectors::shdr
