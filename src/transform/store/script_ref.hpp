#pragma once
/// `store:NAME@VERSION`: how a machine's `script:` names a script of the adapter store
/// (docs/scripts.md "Scripts from the adapter store"). Pure parsing, no I/O.
///
///   NAME     1-64 characters: letters, digits, '-', '_' and '.', starting with a letter or a
///            digit (it is also a folder name in the store and in the cache, so never "..").
///   VERSION  1-4 dot-separated numbers without leading zeros ("3", "3.1", "2024.6.1"), each
///            at most 999999999. Optional: `store:NAME` takes the highest version the signed
///            index lists for NAME, comparing number by number (3 < 3.0 < 3.1 < 10).

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace spindle::transform::store {

inline constexpr std::string_view kStorePrefix = "store:";

/// A script version as the index names it; ordered number by number.
struct StoreVersion {
  std::vector<std::uint32_t> parts;

  /// kInvalidArgument saying what is wrong with `text`.
  static Result<StoreVersion> parse(std::string_view text);
  std::string text() const;  ///< "3.1": what parse() read
  auto operator<=>(const StoreVersion&) const = default;
};

/// A script of the store as a machine names it.
struct ScriptRef {
  std::string name;
  std::optional<StoreVersion> version;  ///< nullopt: the index's highest version of `name`

  /// "store:haas-ngc@3" or "store:haas-ngc": how messages and MachineEntry::scriptName say it.
  std::string text() const;
};

/// True when a `script:` value names the store (starts with "store:"): such a value is parsed
/// with parseScriptRef() and never read as a file.
bool namesStoreScript(std::string_view scriptValue);

/// True when `name` is a valid NAME (see above).
bool validScriptName(std::string_view name);

/// Parses "store:NAME" or "store:NAME@VERSION"; kInvalidArgument naming the part that is
/// wrong.
Result<ScriptRef> parseScriptRef(std::string_view text);

}  // namespace spindle::transform::store
