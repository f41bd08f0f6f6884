#pragma once
/// Options of the mitsubishi collector (the machine block in spindle.yaml). What to read beyond
/// the fixed monitoring set is the machine's adapter script: keys plc_R<n>, plc_Y<hex>,
/// plc_Y<hex>_byte and ez_<section>_<sub-section> (docs/collectors/mitsubishi.md).

#include <string>
#include <vector>

#include "base/units.hpp"
#include "collectors/input_guard.hpp"
#include "collectors/mitsubishi/mitsubishi_reads.hpp"
#include "collectors/mitsubishi/mitsubishi_session.hpp"
#include "config/option_table.hpp"

namespace spindle::collectors::mitsubishi {

/// The EZSocket port (requirement sheet: Mitsubishi and Citizen M700 on 683; IANA's IIOP port).
constexpr std::uint16_t kDefaultPort = 683;

struct MitsubishiOptions {
  std::string host;
  config::Port port{kDefaultPort};
  Duration connectTimeout = std::chrono::seconds(5);
  Duration readTimeout = std::chrono::seconds(2);  ///< per batch of requests
  Duration reconnectMin = std::chrono::milliseconds(500);
  Duration reconnectMax = std::chrono::seconds(30);
  std::string systemType = "m700m";
  SystemType system = SystemType::kM700M;  ///< `systemType` parsed by validate()
  std::vector<std::string> partSystems{"1"};
  std::vector<std::uint32_t> partSystemNumbers;  ///< `partSystems` parsed by validate()
  Duration pollInterval = std::chrono::seconds(1);
  Duration slowInterval = std::chrono::seconds(10);
  std::int64_t maxAlarms = 10;
  std::int64_t pipeline = 16;
  ByteSize maxMessage{65536};
  std::uint64_t maxItems = InputLimits{}.maxItems;
  std::uint64_t maxKeys = InputLimits{}.maxKeys;
  std::uint64_t maxConditions = InputLimits{}.maxConditions;
  std::uint64_t maxAssets = InputLimits{}.maxAssets;
  ByteSize maxAssetSize = InputLimits{}.maxAssetSize;
  ByteSize maxValueSize = InputLimits{}.maxValueSize;
};

const config::OptionTable<MitsubishiOptions>& optionTable();

/// Checks values beyond their types (system type, part systems, intervals). Adds diagnostics
/// at `block`; false on a problem.
bool validate(MitsubishiOptions& options, const YAML::Node& block, config::Diagnostics& diags);

SessionOptions sessionOptions(const MitsubishiOptions& options, ResolveFn resolve = systemResolve);

}  // namespace spindle::collectors::mitsubishi
