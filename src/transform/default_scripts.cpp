#include "transform/default_scripts.hpp"

#include <string>

#include "transform/script_loader.hpp"

namespace spindle::transform {

const std::string* defaultScriptText(std::string_view collectorType) {
  static const std::vector<std::pair<std::string, std::string>> texts = [] {
    std::vector<std::pair<std::string, std::string>> v;
    for (const auto& s : builtinDefaultScripts()) v.emplace_back(s.collectorType, s.text);
    return v;
  }();
  for (const auto& [type, text] : texts) {
    if (type == collectorType) return &text;
  }
  return nullptr;
}

std::vector<std::string> defaultScriptTypes() {
  std::vector<std::string> types;
  for (const auto& s : builtinDefaultScripts()) types.emplace_back(s.collectorType);
  return types;
}

Result<std::shared_ptr<const CompiledScript>> loadDefaultScript(std::string_view collectorType) {
  const std::string* text = defaultScriptText(collectorType);
  if (text == nullptr) {
    return Error(ErrorCode::kNotFound,
                 "collector type '" + std::string(collectorType) + "' has no default script");
  }
  return compileScript(*text, "<default script for " + std::string(collectorType) + ">");
}

}  // namespace spindle::transform
