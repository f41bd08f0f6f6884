#pragma once
/// Where the build put the stand-in FOCAS libraries (fwlib_standin.cpp), for the tests.

#include <filesystem>

namespace spindle::collectors::focas::fwlib::testing {

std::filesystem::path standinLibrary();         ///< every function
std::filesystem::path standinWithoutRdtofs();   ///< lacks cnc_rdtofs (optional)
std::filesystem::path standinWithoutDynamic();  ///< lacks cnc_rddynamic2 (required)

}  // namespace spindle::collectors::focas::fwlib::testing
