#include "journal/block_writer.hpp"

#include <fstream>
#include <random>
#include <sstream>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "journal/testing/journal_testing.hpp"

namespace spindle::journal {
namespace {

std::string contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Lets `budget` bytes through, then fails with ENOSPC (after a partial write).
class BudgetIo final : public FileIo {
 public:
  std::int64_t budget = 1 << 30;
  int open(const std::string& path, int flags, mode_t mode) override {
    return m_real->open(path, flags, mode);
  }
  std::int64_t pwrite(int fd, const void* data, std::size_t size, std::uint64_t offset) override {
    if (budget <= 0) return -ENOSPC;
    std::size_t n = std::min<std::size_t>(size, static_cast<std::size_t>(budget));
    if (::fcntl(fd, F_GETFL) & O_DIRECT) n &= ~std::size_t{4095};
    if (n == 0) return -ENOSPC;
    const auto w = m_real->pwrite(fd, data, n, offset);
    if (w > 0) budget -= w;
    return w;
  }
  int fdatasync(int fd) override { return m_real->fdatasync(fd); }
  int ftruncate(int fd, std::uint64_t size) override { return m_real->ftruncate(fd, size); }
  int close(int fd) override { return m_real->close(fd); }
  int unlink(const std::string& path) override { return m_real->unlink(path); }
  int syncDirectory(const std::string& path) override { return m_real->syncDirectory(path); }

 private:
  std::shared_ptr<FileIo> m_real = posixFileIo();
};

class JournalBlockWriter : public ::testing::TestWithParam<bool> {};

TEST_P(JournalBlockWriter, TheFileHoldsExactlyTheStreamWhateverThePieces) {
  testing::TempDir dir("block");
  const std::string path = (dir.path() / "f").string();
  BudgetIo io;
  bool direct = GetParam();
  int fd = io.open(path, O_WRONLY | O_CREAT | (direct ? O_DIRECT : 0), 0644);
  if (fd == -EINVAL && direct) GTEST_SKIP() << "no O_DIRECT on " << dir.str();
  ASSERT_GE(fd, 0);
  BlockWriter writer;
  writer.reset(direct, 0, {});
  std::mt19937 rng(3);
  std::string expected;
  for (int i = 0; i < 200; ++i) {
    std::string piece(rng() % (i % 10 == 0 ? 70000 : 900), '\0');
    for (auto& c : piece) c = static_cast<char>('a' + rng() % 26);
    std::size_t consumed = 0;
    ASSERT_EQ(writer.append(io, fd, piece, &consumed), 0);
    ASSERT_EQ(consumed, piece.size());
    expected += piece;
    ASSERT_EQ(writer.end(), expected.size());
  }
  ASSERT_EQ(writer.flush(io, fd), 0);
  std::string file = contents(path);
  ASSERT_GE(file.size(), expected.size());
  if (direct) {
    EXPECT_EQ(file.size() % BlockWriter::kBlock, 0u);
    EXPECT_LT(file.size() - expected.size(), BlockWriter::kBlock);
    EXPECT_EQ(file.find_first_not_of('\0', expected.size()), std::string::npos);
  }
  EXPECT_EQ(file.substr(0, expected.size()), expected);
  // Reopened at its end (as recovery does, with the partial block's bytes), it continues.
  io.close(fd);
  fd = io.open(path, O_WRONLY | (direct ? O_DIRECT : 0), 0);
  const std::uint64_t end = expected.size();
  const std::uint64_t blockStart = end & ~std::uint64_t{BlockWriter::kBlock - 1};
  writer.reset(direct, end, std::string_view(expected).substr(blockStart));
  std::size_t consumed = 0;
  ASSERT_EQ(writer.append(io, fd, "the end", &consumed), 0);
  ASSERT_EQ(writer.flush(io, fd), 0);
  expected += "the end";
  EXPECT_EQ(contents(path).substr(0, expected.size()), expected);
  io.close(fd);
}

TEST_P(JournalBlockWriter, AFailedWriteResumesWhereItStopped) {
  testing::TempDir dir("block");
  const std::string path = (dir.path() / "f").string();
  BudgetIo io;
  const bool direct = GetParam();
  const int fd = io.open(path, O_WRONLY | O_CREAT | (direct ? O_DIRECT : 0), 0644);
  if (fd == -EINVAL && direct) GTEST_SKIP() << "no O_DIRECT on " << dir.str();
  BlockWriter writer;
  writer.reset(direct, 0, {});
  std::string data(50000, 'x');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('A' + i % 50);
  io.budget = 20000;
  std::size_t consumed = 0;
  int rc = writer.append(io, fd, data, &consumed);
  if (rc == 0) rc = writer.flush(io, fd);  // direct: the failure shows when the write happens
  EXPECT_EQ(rc, -ENOSPC);
  const std::uint64_t landed = writer.end();  // moved back to what is really written
  EXPECT_LT(landed, data.size());
  EXPECT_LE(landed, 20000u);
  io.budget = 1 << 30;
  std::size_t more = 0;
  ASSERT_EQ(writer.append(io, fd, std::string_view(data).substr(landed), &more), 0);
  ASSERT_EQ(writer.flush(io, fd), 0);
  EXPECT_EQ(landed + more, data.size());
  EXPECT_EQ(contents(path).substr(0, data.size()), data);
  io.close(fd);
}

TEST(JournalBlockWriterDirect, StreamsMoreThanAStageAndSurvivesAFailureMidStream) {
  testing::TempDir dir("block");
  const std::string path = (dir.path() / "f").string();
  BudgetIo io;
  const int fd = io.open(path, O_WRONLY | O_CREAT | O_DIRECT, 0644);
  if (fd == -EINVAL) GTEST_SKIP() << "no O_DIRECT on " << dir.str();
  BlockWriter writer;
  writer.reset(true, 0, {});
  std::string data(3 * BlockWriter::kStage + 12345, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 % 251);
  io.budget = static_cast<std::int64_t>(BlockWriter::kStage + 3 * BlockWriter::kBlock);
  int rc = 0;
  std::size_t offered = 0;
  while (rc == 0 && offered < data.size()) {  // stages go to the device while we append
    std::size_t consumed = 0;
    rc = writer.append(io, fd, std::string_view(data).substr(offered, 300000), &consumed);
    offered += consumed;
  }
  if (rc == 0) rc = writer.flush(io, fd);
  ASSERT_EQ(rc, -ENOSPC);
  const std::uint64_t landed = writer.end();
  EXPECT_GE(landed, BlockWriter::kStage);  // the first stage made it
  EXPECT_LT(landed, data.size());
  io.budget = 1 << 30;
  std::size_t more = 0;
  ASSERT_EQ(writer.append(io, fd, std::string_view(data).substr(landed), &more), 0);
  ASSERT_EQ(writer.flush(io, fd), 0);
  EXPECT_EQ(contents(path).substr(0, data.size()), data);
  io.close(fd);
}

INSTANTIATE_TEST_SUITE_P(PlainAndDirect, JournalBlockWriter, ::testing::Values(false, true));

}  // namespace
}  // namespace spindle::journal
