// What the mitsubishi collector asks of its machine's script (PLC devices and addresses),
// checked at start and by `spindle validate`, and the collector's registration.

#include <algorithm>
#include <set>

#include "collectors/mitsubishi/mitsubishi_collector.hpp"
#include "transform/compiled_script.hpp"

namespace spindle::collectors::mitsubishi {

Result<std::vector<Read>> scriptReads(const transform::CompiledScript* script,
                                      const MitsubishiOptions& options) {
  std::vector<Read> out;
  if (script == nullptr) return out;
  std::set<std::string> seen;
  for (const auto& input : script->inputs()) {
    if (input.section != transform::InputSection::kKeys || !seen.insert(input.key).second) continue;
    auto read = parseScriptKey(input.key);
    if (!read) return std::move(read).error();
    if (!read->has_value()) continue;
    const auto system = (*read)->address.system;
    const auto& systems = options.partSystemNumbers;
    if (system != 0 && std::find(systems.begin(), systems.end(), system) == systems.end()) {
      return Error(ErrorCode::kInvalidArgument,
                   "key '" + input.key + "' reads part system " + std::to_string(system) +
                       ", which is not in this machine's part_systems");
    }
    out.push_back(std::move(**read));
  }
  return out;
}

namespace {

Status checkScript(const std::any& loaded, const transform::CompiledScript* script) {
  const auto& options = std::any_cast<const MitsubishiOptions&>(loaded);
  if (auto reads = scriptReads(script, options); !reads) return std::move(reads).error();
  return okStatus();
}

}  // namespace

void registerCollector(Registry& registry) {
  auto info = makeCollectorInfo<MitsubishiCollector>(
      "mitsubishi",
      "Mitsubishi M70/M700/M80/M800 and Citizen M700 over EZSocket (GIOP, native, "
      "experimental): status, program, feeds, spindle, positions, alarms, PLC devices",
      kDefaultPort, optionTable(), validate, true);
  info.checkScript = checkScript;
  registry.add(std::move(info));
}

}  // namespace spindle::collectors::mitsubishi
