#pragma once
/// Internal to the transform part: the default scripts compiled into the binary, generated
/// by CMake from the DEFAULT_SCRIPT each enabled collector declares (spindle_collector() in
/// src/collectors/<type>/CMakeLists.txt; by convention <type>_default_script.yaml).

#include <span>
#include <string_view>

namespace spindle::transform {

struct DefaultScript {
  std::string_view collectorType;
  std::string_view text;
};

std::span<const DefaultScript> builtinDefaultScripts();

}  // namespace spindle::transform
