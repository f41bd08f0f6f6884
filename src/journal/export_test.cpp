// The export of a time range: exactly the observations stamped in [from, to), whatever segment
// or append time holds them; the machine filter; zstd; the atomic file; damage skipped and
// counted; bad times and ranges refused.

#include "journal/export.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "journal/compression.hpp"
#include "journal/journal.hpp"
#include "journal/segment_reader.hpp"
#include "journal/testing/journal_testing.hpp"

namespace spindle::journal {
namespace {

namespace fs = std::filesystem;
using testing::ManualClock;
using testing::TempDir;

constexpr TimestampNs kSecond = 1'000'000'000;
constexpr int kRecords = 30;
constexpr int kPerRecord = 10;

TimestampNs at(const char* text) { return parseExportTime(text).value(); }

class JournalExport : public ::testing::Test {
 protected:
  /// kRecords records of kPerRecord observations, machines m1 and m2 taking turns by record.
  /// Sequence s is stamped t0 + (s - 1) seconds and holds the value s. Then one backlog record
  /// (sequences 301-310, machine m1) appended last but stamped t0 + 100 s .. t0 + 109 s.
  void SetUp() override {
    Settings s;
    s.dir = m_dir.str();
    s.sync = SyncPolicy{SyncMode::kNever, {}};
    s.segmentSize = 1024;
    auto j = Journal::open(s, m_clock);
    ASSERT_TRUE(j.ok());
    const model::MachineId machines[] = {m_catalog.addMachine("m1"), m_catalog.addMachine("m2")};
    for (int r = 0; r <= kRecords; ++r) {
      const bool backlog = r == kRecords;
      const model::MachineId m = backlog ? machines[0] : machines[r % 2];
      model::Batch b;
      for (int i = 0; i < kPerRecord; ++i) {
        const std::int64_t seq = r * kPerRecord + i + 1;
        const std::int64_t stamp = backlog ? 100 + i : seq - 1;
        b.push_back({m, m_catalog.intern(m, "k" + std::to_string(i)).value(),
                     m_t0 + stamp * kSecond, model::Kind::kSample, 0, seq});
      }
      ASSERT_TRUE(j.value()->append(b, m_catalog).ok());
      m_clock.advance(std::chrono::hours(1));
    }
    ASSERT_TRUE(j.value()->commit().ok());
  }

  ExportRequest request(const char* from, const char* to) {
    ExportRequest r;
    r.dir = m_dir.str();
    r.from = at(from);
    r.to = at(to);
    return r;
  }

  /// The export as text; the summary in `summary`.
  std::string run(const ExportRequest& r, ExportSummary* summary = nullptr) {
    std::ostringstream out;
    auto s = exportJournal(r, out);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().describe());
    if (s.ok() && summary) *summary = s.value();
    return out.str();
  }

  static std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

  /// The "seq" of every line after the header.
  static std::vector<std::uint64_t> sequences(const std::string& text) {
    std::vector<std::uint64_t> out;
    const auto all = lines(text);
    for (std::size_t i = 1; i < all.size(); ++i) {
      const auto p = all[i].rfind(",\"seq\":");
      EXPECT_NE(p, std::string::npos) << all[i];
      if (p != std::string::npos) out.push_back(std::stoull(all[i].substr(p + 7)));
    }
    return out;
  }

  static std::vector<std::uint64_t> range(std::uint64_t from, std::uint64_t to) {
    std::vector<std::uint64_t> v;
    for (auto s = from; s <= to; ++s) v.push_back(s);
    return v;
  }

  /// The journal id as the header writes it.
  std::string journalId() {
    auto reader = SegmentReader::open(segments().front());
    const auto h = reader.value().header();
    return h ? fmt::format("{:016x}", h->journalId) : "";
  }

  std::vector<std::string> segments() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(m_dir.path())) {
      if (e.path().extension() == ".seg") out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  TempDir m_dir{"export"};
  ManualClock m_clock;
  model::ItemCatalog m_catalog;
  const TimestampNs m_t0 = at("2026-12-06T00:00:00Z");
};

TEST_F(JournalExport, ExactlyTheRangeFromInclusiveToExclusiveAcrossSegments) {
  ASSERT_GE(segments().size(), 3u);
  ExportSummary summary;
  // t0 + 50 s .. t0 + 120 s: sequences 51-120, and the backlog stamped inside the range
  // although it was appended hours after everything else.
  const std::string text = run(request("2026-12-06T00:00:50Z", "2026-12-06T00:02:00Z"), &summary);
  auto expected = range(51, 120);
  for (auto s : range(301, 310)) expected.push_back(s);
  EXPECT_EQ(sequences(text), expected);
  EXPECT_EQ(summary.observations, expected.size());
  EXPECT_EQ(summary.firstSequence, 51u);
  EXPECT_EQ(summary.lastSequence, 310u);
  EXPECT_EQ(summary.bytes, text.size());
  EXPECT_EQ(summary.scanned, (kRecords + 1u) * kPerRecord);
  EXPECT_EQ(summary.damagedRecords, 0u);

  const std::string j = journalId();
  ASSERT_EQ(j.size(), 16u);
  EXPECT_EQ(
      lines(text).front(),
      "{\"schema\":\"spindle.export.v1\",\"journal\":\"" + j +
          "\",\"from\":\"2026-12-06T00:00:50.000000Z\",\"to\":\"2026-12-06T00:02:00.000000Z\","
          "\"machines\":null}");
  // The same lines as `journal dump`: the first one of the range, field by field.
  EXPECT_EQ(
      lines(text)[1].rfind("{\"machine\":\"m2\",\"item\":\"k0\",\"ts\":\"2026-12-06T00:00:50", 0),
      0u)
      << lines(text)[1];
  EXPECT_NE(lines(text)[1].find("\"value\":51,\"seq\":51}"), std::string::npos) << lines(text)[1];

  // A boundary one nanosecond past a stamp excludes it; `to` at a stamp excludes it.
  auto r = request("2026-12-06T00:00:50.000000001Z", "2026-12-06T00:00:53Z");
  EXPECT_EQ(sequences(run(r)), range(52, 53));
  // Before everything and after everything: only the header.
  EXPECT_EQ(lines(run(request("2026-12-05", "2026-12-06"))).size(), 1u);
  EXPECT_EQ(lines(run(request("2026-12-07", "2026-12-08"))).size(), 1u);
}

TEST_F(JournalExport, MachineFilterKeepsOnlyTheNamedMachines) {
  auto r = request("2026-12-06", "2026-12-07");
  r.machines = {"m2", "absent"};
  r.edge = "edge-7";
  const std::string text = run(r);
  std::vector<std::uint64_t> expected;
  for (int rec = 1; rec < kRecords; rec += 2) {
    for (auto s : range(rec * kPerRecord + 1, rec * kPerRecord + kPerRecord)) expected.push_back(s);
  }
  EXPECT_EQ(sequences(text), expected);
  const auto header = lines(text).front();
  EXPECT_NE(header.find("\"edge\":\"edge-7\",\"journal\":"), std::string::npos) << header;
  EXPECT_NE(header.find("\"machines\":[\"m2\",\"absent\"]}"), std::string::npos) << header;
  for (const auto& line : lines(text)) {
    EXPECT_EQ(line.find("\"machine\":\"m1\""), std::string::npos) << line;
  }
}

TEST_F(JournalExport, ZstdRoundTripGivesThePlainExport) {
  auto r = request("2026-12-06", "2026-12-07");
  const std::string plain = run(r);
  r.zstd = true;
  ExportSummary summary;
  const std::string packed = run(r, &summary);
  EXPECT_EQ(summary.bytes, packed.size());
  EXPECT_LT(packed.size(), plain.size());
  Decompressor unzip;
  auto raw = unzip.decompress(packed, plain.size());
  ASSERT_TRUE(raw.ok()) << raw.error().describe();
  EXPECT_EQ(std::string(raw.value()), plain);
}

TEST_F(JournalExport, FileIsWrittenAtomicallyAndLeftAloneOnFailure) {
  TempDir outDir("export_out");
  const std::string path = (outDir.path() / "range.jsonl").string();
  auto r = request("2026-12-06", "2026-12-07");
  auto s = exportJournalToFile(r, path);
  ASSERT_TRUE(s.ok()) << s.error().describe();
  std::ifstream in(path, std::ios::binary);
  const std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(written, run(r));
  EXPECT_EQ(s.value().bytes, written.size());

  r.to = r.from;  // refused: the earlier export stays, no temporary file is left
  auto refused = exportJournalToFile(r, path);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);
  std::ifstream again(path, std::ios::binary);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(again)), std::istreambuf_iterator<char>()),
            written);
  EXPECT_EQ(std::distance(fs::directory_iterator(outDir.path()), fs::directory_iterator()), 1);
}

TEST_F(JournalExport, ACancelledExportStopsAndLeavesNoFile) {
  TempDir outDir("export_cancel");
  const std::string path = (outDir.path() / "range.jsonl").string();
  auto r = request("2026-12-06", "2026-12-07");
  std::atomic<bool> cancel{true};
  r.cancel = &cancel;
  auto s = exportJournalToFile(r, path);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(s.error().describe().find("cancelled"), std::string::npos) << s.error().describe();
  EXPECT_TRUE(fs::is_empty(outDir.path()));
  cancel = false;
  EXPECT_TRUE(exportJournalToFile(r, path).ok());
}

TEST_F(JournalExport, ADamagedRecordIsSkippedAndCounted) {
  const std::string seg = segments().front();
  auto reader = SegmentReader::open(seg);
  ASSERT_TRUE(reader.ok());
  const SegmentEntry first = reader.value().next();
  ASSERT_EQ(first.kind, SegmentEntry::Kind::kRecord);
  const SegmentEntry second = reader.value().next();
  ASSERT_EQ(second.kind, SegmentEntry::Kind::kRecord);
  ASSERT_EQ(second.header.firstSequence, 11u);
  {
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(second.offset + kRecordHeaderSize + 3));
    f.put('\x7f');
  }
  ExportSummary summary;
  const std::string text = run(request("2026-12-06T00:00:00Z", "2026-12-06T00:00:30Z"), &summary);
  auto expected = range(1, 10);
  for (auto s : range(21, 30)) expected.push_back(s);
  EXPECT_EQ(sequences(text), expected);
  EXPECT_EQ(summary.damagedRecords, 1u);
}

TEST(JournalExportTime, AcceptsRfc3339AndDates) {
  const TimestampNs midnight = 1796515200LL * kSecond;  // 2026-12-06T00:00:00Z
  EXPECT_EQ(at("2026-12-06"), midnight);
  EXPECT_EQ(at("2026-12-06T00:00:00Z"), midnight);
  EXPECT_EQ(at("2026-12-06t00:00:00z"), midnight);
  EXPECT_EQ(at("2026-12-06T05:00:00.25Z"), midnight + 5 * 3600 * kSecond + kSecond / 4);
  EXPECT_EQ(at("2026-12-06T07:00:00+02:00"), midnight + 5 * 3600 * kSecond);
  EXPECT_EQ(at("2026-12-05T23:30:00.000000001-05:30"), midnight + 5 * 3600 * kSecond + 1);
  EXPECT_EQ(formatExportTime(midnight + 1), "2026-12-06T00:00:00.000000001Z");
  EXPECT_EQ(formatExportTime(midnight), "2026-12-06T00:00:00.000000Z");
}

TEST(JournalExportTime, RefusesAnythingElseNamingTheAcceptedForms) {
  for (const char* bad :
       {"", "yesterday", "2026-12-06T05:00:00", "2026-12-06 05:00", "2026-02-30", "2026-13-01",
        "2026-12-06T25:00:00Z", "2026-12-06T05:00:00+2:00", "2026-12-06T05:00:00+24:00",
        "2026-12-06T05:00:00.Z", "1066-10-14", "12/06/2026"}) {
    auto t = parseExportTime(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(t.error().describe().find("RFC 3339"), std::string::npos) << t.error().describe();
    EXPECT_NE(t.error().describe().find("2026-12-06T05:00:00Z"), std::string::npos);
  }
  EXPECT_TRUE(parseExportTime("2028-02-29").ok());
  EXPECT_FALSE(parseExportTime("2026-02-29").ok());
}

TEST(JournalExportErrors, EmptyRangeAndMissingJournalExplainThemselves) {
  TempDir dir("export_errors");
  std::ostringstream out;
  ExportRequest r;
  r.dir = dir.str();
  r.from = r.to = at("2026-12-06");
  auto empty = exportJournal(r, out);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(empty.error().describe().find("must be before"), std::string::npos);

  r.to = at("2026-12-07");
  auto notAJournal = exportJournal(r, out);
  ASSERT_FALSE(notAJournal.ok());
  EXPECT_EQ(notAJournal.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(notAJournal.error().describe().find("no segment file"), std::string::npos);

  r.dir = (dir.path() / "nope").string();
  auto missing = exportJournal(r, out);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.error().describe().find("no such journal directory"), std::string::npos);
  EXPECT_TRUE(out.str().empty());
}

}  // namespace
}  // namespace spindle::journal
