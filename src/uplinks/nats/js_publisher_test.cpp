// JetStreamPublisher across a rebuild of its connection, against a fake NATS server that never
// acknowledges: what waited for an ack on the closed connection completes at once as a failure
// (the uplink sends it again), and publishing goes on on the new connection.

#include "uplinks/nats/js_publisher.hpp"

#include <mutex>
#include <vector>

#include <gtest/gtest.h>

#include "uplinks/nats/testing/fake_nats_server.hpp"

namespace spindle::uplinks::nats {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::FakeNatsServer;

TEST(NatsJetStreamPublisherRebuild, WhatWaitedOnTheClosedConnectionFailsAndPublishingGoesOn) {
  FakeNatsServer server;
  server.refuse(false);
  ConnectionOptions o;
  o.servers = {server.url()};
  o.reconnectMin = 20ms;
  o.reconnectMax = 100ms;
  o.connectTimeout = 1s;
  NatsConnection connection(o, "e1");
  ASSERT_TRUE(connection.start());
  ASSERT_TRUE(eventually([&] { return connection.connected(); }, 10s));

  std::mutex mutex;
  std::vector<PublishCompletion> done;
  // The ack timeout is far away: only the rebuild can complete these.
  JetStreamPublisher publisher(connection, "", 60s, [&](const PublishCompletion& c) {
    std::lock_guard lock(mutex);
    done.push_back(c);
  });
  ASSERT_TRUE(publisher.start());
  for (std::uint64_t token = 1; token <= 3; ++token) {
    ASSERT_TRUE(publisher.publish("spindle.e1.data.m", {}, "x", token));
  }
  EXPECT_EQ(publisher.inFlight(), 3u);

  // The server drops the edge and refuses it twice: cnats closes the connection for good.
  server.refuse(true);
  ASSERT_TRUE(eventually([&] { return connection.status().rebuilds > 0; }, 10s));
  ASSERT_TRUE(eventually(
      [&] {
        std::lock_guard lock(mutex);
        return done.size() == 3;
      },
      5s));
  {
    std::lock_guard lock(mutex);
    for (const auto& c : done) {
      EXPECT_FALSE(c.ok);
      EXPECT_EQ(c.status, NATS_CONNECTION_CLOSED);
    }
    EXPECT_EQ(done[0].token + done[1].token + done[2].token, 6u);
  }
  EXPECT_EQ(publisher.inFlight(), 0u);
  EXPECT_EQ(publisher.inFlightBytes(), 0u);

  // Taken again: the next publish goes out on a context of the new connection.
  server.refuse(false);
  ASSERT_TRUE(eventually([&] { return connection.connected(); }, 10s));
  ASSERT_TRUE(publisher.publish("spindle.e1.data.m", {}, "y", 4));
  EXPECT_EQ(publisher.inFlight(), 1u);
  publisher.stop();  // drops it, no completion
  EXPECT_EQ(publisher.inFlight(), 0u);
  connection.stop();
  std::lock_guard lock(mutex);
  EXPECT_EQ(done.size(), 3u);
}

}  // namespace
}  // namespace spindle::uplinks::nats
