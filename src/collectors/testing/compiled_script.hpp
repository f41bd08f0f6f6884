#pragma once
/// Test support: a collector script compiled from text; a script that does not compile fails
/// the test (and gives nullptr).

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "transform/script_loader.hpp"

namespace spindle::collectors::testing {

inline std::shared_ptr<const transform::CompiledScript> compiledScript(const std::string& text) {
  auto compiled = transform::compileScript(text, "test.yaml");
  EXPECT_TRUE(compiled) << (compiled ? "" : compiled.error().describe());
  return compiled ? *compiled : nullptr;
}

}  // namespace spindle::collectors::testing
