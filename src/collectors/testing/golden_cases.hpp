#pragma once
/// Test support: the golden cases every codec keeps in its folder's testdata/. One file per
/// case, `<form>.pass.case` or `<form>.fail.case`; every form has both. A file is comment
/// lines, then sections opened by `--- <name>`:
///   input        the bytes fed to the codec (lines kept as they are, each ending in \n)
///   expect       the observations expected, one JSON line each (model/json_encoder), exactly
///   reject       the rejections expected, in order, each a substring of the reason
///   status       the document failure expected (a substring of its message)
///   <other>      codec-specific: exact lines (commands, errors) or a setting (max_line)
/// A .fail case must reject something or fail; a .pass case must do neither.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/item_catalog.hpp"
#include "model/json_encoder.hpp"
#include "model/observation.hpp"

namespace spindle::collectors::testing {

struct GoldenCase {
  std::filesystem::path file;
  std::string form;  ///< the file name before .pass/.fail
  bool fail = false;
  std::string input;
  std::map<std::string, std::vector<std::string>> sections;  ///< every section but input

  /// The lines of `section` (empty lines dropped); empty when absent.
  const std::vector<std::string>& lines(const std::string& section) const {
    static const std::vector<std::string> kNone;
    const auto it = sections.find(section);
    return it == sections.end() ? kNone : it->second;
  }
  /// The first line of `section`, or `otherwise` when absent.
  std::string value(const std::string& section, const std::string& otherwise = "") const {
    const auto& l = lines(section);
    return l.empty() ? otherwise : l.front();
  }
};

/// What a codec made of one case.
struct GoldenOutput {
  std::vector<std::string> observations;  ///< JSON lines
  std::vector<std::string> rejections;    ///< reasons
  std::string failure;                    ///< the document failure; empty: decoded
  /// Codec-specific output compared exactly with the section of the same name.
  std::map<std::string, std::vector<std::string>> exact;

  void addObservations(const model::Batch& batch, const model::ItemCatalog& catalog) {
    for (const auto& obs : batch) {
      std::string json;
      model::appendJsonLine(json, obs, catalog);
      json.pop_back();  // the newline
      observations.push_back(std::move(json));
    }
  }
};

inline GoldenCase readGoldenCase(const std::filesystem::path& path) {
  std::ifstream in(path);
  GoldenCase c;
  c.file = path;
  const std::string stem = path.stem().string();  // <form>.pass or <form>.fail
  const auto dot = stem.rfind('.');
  c.form = stem.substr(0, dot);
  c.fail = dot != std::string::npos && stem.substr(dot + 1) == "fail";
  std::string line, section;
  while (std::getline(in, line)) {
    if (line.rfind("--- ", 0) == 0) {
      section = line.substr(4);
      continue;
    }
    if (section == "input") {
      c.input += line + "\n";
    } else if (!section.empty() && !line.empty()) {  // before any section: comments
      c.sections[section].push_back(line);
    }
  }
  return c;
}

/// Every `.case` file in `dir`, sorted by name. Fails the test when a form lacks its pass or
/// its fail case, or when there are fewer than `minForms` forms.
inline std::vector<GoldenCase> loadGoldenCases(const std::filesystem::path& dir,
                                               std::size_t minForms = 1) {
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(dir)) {
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().extension() == ".case") files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<GoldenCase> cases;
  std::map<std::string, int> forms;
  for (const auto& f : files) {
    cases.push_back(readGoldenCase(f));
    const std::string stem = f.stem().string();
    const bool named = stem.ends_with(".pass") || stem.ends_with(".fail");
    EXPECT_TRUE(named) << f << " is neither <form>.pass.case nor <form>.fail.case";
    forms[cases.back().form] |= cases.back().fail ? 2 : 1;
  }
  EXPECT_GE(forms.size(), minForms) << "golden forms in " << dir;
  for (const auto& [form, bits] : forms) EXPECT_EQ(bits, 3) << form << " lacks a pass or fail case";
  return cases;
}

/// Compares what the codec made of `c` with what the case expects.
inline void expectGolden(const GoldenCase& c, const GoldenOutput& out) {
  SCOPED_TRACE(c.file.filename().string());
  const std::string status = c.value("status");
  if (!status.empty() || !out.failure.empty()) {
    EXPECT_FALSE(status.empty()) << "unexpected failure: " << out.failure;
    EXPECT_NE(out.failure.find(status), std::string::npos) << out.failure;
    EXPECT_TRUE(c.fail) << "a case that expects a failure is a .fail case";
    return;
  }
  EXPECT_EQ(out.observations, c.lines("expect"));
  for (const auto& [section, lines] : out.exact) EXPECT_EQ(lines, c.lines(section)) << section;
  const auto& rejects = c.lines("reject");
  ASSERT_EQ(out.rejections.size(), rejects.size());
  for (std::size_t i = 0; i < rejects.size(); ++i) {
    EXPECT_NE(out.rejections[i].find(rejects[i]), std::string::npos)
        << "rejection " << i << " was: " << out.rejections[i];
  }
  EXPECT_EQ(c.fail, !rejects.empty()) << "a .fail case must reject, a .pass case must not";
}

/// Loads the cases of `dir` and runs each through `decode` (GoldenOutput(const GoldenCase&)).
template <typename Decode>
void runGoldenCases(const std::filesystem::path& dir, std::size_t minForms, Decode decode) {
  const auto cases = loadGoldenCases(dir, minForms);
  ASSERT_FALSE(cases.empty()) << "no golden cases in " << dir;
  for (const auto& c : cases) expectGolden(c, decode(c));
}

/// The bytes of a line of space-separated hex bytes ("0a 1b ...").
inline std::vector<std::uint8_t> hexBytes(const std::string& line) {
  std::vector<std::uint8_t> out;
  std::istringstream in(line);
  std::string token;
  while (in >> token) out.push_back(static_cast<std::uint8_t>(std::stoul(token, nullptr, 16)));
  return out;
}

/// Feeds `input` to a stream `reader` (feed, next), one line of hex bytes at a time as a peer
/// sends them, and gives `handle` each whole unit read. A reader error is a rejection in `out`
/// and ends the stream: false.
template <typename Reader, typename Handle>
bool feedHexLines(const std::string& input, Reader& reader, GoldenOutput& out, Handle&& handle) {
  std::istringstream lines(input);
  std::string line;
  while (std::getline(lines, line)) {
    const std::vector<std::uint8_t> bytes = hexBytes(line);
    std::span<const std::uint8_t> rest(bytes);
    while (!rest.empty()) {
      rest = rest.subspan(reader.feed(rest));
      for (;;) {
        auto unit = reader.next();
        if (!unit) {
          out.rejections.push_back(unit.error().message());
          return false;
        }
        if (!unit->has_value()) break;
        handle(**unit);
      }
    }
  }
  return true;
}

/// feedHexLines, and then bytes the reader still holds are a rejection: "stream ends inside a
/// <what> (N bytes)".
template <typename Reader, typename Handle>
void feedHexStream(const std::string& input, Reader& reader, GoldenOutput& out,
                   const std::string& what, Handle&& handle) {
  if (feedHexLines(input, reader, out, handle) && reader.buffered() > 0) {
    out.rejections.push_back("stream ends inside a " + what + " (" +
                             std::to_string(reader.buffered()) + " bytes)");
  }
}

}  // namespace spindle::collectors::testing
