#include "uplinks/file/file_uplink.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "uplinks/testing/uplink_contract.hpp"

namespace spindle::uplinks::file {
namespace {

namespace fs = std::filesystem;

Outcome send(FileUplink& uplink, std::uint64_t first, const model::Batch& batch) {
  Outcome outcome = Outcome::kRetry;
  int calls = 0;
  EXPECT_EQ(uplink.submit(Record{first, batch},
                          [&](Completion c) {
                            outcome = c.outcome;
                            ++calls;
                          }),
            0u);
  EXPECT_EQ(calls, 1) << "the file uplink completes inline, exactly once";
  return outcome;
}

class FileUplinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("spindle_file_uplink_" + std::to_string(getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    m_machine = m_catalog.addMachine("m");
    m_item = m_catalog.intern(m_machine, "x").value();
  }
  void TearDown() override { fs::remove_all(m_dir); }

  model::Batch batch(std::int64_t from, int n) {
    model::Batch b;
    for (int i = 0; i < n; ++i) {
      b.push_back(model::Observation{m_machine, m_item, 0, model::Kind::kSample, 0, from + i});
    }
    return b;
  }

  static std::vector<std::string> lines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

  fs::path m_dir;
  model::ItemCatalog m_catalog;
  model::MachineId m_machine = 0;
  model::ItemId m_item = 0;
};

TEST_F(FileUplinkTest, WritesJsonLinesAndRotatesBySize) {
  FileOptions options;
  options.path = (m_dir / "sub" / "obs.jsonl").string();
  options.rotateSize = ByteSize{200};
  options.keepFiles = 2;
  FileUplink uplink(options, m_catalog);
  EXPECT_EQ(uplink.name(), "file");
  ASSERT_TRUE(uplink.start().ok());
  for (int i = 0; i < 20; ++i) ASSERT_EQ(send(uplink, i + 1, batch(i, 1)), Outcome::kOk);
  uplink.stop();
  EXPECT_TRUE(fs::exists(options.path + ".1"));
  EXPECT_TRUE(fs::exists(options.path + ".2"));
  EXPECT_FALSE(fs::exists(options.path + ".3"));
  const auto first = lines(options.path + ".1");
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first[0].rfind("{\"machine\":\"m\",\"item\":\"x\"", 0), 0u) << first[0];
  EXPECT_NE(first[0].find(",\"seq\":"), std::string::npos) << first[0];
  EXPECT_EQ(first[0].back(), '}');
}

TEST_F(FileUplinkTest, SkipsWhatTheFileHoldsAfterARestart) {
  FileOptions options;
  options.path = (m_dir / "obs.jsonl").string();
  {
    FileUplink uplink(options, m_catalog);
    ASSERT_TRUE(uplink.start().ok());
    ASSERT_EQ(send(uplink, 1, batch(100, 5)), Outcome::kOk);  // sequences 1-5
  }
  FileUplink again(options, m_catalog);
  ASSERT_TRUE(again.start().ok());
  EXPECT_EQ(again.lastSequence(), 5u);
  // The journal offers 4-8 again (the cursor had not moved past 3): only 6-8 are new.
  ASSERT_EQ(send(again, 4, batch(103, 5)), Outcome::kOk);
  again.stop();
  const auto all = lines(options.path);
  ASSERT_EQ(all.size(), 8u);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_NE(all[i].find("\"value\":" + std::to_string(100 + i) +
                          ",\"seq\":" + std::to_string(i + 1) + "}"),
              std::string::npos)
        << all[i];
  }
}

TEST_F(FileUplinkTest, CutsALineTornByACrash) {
  FileOptions options;
  options.path = (m_dir / "obs.jsonl").string();
  {
    FileUplink uplink(options, m_catalog);
    ASSERT_TRUE(uplink.start().ok());
    ASSERT_EQ(send(uplink, 1, batch(0, 2)), Outcome::kOk);
  }
  std::ofstream(options.path, std::ios::app) << "{\"machine\":\"m\",\"it";
  FileUplink again(options, m_catalog);
  ASSERT_TRUE(again.start().ok());
  EXPECT_EQ(again.lastSequence(), 2u);
  ASSERT_EQ(send(again, 3, batch(2, 1)), Outcome::kOk);
  again.stop();
  const auto all = lines(options.path);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_NE(all[2].find("\"seq\":3}"), std::string::npos) << all[2];
}

TEST_F(FileUplinkTest, FindsTheLastSequenceInTheRotatedFile) {
  FileOptions options;
  options.path = (m_dir / "obs.jsonl").string();
  options.rotateSize = ByteSize{10};  // every send rotates
  {
    FileUplink uplink(options, m_catalog);
    ASSERT_TRUE(uplink.start().ok());
    ASSERT_EQ(send(uplink, 7, batch(0, 2)), Outcome::kOk);
  }
  FileUplink again(options, m_catalog);
  ASSERT_TRUE(again.start().ok());
  EXPECT_EQ(again.lastSequence(), 8u);
}

TEST_F(FileUplinkTest, UnwritablePathIsAnErrorNotACrash) {
  FileOptions options;
  options.path = "/proc/spindle-cannot-write/obs.jsonl";
  FileUplink uplink(options, m_catalog);
  auto status = uplink.start();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().describe().find("opening /proc/spindle-cannot-write"),
            std::string::npos);
  EXPECT_EQ(send(uplink, 1, batch(0, 1)), Outcome::kRetry);
}

TEST_F(FileUplinkTest, LinesCarryTheJournalAndAReplacedJournalSkipsNothing) {
  FileOptions options;
  options.path = (m_dir / "obs.jsonl").string();
  {
    FileUplink uplink(options, m_catalog);
    ASSERT_TRUE(uplink.start().ok());
    uplink.attach(AttachInfo{0xabc, 100, {}});
    ASSERT_EQ(send(uplink, 1, batch(0, 50)), Outcome::kOk);  // sequences 1-50
  }
  EXPECT_NE(lines(options.path).back().find(",\"journal\":\"0000000000000abc\",\"seq\":50}"),
            std::string::npos)
      << lines(options.path).back();
  // The journal's directory was lost: a new journal starts again at sequence 1.
  FileUplink again(options, m_catalog);
  ASSERT_TRUE(again.start().ok());
  again.attach(AttachInfo{0xdef, 1, {}});
  ASSERT_EQ(send(again, 1, batch(1000, 3)), Outcome::kOk);
  again.stop();
  const auto all = lines(options.path);
  ASSERT_EQ(all.size(), 53u);
  EXPECT_NE(all.back().find("\"value\":1002,\"journal\":\"0000000000000def\",\"seq\":3}"),
            std::string::npos)
      << all.back();
}

TEST_F(FileUplinkTest, AGarbageLineWithAHugeSequenceDoesNotStopDelivery) {
  FileOptions options;
  options.path = (m_dir / "obs.jsonl").string();
  fs::create_directories(m_dir);
  std::ofstream(options.path) << "{\"junk\":1,\"seq\":18446744073709551000}\n";
  FileUplink uplink(options, m_catalog);
  ASSERT_TRUE(uplink.start().ok());
  uplink.attach(AttachInfo{0x1, 11, {}});  // the journal holds sequences below 11
  ASSERT_EQ(send(uplink, 1, batch(0, 10)), Outcome::kOk);
  uplink.stop();
  EXPECT_EQ(lines(options.path).size(), 11u);
}

TEST_F(FileUplinkTest, WithoutRotationTheOutputIsStillBounded) {
  FileOptions options;
  options.path = (m_dir / "obs.jsonl").string();
  options.rotateSize = ByteSize{0};
  options.maxFileSize = ByteSize{4096};
  options.keepFiles = 2;
  FileUplink uplink(options, m_catalog);
  ASSERT_TRUE(uplink.start().ok());
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(send(uplink, 1 + i * 10, batch(i * 10, 10)), Outcome::kOk);
  }
  ASSERT_TRUE(uplink.sync().ok());
  uplink.stop();
  std::uintmax_t total = 0;
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(m_dir)) {
    total += fs::file_size(e.path());
    ++files;
  }
  EXPECT_EQ(files, 3u);  // obs.jsonl, .1, .2
  EXPECT_LE(total, 3u * (4096u + 2048u));
}

}  // namespace
}  // namespace spindle::uplinks::file

namespace spindle::uplinks::file {

// The uplink contract (uplinks/testing/uplink_contract.hpp) against a real file.
struct FilePeer {
  void SetUp(const std::filesystem::path& dir) { path = (dir / "observations.jsonl").string(); }
  void TearDown() {}
  std::unique_ptr<Uplink> make(model::ItemCatalog& catalog) {
    FileOptions options;
    options.path = path;
    options.rotateSize = ByteSize{0};
    return std::make_unique<FileUplink>(options, catalog);
  }
  std::vector<std::uint64_t> received() {
    std::vector<std::uint64_t> out;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
      const auto at = line.rfind("\"seq\":");
      if (at != std::string::npos) out.push_back(std::stoull(line.substr(at + 6)));
    }
    return out;
  }
  std::string path;
};

}  // namespace spindle::uplinks::file

namespace spindle::uplinks::testing {
INSTANTIATE_TYPED_TEST_SUITE_P(File, UplinkContract, spindle::uplinks::file::FilePeer);
}  // namespace spindle::uplinks::testing
