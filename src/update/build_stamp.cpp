// Nothing else may be defined in this file: a program that defines buildVersion() itself (the
// test build, tests/integration/update_stamp.cpp) must never pull this object from the library.
#include "update/build_stamp.hpp"

namespace spindle::update {

std::string_view buildVersion() { return SPINDLE_VERSION; }

}  // namespace spindle::update
