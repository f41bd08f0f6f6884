#include "collectors/focas/fwlib/testing/standin_paths.hpp"

namespace spindle::collectors::focas::fwlib::testing {

std::filesystem::path standinLibrary() { return FWLIB_STANDIN; }
std::filesystem::path standinWithoutRdtofs() { return FWLIB_STANDIN_WITHOUT_RDTOFS; }
std::filesystem::path standinWithoutDynamic() { return FWLIB_STANDIN_WITHOUT_RDDYNAMIC2; }

}  // namespace spindle::collectors::focas::fwlib::testing
