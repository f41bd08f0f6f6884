#pragma once
/// The shared fixtures: recorded real documents and logs and the official MTConnect schemas, kept
/// outside the repository in ../shared/fixtures beside the checkout (the build passes that path
/// as SPINDLE_FIXTURES_DIR; the environment variable of the same name overrides it at run time).
///
/// A test that needs one calls SPINDLE_NEEDS_FIXTURE: on a checkout without the fixtures it skips
/// and says which file is missing; where they must be present (CI: .ci/run sets
/// SPINDLE_REQUIRE_FIXTURES=1) the same absence fails the test, so nothing is silently skipped.

#include <cstdlib>
#include <filesystem>
#include <string_view>

#include <gtest/gtest.h>

namespace spindle::testing {

/// The fixtures folder: $SPINDLE_FIXTURES_DIR when set, else the one the build found.
inline std::filesystem::path fixturesDir() {
  const char* env = std::getenv("SPINDLE_FIXTURES_DIR");
  return (env != nullptr && *env != '\0') ? std::filesystem::path(env)
                                          : std::filesystem::path(SPINDLE_FIXTURES_DIR);
}

/// `relative` inside the fixtures folder ("mtconnect/okuma.txt").
inline std::filesystem::path fixturePath(std::string_view relative) {
  return fixturesDir() / relative;
}

/// True when SPINDLE_REQUIRE_FIXTURES is set to anything but "" or "0".
inline bool fixturesRequired() {
  const char* env = std::getenv("SPINDLE_REQUIRE_FIXTURES");
  return env != nullptr && *env != '\0' && std::string_view(env) != "0";
}

}  // namespace spindle::testing

/// Ends the current test (or SetUp) unless `present`: a skip that prints `reason` (a stream
/// expression: `"fixture " << path << " is absent"`), or a failure with SPINDLE_REQUIRE_FIXTURES=1.
#define SPINDLE_NEEDS_FIXTURE(present, reason)                                           \
  if (present) {                                                                         \
  } else if (::spindle::testing::fixturesRequired())                                     \
    FAIL() << reason << " (SPINDLE_REQUIRE_FIXTURES is set: the fixtures must be here)"; \
  else                                                                                   \
    GTEST_SKIP() << reason << " (needs ../shared/fixtures beside the checkout)"
