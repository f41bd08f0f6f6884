// The file uplink's registration: `uplinks: file:` (it runs by default).

#include <filesystem>

#include "uplinks/file/file_uplink.hpp"
#include "uplinks/registry.hpp"

namespace spindle::uplinks::file {

void registerUplink(UplinkRegistry& registry) {
  UplinkType type;
  type.name = "file";
  type.description = "observations as JSON lines in a local file (rotated), or on stdout";
  type.runsByDefault = true;
  type.options = optionTable().describe();
  type.load = [](const YAML::Node& block, config::Diagnostics& diags, const std::string& where) {
    FileOptions options;
    if (block && !block.IsNull()) optionTable().load(block, options, diags, where);
    return std::any(options);
  };
  type.create = [](const std::any& any, const UplinkEnv& env) -> Result<std::unique_ptr<Uplink>> {
    FileOptions options = std::any_cast<const FileOptions&>(any);
    if (env.toStdout) options.path = "-";
    if (options.path != "-") {
      const std::filesystem::path p(options.path);
      options.path = (p.is_absolute() ? p : std::filesystem::path(env.dataDir) / p).string();
    }
    return std::unique_ptr<Uplink>(std::make_unique<FileUplink>(options, *env.catalog));
  };
  registry.add(std::move(type));
}

}  // namespace spindle::uplinks::file
