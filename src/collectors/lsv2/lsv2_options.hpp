#pragma once
/// Options of the lsv2 collector (the machine block in spindle.yaml). The fixed monitoring set
/// needs no configuration; PLC operands come from the machine's script (keys plc_M<n>,
/// plc_W<n>, ...) and iTNC data paths from `data_paths` (docs/collectors/lsv2.md).

#include <map>
#include <string>

#include "base/units.hpp"
#include "collectors/input_guard.hpp"
#include "collectors/lsv2/lsv2_session.hpp"
#include "config/option_table.hpp"

namespace spindle::collectors::lsv2 {

/// The LSV2 port (requirement sheet: Heidenhain 19000).
constexpr std::uint16_t kDefaultPort = 19000;

struct Lsv2Options {
  std::string host;
  config::Port port{kDefaultPort};
  Duration connectTimeout = std::chrono::seconds(5);
  Duration readTimeout = std::chrono::seconds(2);  ///< per telegram
  Duration reconnectMin = std::chrono::milliseconds(500);
  Duration reconnectMax = std::chrono::seconds(30);
  Duration pollInterval = std::chrono::seconds(1);   ///< run information, PLC, data paths
  Duration slowInterval = std::chrono::seconds(10);  ///< the NC error list
  bool dnc = true;                                   ///< log in as DNC (needs the DNC option)
  std::string plcPassword;                           ///< PLCDEBUG's password; empty: none sent
  std::map<std::string, std::string> dataPaths;      ///< key -> R_DP path (iTNC 530)
  std::int64_t maxErrors = 20;                       ///< NC errors read per round
  ByteSize maxBuffer{kLargestBuffer};                ///< the largest telegram buffer asked for
  std::uint64_t maxItems = InputLimits{}.maxItems;
  std::uint64_t maxKeys = InputLimits{}.maxKeys;
  std::uint64_t maxConditions = InputLimits{}.maxConditions;
  std::uint64_t maxAssets = InputLimits{}.maxAssets;
  ByteSize maxAssetSize = InputLimits{}.maxAssetSize;
  ByteSize maxValueSize = InputLimits{}.maxValueSize;
};

const config::OptionTable<Lsv2Options>& optionTable();

/// Checks values beyond their types (intervals, buffer, data paths). Adds diagnostics at
/// `block`; false on a problem.
bool validate(Lsv2Options& options, const YAML::Node& block, config::Diagnostics& diags);

/// `plcLogin`: log in as PLCDEBUG (the script reads PLC operands).
SessionOptions sessionOptions(const Lsv2Options& options, bool plcLogin,
                              ResolveFn resolve = systemResolve);

}  // namespace spindle::collectors::lsv2
