// What the focas collector asks of its machine's script (reads, tool offsets, writes), checked
// at start and by `spindle validate`, and the collector's registration.

#include <set>

#include "collectors/focas/focas_collector.hpp"
#include "collectors/focas/focas_fwlib_poller.hpp"
#include "collectors/focas/focas_reads.hpp"
#include "collectors/write_book.hpp"
#include "transform/compiled_script.hpp"

namespace spindle::collectors::focas {

Result<std::vector<ScriptRead>> scriptReads(const transform::CompiledScript* script,
                                            const FocasOptions& options) {
  std::vector<ScriptRead> out;
  if (script == nullptr) return out;
  std::set<std::string> seen;
  for (const auto& input : script->inputs()) {
    if (input.section != transform::InputSection::kKeys || !seen.insert(input.key).second) continue;
    auto read = parseReadKey(input.key);
    if (!read) return std::move(read).error();
    if (!read->has_value()) continue;
    const auto path = (*read)->path;
    if (std::find(options.pathNumbers.begin(), options.pathNumbers.end(), path) ==
        options.pathNumbers.end()) {
      return Error(ErrorCode::kInvalidArgument, "key '" + input.key + "' reads path " +
                                                    std::to_string(path) +
                                                    ", which is not in this machine's paths");
    }
    out.push_back(std::move(**read));
  }
  return out;
}

namespace {

// What start() would refuse, for `spindle validate`: a malformed read key or a path the machine
// does not read, a write to anything but a macro variable, or writes while allow_write is off.
Status checkScript(const std::any& loaded, const transform::CompiledScript* script) {
  const auto& options = std::any_cast<const FocasOptions&>(loaded);
  if (auto reads = scriptReads(script, options); !reads) return std::move(reads).error();
  if (auto tools = toolOffsetKeys(script); !tools) return std::move(tools).error();
  return checkScriptWrites(script, options.allowWrite, [&](const transform::InputSpec& in) {
    if (in.section != transform::InputSection::kKeys) {
      return std::string("a FOCAS control is written through its macro variables (keys macro_<n>)");
    }
    auto call = macroWriteFor(in.key, 0.0, options.pathNumbers);
    return call ? std::string() : call.error().message();
  });
}

}  // namespace

void registerCollector(Registry& registry) {
  auto info = makeCollectorInfo<FocasCollector>(
      "focas",
      "FANUC FOCAS/Ethernet client (native, no vendor library): status, program, feed, "
      "spindle, positions, alarms, timers and the script's parameters, macros and PMC",
      kDefaultPort, optionTable(), validate, true);
  info.writes = true;
  info.checkScript = checkScript;
  registry.add(std::move(info));
}

}  // namespace spindle::collectors::focas
