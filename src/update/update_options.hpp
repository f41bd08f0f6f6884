#pragma once
/// Options of the update system (the `update:` section of spindle.yaml, docs/updates.md).
/// Without `trusted_keys` the edge takes no update from the cloud; the launcher and the trial
/// of a version installed earlier still run.

#include <optional>
#include <string>
#include <vector>

#include "base/units.hpp"
#include "config/option_table.hpp"

namespace spindle::update {

struct UpdateOptions {
  /// Public keys (PEM or base64 of the raw 32 bytes) or files holding one.
  std::vector<std::string> trustedKeys;
  std::string channel = "stable";
  std::string policy = "automatic";  ///< "automatic" (within `window`) or "manual"
  std::string window;                ///< "HH:MM-HH:MM" local time; "" any time
  Duration trial = std::chrono::minutes(2);
  int maxCrashes = 3;
  int keep = 2;
  std::string bucket = "spindle_updates";
  std::string caFile;  ///< CA bundle for the download ("" = the system's)
  ByteSize maxSize{256ULL << 20};
  ByteSize diskMargin{64ULL << 20};
  Duration downloadTimeout = std::chrono::minutes(30);
  Duration retry = std::chrono::minutes(1);
};

/// A maintenance window, minutes after local midnight; `end` < `start` wraps past midnight.
struct Window {
  int start = 0;
  int end = 0;
  bool contains(int minuteOfDay) const;
  /// "HH:MM-HH:MM"; kInvalidArgument otherwise.
  static Result<Window> parse(const std::string& text);
};

const config::OptionTable<UpdateOptions>& optionTable();
bool validate(const UpdateOptions& options, const YAML::Node& block, config::Diagnostics& diags);

}  // namespace spindle::update
