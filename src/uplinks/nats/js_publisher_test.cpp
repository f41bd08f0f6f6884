// JetStreamPublisher across a rebuild of its connection, against a fake NATS server that never
// acknowledges: what waited for an ack on the closed connection completes at once as a failure
// (the uplink sends it again), and publishing goes on on the new connection.

#include "uplinks/nats/js_publisher.hpp"

#include <map>
#include <mutex>
#include <set>
#include <thread>
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

// A hub too busy to read: the client's socket buffers fill and a publish call blocks in the
// write while the ack timeouts of what it sent fire, its own message's among them. Each
// accepted publish completes exactly once, and no message is destroyed under the call (a
// 100-edge soak crashed in natsMsgHeader_encodedLen when the ack handler did that).
TEST(NatsJetStreamPublisherStall, AckTimeoutsWhileThePublishCallIsStillSendingCompleteOnce) {
  FakeNatsServer server;
  server.refuse(false);
  ConnectionOptions o;
  o.servers = {server.url()};
  o.connectTimeout = 1s;
  NatsConnection connection(o, "e1");
  ASSERT_TRUE(connection.start());
  ASSERT_TRUE(eventually([&] { return connection.connected(); }, 10s));
  server.stall(true);

  std::mutex mutex;
  std::map<std::uint64_t, int> completions;
  JetStreamPublisher publisher(connection, "", 100ms, [&](const PublishCompletion& c) {
    std::lock_guard lock(mutex);
    ++completions[c.token];
  });
  ASSERT_TRUE(publisher.start());
  // 64 x 512 KiB: far more than loopback's socket buffers hold.
  const std::string body(512 * 1024, 'x');
  std::set<std::uint64_t> accepted;
  std::thread writer([&] {
    for (std::uint64_t token = 1; token <= 64; ++token) {
      if (publisher.publish("spindle.e1.data.m", {{"Nats-Msg-Id", std::to_string(token)}}, body,
                            token)) {
        accepted.insert(token);
      }
    }
  });
  const bool early = eventually([&] { return publisher.earlyCompletions() > 0; }, 20s);
  server.stall(false);  // the writes go through: the writer ends
  writer.join();
  ASSERT_TRUE(early) << "no ack timeout fired while a publish call was sending";
  ASSERT_TRUE(eventually([&] { return publisher.inFlight() == 0; }, 10s));
  EXPECT_EQ(publisher.inFlightBytes(), 0u);
  publisher.stop();
  connection.stop();
  std::lock_guard lock(mutex);
  EXPECT_FALSE(accepted.empty());
  for (const auto token : accepted) EXPECT_EQ(completions[token], 1) << "token " << token;
  for (const auto& [token, n] : completions) EXPECT_TRUE(accepted.count(token)) << token;
}

}  // namespace
}  // namespace spindle::uplinks::nats
