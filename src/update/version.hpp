#pragma once
/// Release versions as the update system compares them: MAJOR.MINOR.PATCH with an optional
/// pre-release after '-' ("2.1.0-rc.1"), ordered as Semantic Versioning orders them (a
/// pre-release comes before its release; numeric identifiers compare as numbers). Build
/// metadata ('+...') is not accepted: two builds of one version must not both be installable.

#include <compare>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace spindle::update {

struct Version {
  long major = 0;
  long minor = 0;
  long patch = 0;
  std::string pre;  ///< "" for a release

  std::string text() const;
  /// A version also names a folder (versions/<version>/): only [0-9A-Za-z.-] ever appear.
  static Result<Version> parse(std::string_view text);
};

std::strong_ordering operator<=>(const Version& a, const Version& b);
inline bool operator==(const Version& a, const Version& b) { return (a <=> b) == 0; }

/// The version this binary reports (base/build_stamp.hpp), parsed; 0.0.0 when it does not parse.
Version runningVersion();

}  // namespace spindle::update
