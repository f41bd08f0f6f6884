#include "base/free_memory.hpp"

#include <fstream>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

namespace spindle {
namespace {

/// Resident pages of this process, in bytes (/proc/self/statm).
std::size_t residentBytes() {
  std::ifstream in("/proc/self/statm");
  std::size_t size = 0, resident = 0;
  in >> size >> resident;
  return resident * 4096;
}

TEST(FreeMemory, PagesFreedBelowALiveBlockGoBackToTheSystem) {
#if !defined(__GLIBC__)
  GTEST_SKIP() << "releases memory with glibc's malloc_trim";
#else
  // 64 MB in small blocks (from the heap, not mmap), all freed but the last: the allocator
  // cannot shrink its heap past the live block, so it keeps the freed pages resident.
  std::vector<std::unique_ptr<char[]> > blocks;
  for (int i = 0; i < 64 * 256; ++i) {
    blocks.emplace_back(new char[4000]);
    for (int k = 0; k < 4000; k += 512) blocks.back()[k] = static_cast<char>(k);
  }
  for (std::size_t i = 0; i + 1 < blocks.size(); ++i) blocks[i].reset();
  const std::size_t before = residentBytes();
  EXPECT_TRUE(releaseFreeMemory());
  const std::size_t after = residentBytes();
  EXPECT_LT(after + (32u << 20), before) << "before " << before << ", after " << after;
#endif
}

}  // namespace
}  // namespace spindle
