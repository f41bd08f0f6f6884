#include "uplinks/nats/nats_options.hpp"

#include <gtest/gtest.h>

#include "uplinks/nats/nats_connection.hpp"

namespace spindle::uplinks::nats {
namespace {

config::Diagnostics load(const std::string& yaml, NatsOptions& out) {
  config::Diagnostics d("spindle.yaml");
  const YAML::Node node = YAML::Load(yaml);
  optionTable().load(node, out, d, "uplinks.nats");
  if (d.empty()) validate(out, node, d);
  return d;
}

TEST(NatsOptions, LoadsEveryKeyWithUnits) {
  NatsOptions o;
  const auto d = load(
      "servers: [nats://127.0.0.1:4222, tls://hub.example.com:7422]\n"
      "name: edge-a\nuser: edge\npassword: secret\nreconnect_min: 100ms\nreconnect_max: 10s\n"
      "js_domain: hub\nmax_in_flight: 64\nmax_in_flight_bytes: 4MiB\nack_timeout: 2s\n"
      "max_batch: 500\ncompress_above: 8KiB\ncompression_level: 3\nbacklog_rate: 1000\n"
      "live_window: 500\nhf_items: [S1load, mill-1/Xload]\nhf_flush: 50ms\n",
      o);
  ASSERT_TRUE(d.empty()) << d.describe();
  EXPECT_EQ(o.servers.size(), 2u);
  EXPECT_EQ(o.name, "edge-a");
  EXPECT_EQ(o.reconnectMin, std::chrono::milliseconds(100));
  EXPECT_EQ(o.jsDomain, "hub");
  EXPECT_EQ(o.maxInFlightBytes.bytes, 4u << 20);
  EXPECT_EQ(o.compressAbove.bytes, 8192u);
  EXPECT_EQ(o.backlogRate, 1000);
  EXPECT_EQ(o.hfItems.size(), 2u);
}

TEST(NatsOptions, ReportsProblemsWithTheirPlace) {
  NatsOptions o;
  auto d = load("servers: [nats://a:1]\nmax_inflight: 3\n", o);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d.describe().find("did you mean 'max_in_flight'"), std::string::npos) << d.describe();
  EXPECT_NE(d.describe().find("spindle.yaml:2"), std::string::npos) << d.describe();

  NatsOptions o2;
  d = load("name: x\n", o2);
  EXPECT_NE(d.describe().find("missing required key 'servers'"), std::string::npos);

  NatsOptions o3;
  d = load(
      "servers: [http://a:1, nats-leaf://b:7422]\ntls_cert: /nonexistent.pem\n"
      "user: u\ncredentials: /nonexistent.creds\nreconnect_min: 5s\n"
      "reconnect_max: 1s\n",
      o3);
  const std::string text = d.describe();
  for (const char* expected :
       {"must start with nats://", "leaf-node URL", "tls_cert and tls_key", "choose one of",
        "not a readable file", "reconnect_max is shorter"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }

  NatsOptions o4;
  d = load("servers: [nats://a:1]\nmax_batch: 0\ncompression_level: 20\n", o4);
  EXPECT_NE(d.describe().find("'max_batch' in uplinks.nats must be 1 to 100000, not 0"),
            std::string::npos)
      << d.describe();
  EXPECT_NE(d.describe().find("'compression_level' in uplinks.nats must be 1 to 19, not 20"),
            std::string::npos)
      << d.describe();
}

TEST(NatsOptions, SubjectTokens) {
  EXPECT_TRUE(validSubjectToken("plant-7_edge"));
  EXPECT_FALSE(validSubjectToken(""));
  EXPECT_FALSE(validSubjectToken("a.b"));
  EXPECT_FALSE(validSubjectToken("a b"));
  EXPECT_FALSE(validSubjectToken("*"));
  EXPECT_FALSE(validSubjectToken(std::string(65, 'a')));
}

TEST(NatsConnectionBackoff, DoublesToTheCapWithJitter) {
  ConnectionOptions o;
  o.reconnectMin = std::chrono::milliseconds(100);
  o.reconnectMax = std::chrono::seconds(2);
  using std::chrono::milliseconds;
  EXPECT_EQ(NatsConnection::reconnectDelay(o, 1, 0.5), milliseconds(100));
  EXPECT_EQ(NatsConnection::reconnectDelay(o, 3, 0.5), milliseconds(400));
  EXPECT_EQ(NatsConnection::reconnectDelay(o, 50, 0.5), milliseconds(2000));
  EXPECT_EQ(NatsConnection::reconnectDelay(o, 1, 0.0), milliseconds(80));
  EXPECT_EQ(NatsConnection::reconnectDelay(o, 1, 1.0), milliseconds(120));
}

}  // namespace
}  // namespace spindle::uplinks::nats

namespace spindle::uplinks::nats {
namespace {

TEST(NatsLinkStatus, SaysWhetherTheHubIsUpSinceWhenAndTheLastAck) {
  constexpr TimestampNs kSecond = 1'000'000'000;
  const TimestampNs t = *parseTimestamp("2026-12-04T16:53:06Z");
  ConnectionStatus s;
  EXPECT_EQ(describeLink(s, 0, t), "hub not reached yet, connecting, no ack yet");
  s.connected = true;
  s.since = t;
  EXPECT_EQ(describeLink(s, t + 3 * kSecond, t + 5 * kSecond),
            "hub connected since 16:53:06 UTC, last ack 2s ago");
  EXPECT_EQ(describeLink(s, t + 5 * kSecond, t + 5 * kSecond + 1000),
            "hub connected since 16:53:06 UTC, last ack 0s ago");
  s.connected = false;
  s.since = t + 10 * kSecond;
  EXPECT_EQ(describeLink(s, t + 9 * kSecond, t + 44 * kSecond),
            "hub down since 16:53:16 UTC (34s), reconnecting, last ack 16:53:15 UTC");
  s.rebuilds = 3;  // the library closed it; the edge built new ones
  EXPECT_EQ(describeLink(s, 0, t + 44 * kSecond),
            "hub down since 16:53:16 UTC (34s), reconnecting (connection rebuilt 3x), no ack yet");
}

}  // namespace
}  // namespace spindle::uplinks::nats
