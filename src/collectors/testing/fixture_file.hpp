#pragma once
/// Test support for the collectors' fixture tests (*_fixtures_test.cpp): the sections of a
/// shared fixture's .hex file (and a test over them), its hex strings as bytes, a whole frame read
/// from them the way a slow TCP peer sends it, and the value of a Result that must be ok.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/testing/fixtures.hpp"

namespace spindle::collectors::testing {

/// One section of a fixture file: its `key = value` lines.
using Section = std::map<std::string, std::string>;

/// The sections of `file` by id (`[id]` lines); `#` lines are comments.
inline std::map<std::string, Section> readSections(const std::filesystem::path& file) {
  std::map<std::string, Section> out;
  std::ifstream in(file);
  std::string line, id;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '[') {
      id = line.substr(1, line.find(']') - 1);
      out[id];
      continue;
    }
    const auto eq = line.find(" = ");
    if (eq != std::string::npos && !id.empty()) out[id][line.substr(0, eq)] = line.substr(eq + 3);
  }
  return out;
}

/// A test over the sections of one fixture file (`relative` inside the fixtures folder); an
/// absent file skips it (fails it with SPINDLE_REQUIRE_FIXTURES=1). section() records which
/// sections the test checked, so it can fail on one it did not.
class FixtureSectionsTest : public ::testing::Test {
 protected:
  explicit FixtureSectionsTest(std::string relative) : m_relative(std::move(relative)) {}
  void SetUp() override {
    const auto file = spindle::testing::fixturePath(m_relative);
    SPINDLE_NEEDS_FIXTURE(std::filesystem::exists(file), "fixture " << file << " is absent");
    m_sections = readSections(file);
  }
  const Section& section(const std::string& id) {
    m_checked.insert(id);
    return m_sections.at(id);
  }
  std::string m_relative;
  std::map<std::string, Section> m_sections;
  std::set<std::string> m_checked;
};

/// The bytes of a hex string without spaces ("0a1b...").
inline std::vector<std::uint8_t> unhex(const std::string& hex) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

/// The one whole unit (frame, telegram, message: `what`) in `bytes`, fed to `reader` (feed,
/// next) `chunk` bytes at a time, as a slow TCP peer would send it. A reader error, a unit that
/// ends before the bytes do, or no whole unit fails the test and gives nothing.
template <typename Unit, typename Reader>
std::optional<Unit> readWhole(Reader& reader, const std::vector<std::uint8_t>& bytes,
                              std::size_t chunk, const std::string& what) {
  std::optional<Unit> unit;
  for (std::size_t at = 0; at < bytes.size();) {
    const std::size_t n = std::min(chunk, bytes.size() - at);
    at += reader.feed(std::span(bytes).subspan(at, n));
    auto next = reader.next();
    EXPECT_TRUE(next.ok()) << next.error().describe();
    if (!next.ok()) return std::nullopt;
    if (next->has_value()) {
      EXPECT_EQ(at, bytes.size()) << "the " << what << " ended before its bytes did";
      unit = std::move(**next);
    }
  }
  EXPECT_TRUE(unit.has_value()) << "no whole " << what << " in " << bytes.size() << " bytes";
  return unit;
}

/// The value of `r`; a failed `r` fails the test and gives T{}.
template <typename T>
T val(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.error().describe();
  return r.ok() ? std::move(r).value() : T{};
}

}  // namespace spindle::collectors::testing
