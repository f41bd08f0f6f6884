// Damage on disk: torn tails, flipped bits in headers and payloads, garbage, broken segment
// headers. The journal always opens, keeps every sound record, counts and logs the rest with
// its position, and `verify` (inspectJournal with decoding) tells clean from damaged.

#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "journal/inspect.hpp"
#include "journal/journal.hpp"
#include "journal/journal_reader.hpp"
#include "journal/segment_reader.hpp"
#include "journal/testing/journal_testing.hpp"

namespace spindle::journal {
namespace {

namespace fs = std::filesystem;
using testing::intValue;
using testing::ManualClock;
using testing::TempDir;

constexpr int kRecords = 6;
constexpr int kPerRecord = 12;

class JournalCorruption : public ::testing::Test {
 protected:
  Settings settings() {
    Settings s;
    s.dir = m_dir.str();
    s.sync = SyncPolicy{SyncMode::kNever, {}};
    s.segmentSize = m_segmentSize;
    return s;
  }
  /// Writes kRecords records of kPerRecord observations; observation values are sequences.
  void build() {
    auto j = Journal::open(settings(), m_clock);
    ASSERT_TRUE(j.ok());
    const auto m = m_catalog.addMachine("m");
    for (int r = 0; r < kRecords; ++r) {
      model::Batch b;
      for (int i = 0; i < kPerRecord; ++i) {
        const std::int64_t seq = r * kPerRecord + i + 1;
        b.push_back({m, m_catalog.intern(m, "k" + std::to_string(i)).value(), seq,
                     model::Kind::kSample, 0, seq});
      }
      ASSERT_TRUE((*j)->append(b, m_catalog).ok());
    }
  }
  std::vector<std::string> segments() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(m_dir.path())) {
      if (e.path().extension() == ".seg") out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  /// Offsets of the sound records of a segment.
  std::vector<std::uint64_t> recordOffsets(const std::string& path) {
    auto reader = SegmentReader::open(path);
    std::vector<std::uint64_t> out;
    while (true) {
      const auto e = reader->next();
      if (e.kind == SegmentEntry::Kind::kEnd) break;
      if (e.kind == SegmentEntry::Kind::kRecord) out.push_back(e.offset);
    }
    return out;
  }
  static void flipBit(const std::string& path, std::uint64_t offset, int bit = 3) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ (1 << bit));
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(&c, 1);
  }
  /// Opens, reads everything from sequence 1, returns the values read.
  std::vector<std::int64_t> reopenAndRead(ReadChunk* total = nullptr) {
    auto j = Journal::open(settings(), m_clock);
    EXPECT_TRUE(j.ok());
    m_stats = (*j)->stats();
    JournalReader reader(**j, m_readCatalog, 1, makeLogger("test"));
    std::vector<std::int64_t> values;
    ReadChunk sum;
    while (true) {
      auto c = reader.read(5);
      sum.evicted += c.evicted;
      sum.damaged += c.damaged;
      if (c.observations.empty()) break;
      for (std::size_t i = 0; i < c.observations.size(); ++i) {
        EXPECT_EQ(intValue(c.observations[i]), static_cast<std::int64_t>(c.firstSequence + i));
        values.push_back(intValue(c.observations[i]));
      }
    }
    m_statsAfterRead = (*j)->stats();
    if (total) *total = sum;
    return values;
  }
  static std::vector<std::int64_t> range(std::int64_t from, std::int64_t to) {
    std::vector<std::int64_t> v;
    for (std::int64_t i = from; i <= to; ++i) v.push_back(i);
    return v;
  }
  JournalReport verify() {
    auto r = inspectJournal(m_dir.str(), true);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : JournalReport{};
  }

  TempDir m_dir{"corrupt"};
  ManualClock m_clock;
  model::ItemCatalog m_catalog, m_readCatalog;
  std::uint64_t m_segmentSize = 64 << 20;
  JournalStats m_stats, m_statsAfterRead;
};

TEST_F(JournalCorruption, ATornTailIsCutAtAnyLengthAndAppendsContinue) {
  build();
  const std::string seg = segments().back();
  const auto offsets = recordOffsets(seg);
  const std::uint64_t last = offsets.back();
  const std::uint64_t size = fs::file_size(seg);
  const std::string pristine = m_dir.str() + ".pristine";
  fs::copy(seg, pristine, fs::copy_options::overwrite_existing);
  for (const std::uint64_t cut : {last + 1, last + 20, last + 47, last + 48, last + 60, size - 1}) {
    fs::copy(pristine, seg, fs::copy_options::overwrite_existing);
    fs::resize_file(seg, cut);
    const auto report = verify();
    ASSERT_EQ(report.segments.size(), 1u);
    ASSERT_TRUE(report.segments[0].tornTail.has_value()) << cut;
    EXPECT_EQ(report.segments[0].tornTail->offset, last);
    EXPECT_TRUE(report.clean());
    EXPECT_EQ(reopenAndRead(), range(1, (kRecords - 1) * kPerRecord)) << cut;
    EXPECT_EQ(m_stats.tornBytes, cut - last);
    EXPECT_EQ(m_stats.corruptRecords, 0u);
    EXPECT_EQ(fs::file_size(seg), last);
    // The lost record was never durable: its sequences are taken again.
    auto j = Journal::open(settings(), m_clock);
    ASSERT_TRUE(j.ok());
    EXPECT_EQ((*j)->stats().nextSequence, (kRecords - 1) * kPerRecord + 1u);
  }
  fs::remove(pristine);
}

TEST_F(JournalCorruption, GarbageAfterTheLastRecordIsCut) {
  build();
  const std::string seg = segments().back();
  const std::uint64_t size = fs::file_size(seg);
  {
    std::ofstream f(seg, std::ios::app | std::ios::binary);
    const std::string zeros(4096, '\0');
    f << zeros;
  }
  EXPECT_EQ(reopenAndRead(), range(1, kRecords * kPerRecord));
  EXPECT_EQ(m_stats.tornBytes, 4096u);
  EXPECT_EQ(fs::file_size(seg), size);
  EXPECT_TRUE(verify().clean());
}

TEST_F(JournalCorruption, AFlippedHeaderBitLosesThatRecordOnly) {
  build();
  const std::string seg = segments().back();
  const auto offsets = recordOffsets(seg);
  testing::LogCapture log("journal");
  flipBit(seg, offsets[2] + 26);  // inside first_sequence of the third record
  const auto before = verify();
  EXPECT_FALSE(before.clean());
  ASSERT_EQ(before.segments[0].damage.size(), 1u);
  EXPECT_EQ(before.segments[0].damage[0].offset, offsets[2]);
  ReadChunk sum;
  auto values = reopenAndRead(&sum);
  auto expected = range(1, 2 * kPerRecord);
  for (auto v : range(3 * kPerRecord + 1, kRecords * kPerRecord)) expected.push_back(v);
  EXPECT_EQ(values, expected);
  EXPECT_EQ(sum.damaged, static_cast<std::uint64_t>(kPerRecord));
  EXPECT_EQ(m_stats.corruptRecords, 1u);           // found and counted when the journal opened
  EXPECT_EQ(m_statsAfterRead.corruptRecords, 1u);  // the reader's report is not counted twice
  EXPECT_NE(
      log.text().find("damaged record in " + seg + " at offset " + std::to_string(offsets[2])),
      std::string::npos)
      << log.text();
}

TEST_F(JournalCorruption, AFlippedPayloadBitLosesThatRecordOnly) {
  build();
  const std::string seg = segments().back();
  const auto offsets = recordOffsets(seg);
  flipBit(seg, offsets[1] + kRecordHeaderSize + 5);
  ReadChunk sum;
  auto values = reopenAndRead(&sum);
  auto expected = range(1, kPerRecord);
  for (auto v : range(2 * kPerRecord + 1, kRecords * kPerRecord)) expected.push_back(v);
  EXPECT_EQ(values, expected);
  EXPECT_EQ(sum.damaged, static_cast<std::uint64_t>(kPerRecord));
  const auto report = verify();
  ASSERT_EQ(report.segments[0].damage.size(), 1u);
  EXPECT_EQ(report.segments[0].damage[0].reason, "payload checksum mismatch");
}

TEST_F(JournalCorruption, ADamagedLastRecordIsCountedAndItsSequencesAreNotReused) {
  build();
  const std::string seg = segments().back();
  const auto offsets = recordOffsets(seg);
  flipBit(seg, offsets.back() + kRecordHeaderSize + 1);
  EXPECT_EQ(reopenAndRead(), range(1, (kRecords - 1) * kPerRecord));
  EXPECT_EQ(m_stats.corruptRecords, 1u);
  // A consumer may have delivered that record before the bit flipped: never reuse its numbers.
  EXPECT_EQ(m_stats.nextSequence, kRecords * kPerRecord + 1u);
}

TEST_F(JournalCorruption, DamageInASealedSegmentIsFoundWhenRead) {
  m_segmentSize = 4096;
  build();
  for (int i = 0; i < 3; ++i) {  // more records so there are sealed segments
    auto j = Journal::open(settings(), m_clock);
    const auto m = m_catalog.addMachine("m");
    for (int r = 0; r < 40; ++r) {
      const std::uint64_t first = (*j)->stats().nextSequence;
      model::Batch b;
      for (int k = 0; k < kPerRecord; ++k) {
        b.push_back({m, m_catalog.intern(m, "k").value(), 0, model::Kind::kSample, 0,
                     static_cast<std::int64_t>(first + k)});
      }
      ASSERT_TRUE((*j)->append(b, m_catalog).ok());
    }
  }
  const auto segs = segments();
  ASSERT_GE(segs.size(), 3u);
  const auto offsets = recordOffsets(segs[0]);
  flipBit(segs[0], offsets[1] + kRecordHeaderSize + 2);
  ReadChunk sum;
  const auto values = reopenAndRead(&sum);
  EXPECT_EQ(m_stats.corruptRecords, 0u);  // sealed segments are not scanned on open
  EXPECT_EQ(m_statsAfterRead.corruptRecords, 1u);
  EXPECT_EQ(sum.damaged, static_cast<std::uint64_t>(kPerRecord));
  EXPECT_EQ(values.size(), (kRecords + 120) * kPerRecord - kPerRecord);
}

TEST_F(JournalCorruption, ADamagedSegmentHeaderKeepsItsRecords) {
  build();
  const std::string seg = segments().back();
  flipBit(seg, 17);  // inside the segment header's first sequence
  EXPECT_EQ(reopenAndRead(), range(1, kRecords * kPerRecord));
  EXPECT_FALSE(verify().clean());
  auto j = Journal::open(settings(), m_clock);
  model::Batch b{{m_catalog.addMachine("m"), m_catalog.intern(0, "k").value(), 0,
                  model::Kind::kSample, 0, std::int64_t{73}}};
  auto r = (*j)->append(b, m_catalog);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->firstSequence, kRecords * kPerRecord + 1u);  // continued in a fresh segment
  EXPECT_EQ(segments().size(), 2u);
}

TEST_F(JournalCorruption, RandomGarbageAndEmptyFilesNeverStopTheJournal) {
  build();
  {
    std::mt19937 rng(11);
    std::ofstream f(m_dir.path() / "00000000000000100000.seg", std::ios::binary);
    for (int i = 0; i < 100000; ++i) f.put(static_cast<char>(rng()));
  }
  std::ofstream(m_dir.path() / "00000000000000200000.seg");  // empty, the newest
  EXPECT_EQ(reopenAndRead(), range(1, kRecords * kPerRecord));
  auto j = Journal::open(settings(), m_clock);
  ASSERT_TRUE(j.ok());
  EXPECT_GE((*j)->stats().nextSequence, 200000u);
  model::Batch b{{m_catalog.addMachine("m"), m_catalog.intern(0, "k").value(), 0,
                  model::Kind::kSample, 0, std::int64_t{1}}};
  EXPECT_TRUE((*j)->append(b, m_catalog).ok());
}

TEST_F(JournalCorruption, EveryFlippedByteIsCaughtAndNothingElseIsLost) {
  build();
  const std::string seg = segments().back();
  const std::uint64_t size = fs::file_size(seg);
  const std::string pristine = m_dir.str() + ".pristine";
  fs::copy(seg, pristine, fs::copy_options::overwrite_existing);
  const auto offsets = recordOffsets(seg);
  std::mt19937 rng(5);
  for (int trial = 0; trial < 40; ++trial) {
    fs::copy(pristine, seg, fs::copy_options::overwrite_existing);
    const std::uint64_t at = kSegmentHeaderSize + rng() % (size - kSegmentHeaderSize);
    flipBit(seg, at, static_cast<int>(rng() % 8));
    // The record holding the byte is lost; all others survive, in order.
    const auto hit = std::upper_bound(offsets.begin(), offsets.end(), at) - offsets.begin() - 1;
    auto values = reopenAndRead();
    std::vector<std::int64_t> expected;
    for (int r = 0; r < kRecords; ++r) {
      if (r == hit) continue;
      for (auto v : range(r * kPerRecord + 1, (r + 1) * kPerRecord)) expected.push_back(v);
    }
    EXPECT_EQ(values, expected) << "byte " << at;
  }
  fs::remove(pristine);
}

}  // namespace
}  // namespace spindle::journal
