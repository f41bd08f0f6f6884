#pragma once
/// Options of the focas collector (the machine block in spindle.yaml). What to read beyond the
/// fixed monitoring set is the machine's adapter script: keys param_<n>, diag_<n>, macro_<n>,
/// pmc_<area><address>_<byte|word|long> (docs/collectors/focas.md).

#include <string>
#include <vector>

#include "base/units.hpp"
#include "collectors/focas/focas_session.hpp"
#include "collectors/input_guard.hpp"
#include "config/option_table.hpp"

namespace spindle::collectors::focas {

/// The FOCAS/Ethernet port (requirement sheet: FANUC FOCAS 8193).
constexpr std::uint16_t kDefaultPort = 8193;

struct FocasOptions {
  std::string host;
  config::Port port{kDefaultPort};
  Duration connectTimeout = std::chrono::seconds(5);
  Duration readTimeout = std::chrono::seconds(2);  ///< per request frame
  Duration reconnectMin = std::chrono::milliseconds(500);
  Duration reconnectMax = std::chrono::seconds(30);
  std::vector<std::string> paths{"1"};               ///< the paths this connection reads, 1..10
  std::vector<std::uint16_t> pathNumbers;            ///< `paths` parsed by validate()
  Duration pollInterval = std::chrono::seconds(1);   ///< the fast group
  Duration slowInterval = std::chrono::seconds(10);  ///< the slow group
  std::int64_t maxAlarms = 10;                       ///< alarm messages read per path
  ByteSize maxFrame{32768};
  /// FANUC's FOCAS library for the calls without public wire codes; empty = native only.
  std::string fwlib;
  bool allowWrite = false;  ///< the script's writes of macro variables
  std::uint64_t maxItems = InputLimits{}.maxItems;
  std::uint64_t maxKeys = InputLimits{}.maxKeys;
  std::uint64_t maxConditions = InputLimits{}.maxConditions;
  std::uint64_t maxAssets = InputLimits{}.maxAssets;
  ByteSize maxAssetSize = InputLimits{}.maxAssetSize;
  ByteSize maxValueSize = InputLimits{}.maxValueSize;
};

const config::OptionTable<FocasOptions>& optionTable();

/// Checks values beyond their types (paths, intervals). Adds diagnostics at `block`; false on
/// a problem.
bool validate(FocasOptions& options, const YAML::Node& block, config::Diagnostics& diags);

SessionOptions sessionOptions(const FocasOptions& options, ResolveFn resolve = systemResolve);

}  // namespace spindle::collectors::focas
