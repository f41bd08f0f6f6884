#pragma once
/// Loading adapter scripts: YAML text to a CompiledScript, with every problem reported at
/// its file:line:column with what was expected there (see docs/scripts.md).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "config/diagnostics.hpp"
#include "transform/compiled_script.hpp"

namespace spindle::transform {

struct ScriptCompileOutput {
  std::shared_ptr<const CompiledScript> script;  ///< null when there are diagnostics
  config::Diagnostics diagnostics;
};

/// Compiles a script, collecting every problem. `name` is used in messages (a file path).
/// Never throws.
ScriptCompileOutput compileScriptDiagnostics(const std::string& yamlText, const std::string& name);

/// Compiles a script. On failure the error (kInvalidArgument) lists every problem, one per
/// line, each "name:line:column: message (hint)".
Result<std::shared_ptr<const CompiledScript>> compileScript(const std::string& yamlText,
                                                            const std::string& name);

/// Reads and compiles a script file (kIo when it cannot be read).
Result<std::shared_ptr<const CompiledScript>> loadScriptFile(const std::string& path);

/// The script shipped for a collector type ("shdr"), or nullptr when that type has none.
/// Default scripts live beside their collector as <type>_default_script.yaml and are
/// compiled into the binary when their collector is (its DEFAULT_SCRIPT in CMake).
const std::string* defaultScriptText(std::string_view collectorType);

/// Collector types that ship a default script.
std::vector<std::string> defaultScriptTypes();

/// Compiles the default script of a collector type (kNotFound when it has none).
Result<std::shared_ptr<const CompiledScript>> loadDefaultScript(std::string_view collectorType);

}  // namespace spindle::transform
