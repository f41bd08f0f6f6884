#include "uplinks/payload/payload_codec.hpp"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace spindle::uplinks {
namespace {

std::string readTestdata(const std::string& name) {
  std::ifstream in(std::string(SPINDLE_SOURCE_DIR) + "/src/uplinks/payload/testdata/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Fixture {
  model::ItemCatalog catalog;
  model::Batch batch;  // a journal record from sequence 41; mill-1 owns 41, 42, 44, 47
  std::vector<std::uint32_t> indices{0, 1, 3, 6};
  std::vector<std::uint64_t> sequences{41, 42, 44, 47};

  Fixture() {
    const auto m = catalog.addMachine("mill-1");
    const auto other = catalog.addMachine("mill-2");
    const auto speed = catalog.intern(m, "Sspeed", model::Kind::kSample).value();
    const auto exec = catalog.intern(m, "execution", model::Kind::kEvent).value();
    const auto alarm = catalog.intern(m, "system", model::Kind::kCondition).value();
    const auto elsewhere = catalog.intern(other, "Sspeed", model::Kind::kSample).value();
    const TimestampNs t = 1700000000123456000;  // 2023-11-14T22:13:20.123456Z
    auto cond = std::make_shared<model::Condition>();
    cond->level = model::Level::kFault;
    cond->nativeCode = "1010";
    cond->text = "spindle overload";
    const model::Observation filler{other, elsewhere, t, model::Kind::kSample, 0, 1.0};
    batch.push_back({m, speed, t, model::Kind::kSample, 0, 1200.5});
    batch.push_back(
        {m, exec, t, model::Kind::kEvent, model::kFlagArrivalTime, std::string("ACTIVE \"auto\"")});
    batch.push_back(filler);
    batch.push_back({m, alarm, t + 1000, model::Kind::kCondition, 0,
                     std::shared_ptr<const model::Condition>(cond)});
    batch.push_back(filler);
    batch.push_back(filler);
    batch.push_back({m, speed, t + 2000, model::Kind::kSample, 0, model::Unavailable{}});
  }
};

TEST(NatsPayload, BatchBodyMatchesTheGoldenV1Form) {
  Fixture f;
  BatchEncoder encoder(f.catalog);
  std::string body;
  encoder.encode("plant-7", "mill-1", RecordPart{f.batch, 41, f.indices}, body);
  EXPECT_EQ(body, readTestdata("batch_v1.pass.jsonl"));
}

TEST(NatsPayload, DecodesWhatItEncodes) {
  Fixture f;
  BatchEncoder encoder(f.catalog);
  std::string body;
  encoder.encode("plant-7", "mill-1", RecordPart{f.batch, 41, f.indices}, body);
  auto decoded = decodeBatch(body);
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_EQ(decoded->edge, "plant-7");
  EXPECT_EQ(decoded->machine, "mill-1");
  EXPECT_EQ(decoded->firstSeq, 41u);
  EXPECT_EQ(decoded->sequences, f.sequences);
  ASSERT_EQ(decoded->lines.size(), 4u);
  EXPECT_NE(decoded->lines[2].find("\"value\":\"FAULT\""), std::string::npos);
}

TEST(NatsPayload, RejectsBrokenBodies) {
  const std::string golden = readTestdata("batch_v1.pass.jsonl");
  std::stringstream cases(readTestdata("batch_v1.fail.jsonl"));
  std::string body, line;
  int n = 0;
  // Cases are separated by lines holding only "---".
  auto check = [&] {
    if (body.empty()) return;
    ++n;
    EXPECT_FALSE(decodeBatch(body).ok()) << "case " << n << ":\n" << body;
    body.clear();
  };
  while (std::getline(cases, line)) {
    if (line == "---") {
      check();
    } else {
      body += line + "\n";
    }
  }
  check();
  EXPECT_GE(n, 5);
  EXPECT_TRUE(decodeBatch(golden).ok());
}

TEST(NatsPayload, CompressesAboveTheThresholdOnly) {
  Compressor c(100, 1);
  std::string out;
  EXPECT_EQ(c.pack("short", out), Encoding::kIdentity);
  EXPECT_EQ(out, "short");
  std::string big;
  for (int i = 0; i < 200; ++i) big += "{\"seq\":" + std::to_string(i) + ",\"item\":\"Sspeed\"}\n";
  EXPECT_EQ(c.pack(big, out), Encoding::kZstd);
  EXPECT_LT(out.size(), big.size() / 4);
  auto back = unpack(out, Encoding::kZstd);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, big);
  EXPECT_FALSE(unpack("not zstd", Encoding::kZstd).ok());
  EXPECT_FALSE(unpack(out, Encoding::kZstd, 10).ok());  // over the size limit
  Compressor never(0, 1);
  EXPECT_EQ(never.pack(big, out), Encoding::kIdentity);
}

TEST(NatsPayload, HeadersAndIds) {
  EXPECT_EQ(messageId("plant-7", 0, 123456789012ULL), "plant-7:123456789012");
  // A journal that starts again at sequence 1 has another id: its messages never collide.
  EXPECT_EQ(messageId("plant-7", 0xab, 1), "plant-7:00000000000000ab:1");
  EXPECT_NE(messageId("plant-7", 0xab, 1), messageId("plant-7", 0xcd, 1));
  EXPECT_EQ(parseEncoding("zstd").value(), Encoding::kZstd);
  EXPECT_EQ(parseEncoding("").value(), Encoding::kIdentity);
  EXPECT_FALSE(parseEncoding("gzip").ok());
}

}  // namespace
}  // namespace spindle::uplinks
