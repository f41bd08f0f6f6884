#include "uplinks/file/file_uplink.hpp"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace spindle::uplinks::file {
namespace {

namespace fs = std::filesystem;

TEST(FileUplink, WritesJsonLinesAndRotatesBySize) {
  const fs::path dir =
      fs::temp_directory_path() / ("spindle_file_uplink_" + std::to_string(getpid()));
  fs::remove_all(dir);
  model::ItemCatalog catalog;
  const auto m = catalog.addMachine("m");
  const auto item = catalog.intern(m, "x");
  FileOptions options;
  options.path = (dir / "sub" / "obs.jsonl").string();
  options.rotateSize = ByteSize{200};
  options.keepFiles = 2;
  FileUplink uplink(options, catalog);
  ASSERT_TRUE(uplink.start().ok());
  for (int i = 0; i < 20; ++i) {
    model::Batch batch{model::Observation{m, item, 0, model::Kind::kSample, 0, std::int64_t{i}}};
    ASSERT_EQ(uplink.send(batch), SendResult::kOk);
  }
  uplink.stop();
  EXPECT_TRUE(fs::exists(options.path + ".1"));
  EXPECT_TRUE(fs::exists(options.path + ".2"));
  EXPECT_FALSE(fs::exists(options.path + ".3"));
  std::ifstream in(options.path + ".1");
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line.rfind("{\"machine\":\"m\",\"item\":\"x\"", 0), 0u) << line;
  fs::remove_all(dir);
}

TEST(FileUplink, UnwritablePathIsAnErrorNotACrash) {
  model::ItemCatalog catalog;
  FileOptions options;
  options.path = "/proc/spindle-cannot-write/obs.jsonl";
  FileUplink uplink(options, catalog);
  auto status = uplink.start();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().describe().find("opening /proc/spindle-cannot-write"),
            std::string::npos);
  EXPECT_EQ(uplink.send({}), SendResult::kRetry);
}

}  // namespace
}  // namespace spindle::uplinks::file
