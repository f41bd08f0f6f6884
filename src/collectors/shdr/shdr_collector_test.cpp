// The shdr collector against a scripted adapter on loopback: data, bad lines, heartbeat loss,
// disconnects and a full pipeline.

#include "collectors/shdr/shdr_collector.hpp"

#include <gtest/gtest.h>

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

TEST(ShdrCollector, GarbageLineIsSkippedWithoutLosingTheRest) {
  LineServer server;
  FakeContext ctx;
  ShdrCollector collector(optionsFor(server));
  ASSERT_TRUE(collector.start(ctx).ok());
  ASSERT_TRUE(waitUntil([&] { return server.connections() == 1; }));
  ASSERT_TRUE(ctx.waitFor([&](const model::Batch& b) { return !b.empty(); }));  // ESTABLISHED
  server.send("2024-05-01T12:00:00Z|execution|ACTIVE|partcount|1\n");
  server.send("this is \x01 not SHDR at all\n");
  server.send("2024-05-01T12:00:01Z|execution|READY|partcount|2\n");
  ASSERT_TRUE(waitUntil([&] { return ctx.latestText("partcount") == "2"; }));
  EXPECT_EQ(ctx.latestText("execution"), "READY");
  EXPECT_EQ(ctx.countOf("execution", "ACTIVE"), 1u);
  collector.stop();
}

TEST(ShdrCollector, HeartbeatLossMarksItemsUnavailableAndReconnects) {
  LineServer server("* PONG 100");  // 100 ms heartbeat: silence of 200 ms means gone
  FakeContext ctx;
  ShdrCollector collector(optionsFor(server));
  ASSERT_TRUE(collector.start(ctx).ok());
  ASSERT_TRUE(waitUntil([&] { return server.connections() == 1; }));
  // The PONG goes out before the data line, so the collector knows the heartbeat once it has
  // the data (going silent before the PONG would leave it on the legacy 600 s limit).
  ASSERT_TRUE(waitUntil([&] { return server.pongs() == 1; }));
  server.send("2024-05-01T12:00:00Z|execution|ACTIVE|htemp|FAULT|HT|1|HIGH|hot\n");
  ASSERT_TRUE(waitUntil([&] { return ctx.latestText("execution") == "ACTIVE"; }));

  server.setSilent(true);  // socket stays open, but no PONG and no data
  ASSERT_TRUE(waitUntil([&] { return ctx.latestText("execution") == "UNAVAILABLE"; }, 5s));
  EXPECT_EQ(ctx.latestText("connection_status"), "CLOSED");
  EXPECT_EQ(ctx.countOf("htemp", "UNAVAILABLE"), 1u);

  server.setSilent(false);
  ASSERT_TRUE(waitUntil([&] { return server.connections() >= 2; }, 5s));
  server.send("2024-05-01T12:00:05Z|execution|READY\n");
  ASSERT_TRUE(waitUntil([&] { return ctx.latestText("execution") == "READY"; }));
  collector.stop();
}

TEST(ShdrCollector, DisconnectMarksItemsUnavailableAndReconnects) {
  LineServer server;
  FakeContext ctx;
  ShdrCollector collector(optionsFor(server));
  ASSERT_TRUE(collector.start(ctx).ok());
  ASSERT_TRUE(waitUntil([&] { return server.connections() == 1; }));
  server.send("2024-05-01T12:00:00Z|program|O1|Sspeed|1200\n");
  ASSERT_TRUE(waitUntil([&] { return ctx.latestText("program") == "O1"; }));
  server.closeClient();
  ASSERT_TRUE(waitUntil([&] { return ctx.latestText("Sspeed") == "UNAVAILABLE"; }));
  EXPECT_EQ(ctx.latestText("program"), "UNAVAILABLE");
  ASSERT_TRUE(waitUntil([&] { return server.connections() == 2; }));
  ASSERT_TRUE(waitUntil([&] { return ctx.latestText("connection_status") == "ESTABLISHED"; }));
  collector.stop();
}

TEST(ShdrCollector, FullPipelinePausesReadingAndLosesNothing) {
  LineServer server;
  FakeContext ctx;
  ShdrCollector collector(optionsFor(server));
  ASSERT_TRUE(collector.start(ctx).ok());
  ASSERT_TRUE(waitUntil([&] { return server.connections() == 1; }));
  ASSERT_TRUE(waitUntil([&] { return ctx.latestText("connection_status") == "ESTABLISHED"; }));
  ctx.setFull(true);
  for (int i = 1; i <= 500; ++i) {
    server.send("2024-05-01T12:00:00Z|seq|" + std::to_string(i) + "\n");
  }
  // The collector read lines and offered them (a refused batch), and none got through. It then
  // waits for the pipeline's call that there is room: no second offer before it.
  ASSERT_TRUE(waitUntil([&] { return ctx.refusedEmits() >= 1; }));
  EXPECT_EQ(ctx.latestText("seq"), "");
  ctx.setFull(false);
  ASSERT_TRUE(waitUntil([&] { return ctx.latestText("seq") == "500"; }));
  // Every value arrived once, in order.
  std::int64_t expected = 1;
  for (const auto& o : ctx.observations()) {
    if (ctx.catalog().item(o.item).key != "seq") continue;
    EXPECT_EQ(std::get<std::int64_t>(o.value), expected++);
  }
  EXPECT_EQ(expected, 501);
  collector.stop();
}

TEST(ShdrCollector, UnreachableAdapterRetriesWithoutEmitting) {
  std::uint16_t port;
  {
    LineServer probe;
    port = probe.port();
  }
  FakeContext ctx;
  ShdrOptions o;
  o.host = "127.0.0.1";
  o.port.value = port;
  o.reconnectMin = 10ms;
  o.reconnectMax = 20ms;
  ShdrCollector collector(o);
  ASSERT_TRUE(collector.start(ctx).ok());
  // Two refused connections handled (each ends in backoff), and nothing was emitted.
  ASSERT_TRUE(waitUntil([&] { return ctx.stateCount(ConnectionState::kBackoff) >= 2; }));
  EXPECT_TRUE(ctx.observations().empty());
  collector.stop();
}

}  // namespace
}  // namespace spindle::collectors::shdr
