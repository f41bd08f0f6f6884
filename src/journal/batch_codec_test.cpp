#include "journal/batch_codec.hpp"

#include <gtest/gtest.h>

#include "journal/testing/journal_testing.hpp"

namespace spindle::journal {
namespace {

using testing::sameObservation;
using testing::sampleBatch;

TEST(JournalBatchCodec, EveryValueKindRoundTripsIntoAnotherProcessCatalog) {
  model::ItemCatalog writerCatalog;
  writerCatalog.addMachine("unrelated");  // ids differ between the two catalogs
  const auto batch = sampleBatch(writerCatalog, "mill-1", 48, 1000);
  BatchEncoder encoder;
  std::string payload;
  encoder.encode(batch, writerCatalog, payload);

  model::ItemCatalog readerCatalog;
  BatchDecoder decoder(readerCatalog);
  model::Batch back;
  ASSERT_TRUE(decoder.decode(payload, static_cast<std::uint32_t>(batch.size()), back).ok());
  ASSERT_EQ(back.size(), batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    EXPECT_TRUE(sameObservation(batch[i], writerCatalog, back[i], readerCatalog)) << i;
  }
  EXPECT_EQ(readerCatalog.machineName(back[0].machine), "mill-1");
  EXPECT_EQ(readerCatalog.machineCount(), 1u);
}

TEST(JournalBatchCodec, NamesAreStoredOncePerRecordAndMachinesMix) {
  model::ItemCatalog catalog;
  auto batch = sampleBatch(catalog, "a", 64, 0, 5, 4);
  auto other = sampleBatch(catalog, "b", 64, 0, 5, 4);
  batch.insert(batch.end(), other.begin(), other.end());
  BatchEncoder encoder;
  std::string payload;
  encoder.encode(batch, catalog, payload);
  // 2 machines and 8 keys in the table; each name appears once.
  std::size_t count = 0;
  for (std::size_t at = payload.find("k3"); at != std::string::npos;
       at = payload.find("k3", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 2u);  // once for machine a, once for machine b
  model::ItemCatalog readerCatalog;
  BatchDecoder decoder(readerCatalog);
  model::Batch back;
  ASSERT_TRUE(decoder.decode(payload, 128, back).ok());
  EXPECT_EQ(readerCatalog.machineName(back[0].machine), "a");
  EXPECT_EQ(readerCatalog.machineName(back[64].machine), "b");
  EXPECT_EQ(readerCatalog.itemCount(), 8u);
}

TEST(JournalBatchCodec, TheEncoderIsReusable) {
  model::ItemCatalog catalog;
  BatchEncoder encoder;
  model::ItemCatalog readerCatalog;
  BatchDecoder decoder(readerCatalog);
  for (int round = 0; round < 3; ++round) {
    const auto batch = sampleBatch(catalog, "m" + std::to_string(round), 20, round * 100);
    std::string payload;
    encoder.encode(batch, catalog, payload);
    model::Batch back;
    ASSERT_TRUE(decoder.decode(payload, 20, back).ok());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      EXPECT_TRUE(sameObservation(batch[i], catalog, back[i], readerCatalog));
    }
  }
}

// One decoder, many records of the same machines: the keys come in the same order, in another
// order, as a subset or with new ones; each decodes to its own item, however the decoder found it.
TEST(JournalBatchCodec, RecordsWithTheirKeysInAnyOrderDecodeToTheirItems) {
  model::ItemCatalog catalog;
  const auto a = catalog.addMachine("a");
  const auto b = catalog.addMachine("b");
  auto obs = [&](model::MachineId m, const std::string& key, std::int64_t v) {
    return model::Observation{m, catalog.intern(m, key).value(), 1000, model::Kind::kEvent, 0, v};
  };
  const std::vector<std::vector<std::pair<std::string, model::MachineId>>> records = {
      {{"x", a}, {"y", a}, {"z", a}, {"x", b}},
      {{"x", a}, {"y", a}, {"z", a}, {"x", b}},  // the same order
      {{"z", a}, {"x", b}, {"x", a}},            // another order, a subset
      {{"w", a}, {"y", a}, {"y", b}, {"x", a}},  // new keys at known places
      {{"y", a}, {"w", a}, {"x", a}, {"z", a}},
  };
  BatchEncoder encoder;
  model::ItemCatalog readerCatalog;
  BatchDecoder decoder(readerCatalog);
  std::int64_t value = 0;
  for (const auto& keys : records) {
    model::Batch batch;
    for (const auto& [key, machine] : keys) batch.push_back(obs(machine, key, ++value));
    std::string payload;
    encoder.encode(batch, catalog, payload);
    model::Batch back;
    ASSERT_TRUE(decoder.decode(payload, static_cast<std::uint32_t>(batch.size()), back).ok());
    ASSERT_EQ(back.size(), batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      EXPECT_TRUE(sameObservation(batch[i], catalog, back[i], readerCatalog)) << value << " " << i;
    }
  }
  EXPECT_EQ(readerCatalog.itemCount(), 6u);  // a: w x y z; b: x y
}

TEST(JournalBatchCodec, BrokenPayloadsAreErrorsThatLeaveTheOutputAlone) {
  model::ItemCatalog catalog;
  const auto batch = sampleBatch(catalog, "m", 12, 0);
  BatchEncoder encoder;
  std::string payload;
  encoder.encode(batch, catalog, payload);
  model::ItemCatalog readerCatalog;
  BatchDecoder decoder(readerCatalog);
  model::Batch out(1);  // something already there stays
  // Every truncation fails cleanly.
  for (std::size_t n = 0; n < payload.size(); ++n) {
    EXPECT_FALSE(decoder.decode(payload.substr(0, n), 12, out).ok()) << n;
    EXPECT_EQ(out.size(), 1u);
  }
  // Too few or too many observations for the bytes.
  EXPECT_FALSE(decoder.decode(payload, 11, out).ok());
  EXPECT_FALSE(decoder.decode(payload, 13, out).ok());
  auto status = decoder.decode(payload + "x", 12, out);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("payload breaks at byte"), std::string::npos);
  // A huge count is refused before anything is allocated.
  std::string hostile = "\x01\x01m\xff\xff\xff\xff\x0f";
  EXPECT_FALSE(decoder.decode(hostile, 1, out).ok());
}

}  // namespace
}  // namespace spindle::journal
