// Heartbeat JSON to a row: every field the table shows, tolerance of missing, null, mistyped
// and unknown fields, errors for what is not a heartbeat, and the silent/behind rules.

#include "fleet/edge_row.hpp"

#include <gtest/gtest.h>

namespace spindle::fleet {
namespace {

constexpr TimestampNs kSecond = 1'000'000'000;
constexpr TimestampNs kNow = 1'800'000'000 * kSecond;

const char* kFull = R"({"schema":"spindle.health.v1","edge":"plant-7","version":"0.1.0",
  "time":"2027-01-15T08:00:00.000000Z","uptime_s":3600.2,
  "config":{"version":"kv:12","source":"cloud","rejected_version":"kv:13","error":"bad"},
  "machines":[{"id":"mill-1","state":"connected"},{"id":"mill-2","state":"backoff"},
              {"id":"mill-3","state":"connected"}],
  "journal":{"depth":120,"age_s":0.4},
  "uplinks":[{"name":"nats","connected":true,"lag":120,"lag_s":0.02},
             {"name":"file","connected":false,"lag":7,"lag_s":3.5}],
  "clock_offset_ms":1.8,"update":{"running":"0.1.0","pending":"0.2.0"},
  "a_field_from_a_later_version":{"x":[1,2,3]}})";

TEST(EdgeRow, ReadsEveryFigureOfAFullHeartbeat) {
  auto row = parseHeartbeat(kFull, "ignored", kNow);
  ASSERT_TRUE(row) << row.error().describe();
  EXPECT_EQ(row->edge, "plant-7");
  EXPECT_EQ(row->version, "0.1.0");
  EXPECT_DOUBLE_EQ(row->uptimeSeconds.value(), 3600.2);
  EXPECT_EQ(row->machinesUp, 2);
  EXPECT_EQ(row->machinesTotal, 3);
  EXPECT_DOUBLE_EQ(row->journalAgeSeconds.value(), 0.4);
  EXPECT_EQ(row->uplinkLag.value(), 120u);
  EXPECT_DOUBLE_EQ(row->uplinkLagSeconds.value(), 3.5);
  EXPECT_EQ(row->uplinksDown, 1);
  EXPECT_DOUBLE_EQ(row->clockOffsetMs.value(), 1.8);
  EXPECT_EQ(row->sentAt, parseTimestamp("2027-01-15T08:00:00Z").value());
  EXPECT_EQ(row->receivedAt, kNow);
  EXPECT_EQ(row->configVersion, "kv:12");
  EXPECT_EQ(row->rejectedVersion, "kv:13");
  EXPECT_EQ(row->updateRunning, "0.1.0");
  EXPECT_EQ(row->updatePending, "0.2.0");
}

TEST(EdgeRow, MissingNullAndMistypedFieldsAreUnknown) {
  auto row = parseHeartbeat(
      R"({"version":7,"uptime_s":"long","machines":{"not":"a list"},"journal":null,
          "uplinks":[{"lag":"many"},3],"clock_offset_ms":null,"time":"yesterday"})",
      "e9", kNow);
  ASSERT_TRUE(row) << row.error().describe();
  EXPECT_EQ(row->edge, "e9");  // from the subject
  EXPECT_EQ(row->version, "");
  EXPECT_FALSE(row->uptimeSeconds);
  EXPECT_EQ(row->machinesTotal, 0);
  EXPECT_FALSE(row->journalAgeSeconds);
  EXPECT_FALSE(row->uplinkLag);
  EXPECT_FALSE(row->uplinkLagSeconds);
  EXPECT_FALSE(row->clockOffsetMs);
  EXPECT_EQ(row->sentAt, 0);
  EXPECT_FALSE(row->sentAgo(kNow));
}

TEST(EdgeRow, WhatIsNotAHeartbeatIsAnErrorValue) {
  for (const char* text : {"", "{", "not json", "[1,2]", "42", "\"text\""}) {
    auto row = parseHeartbeat(text, "e1", kNow);
    ASSERT_FALSE(row) << text;
    EXPECT_EQ(row.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(row.error().describe().find("heartbeat of e1"), std::string::npos);
  }
  auto nameless = parseHeartbeat("{}", "", kNow);
  ASSERT_FALSE(nameless);
  EXPECT_NE(nameless.error().describe().find("names no edge"), std::string::npos);
}

TEST(EdgeRow, EdgeOfSubject) {
  EXPECT_EQ(edgeOfSubject("spindle.plant-7.health"), "plant-7");
  EXPECT_EQ(edgeOfSubject("spindle.a.b.health"), "");
  EXPECT_EQ(edgeOfSubject("spindle..health"), "");
  EXPECT_EQ(edgeOfSubject("other.e1.health"), "");
  EXPECT_EQ(edgeOfSubject("spindle.e1.diag.status"), "");
}

TEST(EdgeRow, SilentAfterNoHeartbeatForTheThresholdThenBehindByJournalOrLag) {
  Thresholds t;  // 35 s silent, 60 s behind
  EdgeRow row;
  row.edge = "e1";
  row.receivedAt = kNow - 10 * kSecond;
  classify(row, kNow, t);
  EXPECT_EQ(row.state, EdgeState::kOk);
  EXPECT_EQ(row.why, "");

  row.journalAgeSeconds = 75;
  classify(row, kNow, t);
  EXPECT_EQ(row.state, EdgeState::kBehind);
  EXPECT_EQ(row.why, "journal 1m15s");

  row.journalAgeSeconds = 1;
  row.uplinkLagSeconds = 61;
  classify(row, kNow, t);
  EXPECT_EQ(row.state, EdgeState::kBehind);
  EXPECT_EQ(row.why, "uplink lag 1m01s");

  row.receivedAt = kNow - 36 * kSecond;  // silence wins over behind
  classify(row, kNow, t);
  EXPECT_EQ(row.state, EdgeState::kSilent);
  EXPECT_EQ(row.why, "no heartbeat for 36s");

  t.silentAfter = std::chrono::seconds(40);
  t.behindAfter = std::chrono::seconds(70);
  classify(row, kNow, t);
  EXPECT_EQ(row.state, EdgeState::kOk);
}

TEST(EdgeRow, ShortDurations) {
  EXPECT_EQ(shortDuration(0.04), "0.0s");
  EXPECT_EQ(shortDuration(0.4), "0.4s");
  EXPECT_EQ(shortDuration(42.9), "42s");
  EXPECT_EQ(shortDuration(252), "4m12s");
  EXPECT_EQ(shortDuration(7500), "2h05m");
  EXPECT_EQ(shortDuration(3 * 86400 + 4 * 3600 + 5), "3d04h");
  EXPECT_EQ(shortDuration(-1), "-");
}

}  // namespace
}  // namespace spindle::fleet
