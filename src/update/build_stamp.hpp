#pragma once
/// The version this binary reports (`spindle --version`, health, the update system).
///
/// It is defined alone in build_stamp.cpp (SPINDLE_VERSION, from `project(VERSION)`), so a test
/// program can link its own definition instead: tests/integration/update_stamp.cpp gives the
/// test build `spindle_stamped` a version in a patchable field, which the update tests set in
/// copies of one binary instead of building the whole program once per version.

#include <string_view>

namespace spindle::update {

std::string_view buildVersion();

}  // namespace spindle::update
