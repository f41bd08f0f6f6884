#include "journal/format.hpp"

#include <gtest/gtest.h>

namespace spindle::journal {
namespace {

RecordHeader sampleHeader() {
  RecordHeader h;
  h.payloadCrc = 0x11223344;
  h.storedLength = 100;
  h.rawLength = 100;
  h.firstSequence = 42;
  h.count = 7;
  h.appendedAt = 1'700'000'000'000'000'000;
  return h;
}

TEST(JournalFormat, RecordHeaderRoundTripsAndPinsItsBytes) {
  unsigned char bytes[kRecordHeaderSize];
  encodeRecordHeader(sampleHeader(), bytes);
  EXPECT_EQ(bytes[0], 'S');
  EXPECT_EQ(bytes[1], 'p');
  EXPECT_EQ(bytes[2], 'J');
  EXPECT_EQ(bytes[3], 'r');
  EXPECT_EQ(getU32(bytes + 8), 0x11223344u);
  EXPECT_EQ(bytes[12], 1);  // version
  EXPECT_EQ(getU32(bytes + 16), 100u);
  EXPECT_EQ(getU64(bytes + 24), 42u);
  EXPECT_EQ(getU32(bytes + 32), 7u);
  RecordHeader back;
  ASSERT_EQ(decodeRecordHeader(bytes, back), HeaderCheck::kOk);
  EXPECT_EQ(back.firstSequence, 42u);
  EXPECT_EQ(back.count, 7u);
  EXPECT_EQ(back.appendedAt, sampleHeader().appendedAt);
  EXPECT_EQ(back.endSequence(), 49u);
  EXPECT_EQ(back.totalSize(), kRecordHeaderSize + 100);
}

TEST(JournalFormat, EveryFlippedBitOfARecordHeaderIsCaught) {
  unsigned char good[kRecordHeaderSize];
  encodeRecordHeader(sampleHeader(), good);
  for (std::size_t bit = 0; bit < kRecordHeaderSize * 8; ++bit) {
    unsigned char bad[kRecordHeaderSize];
    std::copy(good, good + kRecordHeaderSize, bad);
    bad[bit / 8] ^= static_cast<unsigned char>(1u << (bit % 8));
    RecordHeader h;
    EXPECT_NE(decodeRecordHeader(bad, h), HeaderCheck::kOk) << "bit " << bit;
  }
}

TEST(JournalFormat, ImpossibleFieldsAreRefusedEvenWithAGoodChecksum) {
  unsigned char bytes[kRecordHeaderSize];
  RecordHeader h = sampleHeader();
  h.count = 0;
  encodeRecordHeader(h, bytes);
  RecordHeader back;
  EXPECT_EQ(decodeRecordHeader(bytes, back), HeaderCheck::kBadFields);
  h = sampleHeader();
  h.version = kFormatVersion + 1;
  encodeRecordHeader(h, bytes);
  EXPECT_EQ(decodeRecordHeader(bytes, back), HeaderCheck::kUnsupported);
  h = sampleHeader();
  h.rawLength = 99;  // uncompressed payloads have equal lengths
  encodeRecordHeader(h, bytes);
  EXPECT_EQ(decodeRecordHeader(bytes, back), HeaderCheck::kBadFields);
}

TEST(JournalFormat, SegmentHeaderRoundTripsAndRejectsDamage) {
  SegmentHeader h;
  h.firstSequence = 1234;
  h.created = 99;
  h.journalId = 0xABCDEF;
  unsigned char bytes[kSegmentHeaderSize];
  encodeSegmentHeader(h, bytes);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(bytes), 8), "SPNDLSEG");
  auto back = decodeSegmentHeader(bytes);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->firstSequence, 1234u);
  EXPECT_EQ(back->journalId, 0xABCDEFu);
  bytes[20] ^= 0x10;
  EXPECT_FALSE(decodeSegmentHeader(bytes).has_value());
}

TEST(JournalFormat, SegmentNames) {
  EXPECT_EQ(segmentFileName(1), "00000000000000000001.seg");
  EXPECT_EQ(segmentFileName(18446744073709551615ull), "18446744073709551615.seg");
  EXPECT_EQ(parseSegmentFileName("00000000000000000042.seg"), 42u);
  EXPECT_FALSE(parseSegmentFileName("00000000000000000000.seg").has_value());
  EXPECT_FALSE(parseSegmentFileName("0000000000000000042.seg").has_value());
  EXPECT_FALSE(parseSegmentFileName("0000000000000000004x.seg").has_value());
  EXPECT_FALSE(parseSegmentFileName("00000000000000000042.tmp").has_value());
}

}  // namespace
}  // namespace spindle::journal
