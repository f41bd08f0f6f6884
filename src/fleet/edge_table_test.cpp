// The fleet table: filters (substring, glob, behind, silent), sort orders, the aligned text
// and the JSON.

#include "fleet/edge_table.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace spindle::fleet {
namespace {

constexpr TimestampNs kSecond = 1'000'000'000;
constexpr TimestampNs kNow = 1'800'000'000 * kSecond;

EdgeRow row(const std::string& edge, const std::string& version, double journalAge, double lag,
            double seenAgo, EdgeState state) {
  EdgeRow r;
  r.edge = edge;
  r.version = version;
  r.uptimeSeconds = 3600;
  r.machinesUp = 4;
  r.machinesTotal = 5;
  r.journalAgeSeconds = journalAge;
  r.uplinkLag = 10;
  r.uplinkLagSeconds = lag;
  r.clockOffsetMs = 1.8;
  r.receivedAt = kNow - static_cast<TimestampNs>(seenAgo * 1e9);
  r.sentAt = r.receivedAt;
  r.state = state;
  return r;
}

std::vector<EdgeRow> fleet() {
  return {row("plant-2", "0.2.0", 5, 0.1, 1, EdgeState::kOk),
          row("plant-10", "0.1.0", 90, 0.2, 2, EdgeState::kBehind),
          row("lab-1", "0.2.0", 1, 80, 50, EdgeState::kSilent)};
}

std::vector<std::string> edges(const std::vector<EdgeRow>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.edge);
  return out;
}

TEST(EdgeTable, FiltersBySubstringGlobAndState) {
  using V = std::vector<std::string>;
  EXPECT_EQ(edges(selectRows(fleet(), {"plant"}, SortKey::kEdge)), (V{"plant-10", "plant-2"}));
  EXPECT_EQ(edges(selectRows(fleet(), {"*-1"}, SortKey::kEdge)), (V{"lab-1"}));
  EXPECT_EQ(edges(selectRows(fleet(), {"plant-?"}, SortKey::kEdge)), (V{"plant-2"}));
  EXPECT_EQ(edges(selectRows(fleet(), {"", true, false}, SortKey::kEdge)), (V{"plant-10"}));
  EXPECT_EQ(edges(selectRows(fleet(), {"", false, true}, SortKey::kEdge)), (V{"lab-1"}));
  EXPECT_EQ(edges(selectRows(fleet(), {"", true, true}, SortKey::kEdge)), (V{"lab-1", "plant-10"}));
  EXPECT_TRUE(selectRows(fleet(), {"nothing"}, SortKey::kEdge).empty());
}

TEST(EdgeTable, SortsByEachKeyWorstFirstForFigures) {
  using V = std::vector<std::string>;
  EXPECT_EQ(edges(selectRows(fleet(), {}, SortKey::kEdge)), (V{"lab-1", "plant-10", "plant-2"}));
  EXPECT_EQ(edges(selectRows(fleet(), {}, SortKey::kVersion)), (V{"plant-10", "lab-1", "plant-2"}));
  EXPECT_EQ(edges(selectRows(fleet(), {}, SortKey::kAge)), (V{"plant-10", "plant-2", "lab-1"}));
  EXPECT_EQ(edges(selectRows(fleet(), {}, SortKey::kLag)), (V{"lab-1", "plant-10", "plant-2"}));
  EXPECT_EQ(edges(selectRows(fleet(), {}, SortKey::kSeen)), (V{"lab-1", "plant-10", "plant-2"}));
  EXPECT_EQ(parseSortKey("lag").value(), SortKey::kLag);
  EXPECT_FALSE(parseSortKey("size"));
}

TEST(EdgeTable, RendersAlignedColumnsAndACount) {
  auto rows = selectRows(fleet(), {}, SortKey::kEdge);
  rows[1].why = "journal 1m30s";
  rows[2].rejectedVersion = "kv:4";
  const std::string text = renderTable(rows, kNow);
  const std::string expected =
      "EDGE      VERSION  UPTIME  MACHINES  JOURNAL  LAG       CLOCK   SEEN  STATE\n"
      "lab-1     0.2.0    1h00m   4/5       1.0s     10 1m20s  +1.8ms  50s   silent\n"
      "plant-10  0.1.0    1h00m   4/5       1m30s    10 0.2s   +1.8ms  2.0s  behind: journal "
      "1m30s\n"
      "plant-2   0.2.0    1h00m   4/5       5.0s     10 0.1s   +1.8ms  1.0s  ok (config kv:4 "
      "rejected)\n"
      "3 edges: 1 ok, 1 behind, 1 silent\n";
  EXPECT_EQ(text, expected);
}

TEST(EdgeTable, UnknownFiguresPrintAsDashesAndAFarClockIsNamed) {
  EdgeRow r;
  r.edge = "e1";
  r.receivedAt = kNow - 3 * kSecond;
  r.sentAt = kNow - 63 * kSecond;
  const std::string text = renderTable({r}, kNow);
  EXPECT_NE(text.find("e1    -        -       0/0       -        -    -      3.0s (sent 1m03s)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("1 edge: 1 ok"), std::string::npos);
}

TEST(EdgeTable, JsonHasEveryFigureAndNullForUnknown) {
  EdgeRow r = fleet()[0];
  r.clockOffsetMs.reset();
  const auto j = nlohmann::json::parse(renderJson({r}, kNow));
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["edge"], "plant-2");
  EXPECT_EQ(j[0]["machines_up"], 4);
  EXPECT_EQ(j[0]["machines_total"], 5);
  EXPECT_EQ(j[0]["journal_age_s"], 5.0);
  EXPECT_EQ(j[0]["uplink_lag"], 10);
  EXPECT_TRUE(j[0]["clock_offset_ms"].is_null());
  EXPECT_EQ(j[0]["state"], "ok");
  EXPECT_NEAR(j[0]["seen_s"].get<double>(), 1.0, 1e-6);
  EXPECT_FALSE(j[0].contains("config_rejected_version"));
}

}  // namespace
}  // namespace spindle::fleet
