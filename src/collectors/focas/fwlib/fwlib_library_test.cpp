#include "collectors/focas/fwlib/fwlib_library.hpp"

#include <fstream>

#include <gtest/gtest.h>
#include <unistd.h>

#include "collectors/focas/fwlib/fwlib_codes.hpp"
#include "collectors/focas/fwlib/testing/standin_knobs.hpp"
#include "collectors/focas/fwlib/testing/standin_paths.hpp"

namespace spindle::collectors::focas::fwlib {
namespace {

using testing::StandinKnobs;

TEST(FwlibLibrary, LoadsTheLibraryAndResolvesEveryFunction) {
  auto library = FwlibLibrary::load(testing::standinLibrary());
  ASSERT_TRUE(library.ok()) << library.error().describe();
  const FwlibFunctions& f = (*library)->functions();
  EXPECT_NE(f.allclibhndl3, nullptr);
  EXPECT_NE(f.freelibhndl, nullptr);
  EXPECT_NE(f.sysinfo, nullptr);
  EXPECT_NE(f.statinfo, nullptr);
  EXPECT_NE(f.rddynamic2, nullptr);
  EXPECT_NE(f.rdspload, nullptr);
  EXPECT_NE(f.rdtofs, nullptr);
  EXPECT_NE(f.rdmacro, nullptr);
  EXPECT_NE(f.rdparam, nullptr);
  EXPECT_NE(f.getfigure, nullptr);
  EXPECT_TRUE((*library)->missing().empty());
  EXPECT_EQ((*library)->path(), testing::standinLibrary());
}

TEST(FwlibLibrary, StartsTheLibraryOnceAndEndsItWithTheLastInstance) {
  StandinKnobs knobs(testing::standinLibrary());  // keeps the file loaded to read its counters
  const int startups = knobs.startups();
  const int exits = knobs.exits();
  auto first = FwlibLibrary::load(testing::standinLibrary());
  auto second = FwlibLibrary::load(testing::standinLibrary());
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(knobs.startups(), startups + 1);
  first = Error(ErrorCode::kInternal, "dropped");
  EXPECT_EQ(knobs.exits(), exits);
  second = Error(ErrorCode::kInternal, "dropped");
  EXPECT_EQ(knobs.exits(), exits + 1);
  auto again = FwlibLibrary::load(testing::standinLibrary());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(knobs.startups(), startups + 2);
}

TEST(FwlibLibrary, AMissingFileIsNamed) {
  const std::filesystem::path path = "/nonexistent/spindle/libfwlib32.so";
  auto library = FwlibLibrary::load(path);
  ASSERT_FALSE(library.ok());
  EXPECT_EQ(library.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(library.error().describe().find(path.string()), std::string::npos);
  EXPECT_NE(library.error().describe().find("no such file"), std::string::npos);
}

TEST(FwlibLibrary, AFileThatIsNotASharedLibraryIsRefused) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("spindle-fwlib-" + std::to_string(getpid()) + "-libfwlib32.so");
  std::ofstream(path) << "this is not an ELF file\n";
  auto library = FwlibLibrary::load(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(library.ok());
  EXPECT_EQ(library.error().code(), ErrorCode::kInvalidArgument);
  const std::string text = library.error().describe();
  EXPECT_NE(text.find(path.string()), std::string::npos) << text;
  EXPECT_NE(text.find("not a loadable shared library"), std::string::npos) << text;

  auto folder = FwlibLibrary::load(std::filesystem::temp_directory_path());
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.error().code(), ErrorCode::kInvalidArgument);
}

TEST(FwlibLibrary, ALibraryWithoutARequiredFunctionIsRefusedByName) {
  auto library = FwlibLibrary::load(testing::standinWithoutDynamic());
  ASSERT_FALSE(library.ok());
  EXPECT_EQ(library.error().code(), ErrorCode::kInvalidArgument);
  const std::string text = library.error().describe();
  EXPECT_NE(text.find("cnc_rddynamic2"), std::string::npos) << text;
  EXPECT_NE(text.find(testing::standinWithoutDynamic().string()), std::string::npos) << text;
}

TEST(FwlibLibrary, AMissingOptionalFunctionIsNamed) {
  auto library = FwlibLibrary::load(testing::standinWithoutRdtofs());
  ASSERT_TRUE(library.ok()) << library.error().describe();
  EXPECT_EQ((*library)->missing(), std::vector<std::string>{"cnc_rdtofs"});
  EXPECT_EQ((*library)->functions().rdtofs, nullptr);
  EXPECT_NE((*library)->functions().rddynamic2, nullptr);
}

TEST(FwlibCodes, NameTheFunctionAndTheCodeAndSayWhatTheCallerCanDo) {
  const Error func = ewError("cnc_rdspload", 1);
  EXPECT_TRUE(isUnsupported(func));
  EXPECT_EQ(func.message(), "cnc_rdspload: EW_FUNC (1): the control does not have this function");
  const Error noopt = ewError("cnc_rdtofs", 6);
  EXPECT_TRUE(isUnsupported(noopt));
  EXPECT_NE(noopt.message().find("EW_NOOPT (6)"), std::string::npos);
  EXPECT_NE(func.message(), noopt.message());

  EXPECT_EQ(ewError("cnc_statinfo", -16).code(), ErrorCode::kUnavailable);
  EXPECT_EQ(ewError("cnc_rdmacro", 3).code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(isUnsupported(ewError("cnc_rdmacro", 3)));
  const Error unknown = ewError("cnc_rdparam", 99);
  EXPECT_EQ(unknown.code(), ErrorCode::kProtocol);
  EXPECT_EQ(unknown.message(), "cnc_rdparam: an undocumented code (99)");
  EXPECT_STREQ(ewName(-17), "EW_PROTOCOL");
  EXPECT_STREQ(ewName(42), "EW_?");
}

}  // namespace
}  // namespace spindle::collectors::focas::fwlib
