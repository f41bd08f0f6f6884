#include "control/crash/elf_symbols.hpp"

#include <cstdint>
#include <fstream>

#include <gtest/gtest.h>

#include "control/crash/crash_handler.hpp"

namespace spindle::control::crash {

// A function with a name no other symbol has, kept out of line so it has its own symbol.
__attribute__((noinline)) int elfSymbolsTestMarker(int x) {
  asm volatile("" ::: "memory");
  return x * 3 + 1;
}

namespace {

TEST(ElfSymbols, NamesAFunctionOfThisBinaryFromItsRelativeAddress) {
  auto symbols = ElfSymbols::load("/proc/self/exe");
  ASSERT_TRUE(symbols.ok()) << symbols.error().describe();
  EXPECT_GT(symbols->size(), 100u);
  const auto absolute = reinterpret_cast<std::uintptr_t>(&elfSymbolsTestMarker);
  const std::uint64_t relative = absolute - runningLoadBase();
  auto at = symbols->describe(relative);
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(*at, "spindle::control::crash::elfSymbolsTestMarker(int)+0x0");
  auto inside = symbols->describe(relative + 2);
  ASSERT_TRUE(inside.has_value());
  EXPECT_EQ(*inside, "spindle::control::crash::elfSymbolsTestMarker(int)+0x2");
  EXPECT_EQ(elfSymbolsTestMarker(2), 7);
}

TEST(ElfSymbols, ReadsTheSameBuildIdAsTheRunningProcess) {
  auto symbols = ElfSymbols::load("/proc/self/exe");
  ASSERT_TRUE(symbols.ok());
  const std::string running = runningBuildId();
  ASSERT_FALSE(running.empty()) << "the test binary has no GNU build id";
  EXPECT_EQ(symbols->buildId(), running);
  EXPECT_EQ(running.size() % 2, 0u);
}

TEST(ElfSymbols, AnAddressOutsideEveryFunctionHasNoName) {
  auto symbols = ElfSymbols::load("/proc/self/exe");
  ASSERT_TRUE(symbols.ok());
  EXPECT_FALSE(symbols->describe(0).has_value());
  EXPECT_FALSE(symbols->describe(~std::uint64_t{0} - 16).has_value());
}

TEST(ElfSymbols, RefusesWhatIsNotAnElfFile) {
  const std::string path = ::testing::TempDir() + "/not-elf";
  std::ofstream(path) << std::string(200, 'x');  // longer than an ELF header
  auto symbols = ElfSymbols::load(path);
  ASSERT_FALSE(symbols.ok());
  EXPECT_NE(symbols.error().describe().find("not an ELF file"), std::string::npos);
  EXPECT_FALSE(ElfSymbols::load(path + "-missing").ok());
}

TEST(ElfSymbols, DemanglesOnlyMangledNames) {
  EXPECT_EQ(demangle("_ZN7spindle3fooEv"), "spindle::foo()");
  EXPECT_EQ(demangle("main"), "main");
}

}  // namespace
}  // namespace spindle::control::crash
