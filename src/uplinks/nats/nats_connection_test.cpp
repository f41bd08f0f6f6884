// NatsConnection's rebuild of a connection the library closed for good, against a fake NATS
// server on loopback that refuses (-ERR 'Authorization Violation') and later accepts: the
// rounds, the generations, the listeners and the life of the old connection.

#include "uplinks/nats/nats_connection.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "uplinks/nats/testing/fake_nats_server.hpp"

namespace spindle::uplinks::nats {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::FakeNatsServer;

TEST(NatsConnectionRebuild, ARefusedConnectionIsBuiltAgainUntilTheServerTakesIt) {
  FakeNatsServer server;
  ConnectionOptions o;
  o.servers = {server.url()};
  o.user = "e1";
  o.password = "pw";
  o.reconnectMin = 20ms;
  o.reconnectMax = 100ms;
  o.connectTimeout = 1s;
  NatsConnection connection(o, "e1");
  std::atomic<std::uint64_t> lastRebuild{0};
  std::atomic<int> rebuilds{0};
  connection.onRebuild([&](std::uint64_t generation) {
    // Called after the swap: the new connection is the current one.
    EXPECT_EQ(connection.generation(), generation);
    lastRebuild = generation;
    ++rebuilds;
  });
  const std::uint64_t removed = connection.onRebuild([](std::uint64_t) { FAIL(); });
  connection.removeRebuildListener(removed);

  // Refused at the first connect: cnats closes the connection; start() still succeeds.
  ASSERT_TRUE(connection.start());
  EXPECT_EQ(connection.generation(), 1u);
  NatsConnection::Ref first = connection.current();
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(eventually([&] { return rebuilds.load() >= 3; }, 10s))
      << "refused " << server.refused() << " times";
  EXPECT_FALSE(connection.connected());
  EXPECT_GE(connection.status().rebuilds, 3u);
  EXPECT_GE(connection.generation(), 4u);
  // The first connection, swapped out, lives on (closed) while a consumer holds it.
  EXPECT_NE(connection.current(), first);
  EXPECT_EQ(natsConnection_Status(first.get()), NATS_CONN_STATUS_CLOSED);
  first.reset();

  server.refuse(false);
  ASSERT_TRUE(eventually([&] { return connection.connected(); }, 10s));
  const std::uint64_t generation = connection.generation();
  EXPECT_EQ(lastRebuild.load(), generation);
  EXPECT_EQ(natsConnection_Status(connection.current().get()), NATS_CONN_STATUS_CONNECTED);
  std::this_thread::sleep_for(300ms);  // several rounds' time: no more rebuilds once up
  EXPECT_EQ(connection.generation(), generation);
  connection.stop();
  EXPECT_EQ(connection.current(), nullptr);
  EXPECT_FALSE(connection.connected());
}

TEST(NatsConnectionRebuild, RoundsGrowUntilAConnectionStaysUp) {
  ConnectionOptions o;
  o.reconnectMin = 100ms;
  o.reconnectMax = 2s;
  EXPECT_EQ(NatsConnection::nextRebuildRound(o, 0, 0ms), 1);  // never came up
  EXPECT_EQ(NatsConnection::nextRebuildRound(o, 1, 0ms), 2);
  EXPECT_EQ(NatsConnection::nextRebuildRound(o, 7, 500ms), 8);  // up, but not for long
  EXPECT_EQ(NatsConnection::nextRebuildRound(o, 7, 2s), 1);     // stayed up: a success
  EXPECT_EQ(NatsConnection::nextRebuildRound(o, 5000, 0ms), 1001);
  // The rounds feed the shared backoff: capped at reconnect_max.
  EXPECT_EQ(NatsConnection::reconnectDelay(o, NatsConnection::nextRebuildRound(o, 0, 0ms), 0.5),
            std::chrono::milliseconds(100));
  EXPECT_EQ(NatsConnection::reconnectDelay(o, 1001, 0.5), std::chrono::milliseconds(2000));
}

}  // namespace
}  // namespace spindle::uplinks::nats
