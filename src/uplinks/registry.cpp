#include "uplinks/registry.hpp"

namespace spindle::uplinks {

void UplinkRegistry::add(UplinkType type) {
  const std::string name = type.name;
  m_types.insert_or_assign(name, std::move(type));
}

const UplinkType* UplinkRegistry::find(const std::string& name) const {
  auto it = m_types.find(name);
  return it == m_types.end() ? nullptr : &it->second;
}

std::vector<std::string> UplinkRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, type] : m_types) out.push_back(name);
  return out;
}

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// `enabled: false` turns off an uplink that runs by default; the key is not the type's own.
bool takeEnabled(const YAML::Node& block, YAML::Node& options, config::Diagnostics& diags,
                 const std::string& where) {
  if (!block || !block.IsMap() || !block["enabled"]) {
    options = block;
    return true;
  }
  bool enabled = true;
  if (!config::readValue(block["enabled"], enabled, diags, where + ".enabled")) return true;
  options = YAML::Node(YAML::NodeType::Map);
  for (const auto& kv : block) {
    if (kv.first.Scalar() != "enabled") options[kv.first] = kv.second;
  }
  return enabled;
}

}  // namespace

std::vector<UplinkEntry> loadUplinks(const YAML::Node& root, const UplinkRegistry& registry,
                                     config::Diagnostics& diags,
                                     std::vector<std::string>& warnings) {
  std::map<std::string, YAML::Node> blocks;
  std::map<std::string, std::string> where;  ///< how messages name the block
  std::map<std::string, bool> off;
  const YAML::Node block = root["uplinks"];
  if (block && !block.IsNull()) {
    if (!block.IsMap()) {
      diags.add(block, "uplinks must be a map of uplink name: options",
                "e.g. uplinks: {file: {path: observations.jsonl}, nats: {servers: [...]}}");
    } else {
      for (const auto& kv : block) {
        const std::string name = kv.first.Scalar();
        if (registry.find(name) == nullptr) {
          diags.add(kv.first, "unknown uplink '" + name + "'",
                    "available: " + joined(registry.names()));
          continue;
        }
        YAML::Node options;
        if (!takeEnabled(kv.second, options, diags, "uplinks." + name)) off[name] = true;
        blocks[name] = options;
        where[name] = "uplinks." + name;
      }
    }
  }
  if (const YAML::Node output = root["output"]; output) {
    if (blocks.count("file") > 0) {
      diags.add(output, "output: and uplinks: file: both configure the file uplink",
                "keep uplinks: file: (output: is the old name)");
    } else if (registry.find("file") != nullptr) {
      blocks["file"] = output;
      where["file"] = "output";
      warnings.push_back(
          "output: is deprecated and will be removed in the next release: write its keys "
          "under uplinks: file:");
    }
  }
  std::vector<UplinkEntry> out;
  for (const auto& name : registry.names()) {
    const UplinkType& type = *registry.find(name);
    const bool configured = blocks.count(name) > 0;
    if (off.count(name) > 0 || (!configured && !type.runsByDefault)) continue;
    const YAML::Node options = configured ? blocks[name] : YAML::Node();
    out.push_back(
        UplinkEntry{name, type.load(options, diags, configured ? where[name] : "uplinks." + name)});
  }
  return out;
}

}  // namespace spindle::uplinks
