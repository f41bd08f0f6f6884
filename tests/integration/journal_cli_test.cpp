// `spindle journal inspect|verify|dump|export DIR` on journals made here: a sound one, a damaged
// one, and a directory that is not there.

#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "journal/compression.hpp"
#include "journal/cursor_file.hpp"
#include "journal/journal.hpp"
#include "journal/segment_reader.hpp"
#include "journal/testing/journal_testing.hpp"
#include "process.hpp"

namespace spindle::testing {
namespace {

namespace fs = std::filesystem;

class JournalCli : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("spindle_journal_cli_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
    journal::Settings s;
    s.dir = journalDir();
    s.sync = journal::SyncPolicy{journal::SyncMode::kAlways, {}};
    s.segmentSize = 8192;
    SystemClock clock;
    auto j = journal::Journal::open(s, clock);
    ASSERT_TRUE(j.ok());
    model::ItemCatalog catalog;
    for (int r = 0; r < 40; ++r) {
      auto b = journal::testing::sampleBatch(catalog, "mill-1", 10, r * 10);
      ASSERT_TRUE((*j)->append(b, catalog).ok());
    }
    fs::create_directories(fs::path(journalDir()) / "cursors");
    std::ofstream(fs::path(journalDir()) / "cursors" / "broken.cursor") << "not a cursor";
  }
  void TearDown() override { fs::remove_all(m_dir); }

  std::string journalDir() const { return (m_dir / "journal").string(); }

  struct Run {
    int code;
    std::string out;
    std::string err;
  };
  Run spindle(std::vector<std::string> args) {
    args.insert(args.begin(), SPINDLE_BINARY);
    const std::string out = (m_dir / "stdout").string();
    const std::string err = (m_dir / "stderr").string();
    Process p(args, out, err);
    const int code = p.wait(std::chrono::seconds(60));
    return {code, readFile(out), readFile(err)};
  }

  fs::path m_dir;
};

TEST_F(JournalCli, InspectListsSegmentsSequencesAndCursors) {
  auto r = spindle({"journal", "inspect", journalDir()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("00000000000000000001.seg"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("400 observations, sequences 1-400"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("broken"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("unreadable"), std::string::npos) << r.out;
}

TEST_F(JournalCli, VerifyTellsCleanFromDamagedWithThePosition) {
  auto clean = spindle({"journal", "verify", journalDir()});
  EXPECT_EQ(clean.code, 0) << clean.out << clean.err;
  EXPECT_NE(clean.out.find("verify: clean"), std::string::npos) << clean.out;

  const std::string seg = (fs::path(journalDir()) / "00000000000000000001.seg").string();
  auto reader = journal::SegmentReader::open(seg);
  ASSERT_TRUE(reader.ok());
  reader->next();
  const auto second = reader->next();
  ASSERT_EQ(second.kind, journal::SegmentEntry::Kind::kRecord);
  {
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(second.offset + journal::kRecordHeaderSize + 3));
    f.put('\x7f');
  }
  auto damaged = spindle({"journal", "verify", journalDir()});
  EXPECT_EQ(damaged.code, 1) << damaged.out;
  EXPECT_NE(damaged.out.find("damaged: offset " + std::to_string(second.offset)), std::string::npos)
      << damaged.out;
  EXPECT_NE(damaged.out.find("verify: DAMAGED"), std::string::npos) << damaged.out;
}

TEST_F(JournalCli, DumpPrintsJsonLinesFromASequence) {
  auto r = spindle({"journal", "dump", journalDir(), "--from", "5", "--limit", "3"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream lines(r.out);
  std::vector<std::string> all;
  for (std::string line; std::getline(lines, line);) all.push_back(line);
  ASSERT_EQ(all.size(), 3u) << r.out;
  EXPECT_EQ(all[0].rfind("{\"machine\":\"mill-1\",\"item\":\"k4\"", 0), 0u) << all[0];
  EXPECT_NE(all[0].find(",\"seq\":5}"), std::string::npos) << all[0];
  EXPECT_NE(all[2].find(",\"seq\":7}"), std::string::npos) << all[2];
}

TEST_F(JournalCli, ConsumersListsCursorsAndDropConsumerTakesEffectWhenTheJournalOpens) {
  {
    auto c =
        journal::CursorFile::open(journalDir() + "/cursors/gone.cursor", journal::posixFileIo());
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c->store(101, true).ok());
  }
  auto listed = spindle({"journal", "consumers", journalDir()});
  EXPECT_EQ(listed.code, 0) << listed.err;
  EXPECT_NE(listed.out.find("gone"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("300"), std::string::npos) << listed.out;         // lag: 401 - 101
  EXPECT_NE(listed.out.find("unreadable"), std::string::npos) << listed.out;  // broken.cursor

  auto unknown = spindle({"journal", "drop-consumer", journalDir(), "nobody"});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_NE(unknown.err.find("no consumer 'nobody'"), std::string::npos) << unknown.err;

  auto dropped = spindle({"journal", "drop-consumer", journalDir(), "gone"});
  EXPECT_EQ(dropped.code, 0) << dropped.err;
  EXPECT_NE(dropped.out.find("when it next opens the journal"), std::string::npos) << dropped.out;
  listed = spindle({"journal", "consumers", journalDir()});
  EXPECT_NE(listed.out.find("drop requested"), std::string::npos) << listed.out;

  // The journal takes the request: the consumer is dropped, counted, its cursor removed.
  journal::Settings s;
  s.dir = journalDir();
  s.consumers = {"file"};
  SystemClock clock;
  auto j = journal::Journal::open(s, clock);
  ASSERT_TRUE(j.ok());
  (*j)->poll();
  EXPECT_EQ((*j)->stats().droppedConsumers, 1u);
  EXPECT_FALSE(fs::exists(journalDir() + "/cursors/gone.cursor"));
  EXPECT_FALSE(fs::exists(journalDir() + "/cursors/gone.drop"));

  // While the journal is open (a running edge), a consumer it runs is refused.
  {
    auto c =
        journal::CursorFile::open(journalDir() + "/cursors/file.cursor", journal::posixFileIo());
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c->store(1, true).ok());
  }
  std::atomic<bool> stop{false};
  std::thread housekeeping([&] {
    while (!stop) {
      (*j)->poll();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  auto refused = spindle({"journal", "drop-consumer", journalDir(), "file"});
  stop = true;
  housekeeping.join();
  EXPECT_EQ(refused.code, 1) << refused.out;
  EXPECT_NE(refused.err.find("refused"), std::string::npos) << refused.err;
  EXPECT_TRUE(fs::exists(journalDir() + "/cursors/file.cursor"));
}

TEST_F(JournalCli, ExportWritesATimeRangeToAFileWithHeaderAndSummary) {
  // Every batch of SetUp is stamped 1970-01-01T00:00:00.001Z + i ms (i = 0..9): this range
  // holds i = 2 and 3 of each of the 40 batches, sequences r*10 + 3 and r*10 + 4.
  const std::string out = (m_dir / "range.jsonl").string();
  auto r = spindle({"journal", "export", journalDir(), "--from", "1970-01-01T00:00:00.003Z", "--to",
                    "1970-01-01T01:00:00.005+01:00", "--machine", "mill-1", "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("80 observations, sequences 3-394"), std::string::npos) << r.err;
  const std::string text = readFile(out);
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 81u) << text;
  EXPECT_EQ(lines[0].rfind("{\"schema\":\"spindle.export.v1\",\"journal\":\"", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find("\"from\":\"1970-01-01T00:00:00.003000Z\",\"to\":\"1970-01-01T00:00:00."
                          "005000Z\",\"machines\":[\"mill-1\"]}"),
            std::string::npos)
      << lines[0];
  EXPECT_NE(lines[1].find(",\"seq\":3}"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find(",\"seq\":4}"), std::string::npos) << lines[2];
  EXPECT_NE(lines[80].find(",\"seq\":394}"), std::string::npos) << lines[80];

  // --zstd to stdout: the same bytes once decompressed.
  auto packed = spindle({"journal", "export", journalDir(), "--from", "1970-01-01T00:00:00.003Z",
                         "--to", "1970-01-01T00:00:00.005Z", "--machine", "mill-1", "--zstd"});
  ASSERT_EQ(packed.code, 0) << packed.err;
  journal::Decompressor unzip;
  auto raw = unzip.decompress(packed.out, text.size());
  ASSERT_TRUE(raw.ok()) << raw.error().describe();
  EXPECT_EQ(std::string(raw.value()), text);

  auto bad = spindle({"journal", "export", journalDir(), "--from", "now", "--to", "1971-01-01"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("RFC 3339"), std::string::npos) << bad.err;
  auto empty = spindle({"journal", "export", journalDir(), "--from", "1971-01-01", "--to",
                        "1970-01-01", "--out", out});
  EXPECT_EQ(empty.code, 2);
  EXPECT_NE(empty.err.find("must be before"), std::string::npos) << empty.err;
  EXPECT_EQ(readFile(out), text);  // the earlier export is untouched
}

TEST_F(JournalCli, AMissingDirectoryIsAUsageError) {
  auto r = spindle({"journal", "verify", (m_dir / "nope").string()});
  EXPECT_EQ(r.code, 2);
  auto none = spindle({"journal"});
  EXPECT_EQ(none.code, 2);
}

}  // namespace
}  // namespace spindle::testing
