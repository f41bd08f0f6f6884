#pragma once
/// Options of the shdr collector (the machine block in spindle.yaml).

#include <map>
#include <string>

#include "base/units.hpp"
#include "collectors/input_guard.hpp"
#include "collectors/shdr/shdr_parser.hpp"
#include "collectors/shdr/shdr_session.hpp"
#include "config/option_table.hpp"

namespace spindle::collectors::shdr {

/// The port SHDR adapters listen on (requirement sheet: SHDR 7878).
constexpr std::uint16_t kDefaultPort = 7878;

struct ShdrOptions {
  std::string host;
  config::Port port{kDefaultPort};
  Duration connectTimeout = std::chrono::seconds(5);
  Duration heartbeat{0};
  Duration legacyTimeout = std::chrono::seconds(600);
  Duration reconnectMin = std::chrono::milliseconds(500);
  Duration reconnectMax = std::chrono::seconds(30);
  bool ignoreTimestamps = false;
  std::map<std::string, std::string> kinds;
  std::string deviceFile;  ///< MTConnect Devices.xml describing the machine ("" = none)
  std::string device;      ///< which device of the file (name, uuid or id); "" = the only one
  /// The device file, read and checked by validate() (null without device_file).
  std::shared_ptr<const model::DeviceFile> deviceModel;
  ByteSize maxLine{1 << 20};
  std::uint64_t maxItems = InputLimits{}.maxItems;
  std::uint64_t maxKeys = InputLimits{}.maxKeys;
  std::uint64_t maxConditions = InputLimits{}.maxConditions;
  std::uint64_t maxAssets = InputLimits{}.maxAssets;
  ByteSize maxAssetSize = InputLimits{}.maxAssetSize;
  ByteSize maxValueSize = InputLimits{}.maxValueSize;
};

const config::OptionTable<ShdrOptions>& optionTable();

/// The options table's values, checked beyond their types (kinds, ranges). Adds diagnostics
/// at `block` and returns false on a problem.
/// Also reads the device file (relative to the configuration file's folder) into
/// `options.deviceModel`.
bool validate(ShdrOptions& options, const YAML::Node& block, config::Diagnostics& diags);

SessionOptions sessionOptions(const ShdrOptions& options, ResolveFn resolve = systemResolve);
ParserOptions parserOptions(const ShdrOptions& options);

}  // namespace spindle::collectors::shdr
