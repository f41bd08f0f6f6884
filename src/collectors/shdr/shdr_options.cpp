#include "collectors/shdr/shdr_options.hpp"

#include <filesystem>

#include "collectors/connection_options.hpp"
#include "collectors/input_limit_options.hpp"

namespace spindle::collectors::shdr {
namespace {

const std::map<std::string, model::Kind> kKindNames{{"sample", model::Kind::kSample},
                                                    {"event", model::Kind::kEvent},
                                                    {"condition", model::Kind::kCondition},
                                                    {"message", model::Kind::kMessage},
                                                    {"time_series", model::Kind::kTimeSeries},
                                                    {"data_set", model::Kind::kDataSet},
                                                    {"table", model::Kind::kTable}};

}  // namespace

const config::OptionTable<ShdrOptions>& optionTable() {
  static const auto table = [] {
    config::OptionTable<ShdrOptions> t;
    addConnectionOptions(
        t, {.defaultPort = kDefaultPort,
            .portHelp = "adapter TCP port",
            .hostHelp = "address of the SHDR adapter, e.g. host: 192.168.1.20 or host: "
                        "mill-3.plant.local"});
    t.optional("heartbeat", &ShdrOptions::heartbeat, "adapter's PONG",
               "PING interval; the adapter is declared gone after 2 x heartbeat of silence. "
               "Unset: use the interval the adapter announces in '* PONG <ms>'",
               {"0s", "1h"});
    t.optional("legacy_timeout", &ShdrOptions::legacyTimeout, "600s",
               "silence limit for adapters that do not answer PING", {"1s", ""});
    t.optional("ignore_timestamps", &ShdrOptions::ignoreTimestamps, "false",
               "stamp observations with the arrival time instead of the adapter's time");
    t.optional("kinds", &ShdrOptions::kinds, "{}",
               "declared kind per key (sample, event, condition, message, time_series, data_set, "
               "table); undeclared keys are inferred from the line's shape");
    t.optional("device_file", &ShdrOptions::deviceFile, "none",
               "MTConnect device file (Devices.xml, versions 1.1 to 2.x) describing the machine: "
               "its components and data items are served, adapter keys match them by id or name, "
               "native units are converted; relative to the configuration file's folder");
    t.optional("device", &ShdrOptions::device, "the file's only device",
               "which device of the device file describes this machine (name, uuid or id)");
    t.optional("max_line", &ShdrOptions::maxLine, "1MiB",
               "longest accepted line or multiline asset", {"1KiB", "1GiB"});
    addInputLimitOptions(t);
    return t;
  }();
  return table;
}

bool validate(ShdrOptions& options, const YAML::Node& block, config::Diagnostics& diags) {
  bool good = true;
  if (!options.deviceFile.empty()) {
    std::filesystem::path path(options.deviceFile);
    if (path.is_relative() && !diags.file().empty())
      path = std::filesystem::path(diags.file()).parent_path() / path;
    auto file = model::loadDeviceFile(path.string(), options.device);
    if (!file) {
      diags.add(block["device_file"], file.error().message(),
                "device_file names an MTConnect Devices.xml (as the reference agent reads); "
                "device: picks one of several devices");
      good = false;
    } else {
      options.deviceModel = std::make_shared<const model::DeviceFile>(std::move(file).value());
    }
  } else if (!options.device.empty()) {
    diags.add(block["device"], "device is set but device_file is not",
              "name the file with device_file: Devices.xml");
    good = false;
  }
  for (const auto& [key, kind] : options.kinds) {
    if (!kKindNames.count(kind)) {
      diags.add(block["kinds"][key], "unknown kind '" + kind + "' for key '" + key + "'",
                "use sample, event, condition, message, time_series, data_set or table");
      good = false;
    }
  }
  if (!validateInputLimits(options, block, diags)) good = false;
  if (!validateConnection(options, block, diags, "the adapter's address, e.g. 192.168.1.20")) {
    good = false;
  }
  return good;
}

SessionOptions sessionOptions(const ShdrOptions& o, ResolveFn resolve) {
  return SessionOptions{o.host,          o.port.value,   o.connectTimeout, o.heartbeat,
                        o.legacyTimeout, o.reconnectMin, o.reconnectMax,   std::move(resolve)};
}

ParserOptions parserOptions(const ShdrOptions& o) {
  ParserOptions p;
  for (const auto& [key, kind] : o.kinds) {
    if (auto it = kKindNames.find(kind); it != kKindNames.end()) p.kinds[key] = it->second;
  }
  p.ignoreTimestamps = o.ignoreTimestamps;
  p.maxLineBytes = o.maxLine.bytes;
  p.maxItems = o.maxItems;
  p.device = o.deviceModel;
  return p;
}

}  // namespace spindle::collectors::shdr
